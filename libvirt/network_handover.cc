#include "libvirt/network_handover.h"

#include <libvirt/libvirt.h>

#include "libvirt/api_text.h"
#include "libvirt/registration_xml.h"
#include "libvirt/session.h"
#include "xml/network_xml.h"

namespace hostnet::libvirt {

namespace {

std::vector<DhcpLease> leases_of(virNetworkPtr net) {
  std::vector<DhcpLease> out;
  virNetworkDHCPLeasePtr* leases = nullptr;
  int n = virNetworkGetDHCPLeases(net, nullptr, &leases, 0);
  for (int i = 0; i < n; ++i) {
    const auto* l = leases[i];
    DhcpLease lease;
    lease.expiry = l->expirytime;
    lease.protocol = l->type == VIR_IP_ADDR_TYPE_IPV6 ? "ipv6" : "ipv4";
    lease.mac = l->mac ? l->mac : "";
    lease.ip = l->ipaddr ? l->ipaddr : "";
    lease.prefix = l->prefix;
    lease.hostname = l->hostname ? l->hostname : "";
    lease.client_id = l->clientid ? l->clientid : "";
    out.push_back(std::move(lease));
    virNetworkDHCPLeaseFree(leases[i]);
  }
  free(leases);
  return out;
}

}  // namespace

std::string read_port_xmls(virConnectPtr conn, const std::string& name, std::vector<std::string>& out) {
  NetworkRef net(virNetworkLookupByName(conn, name.c_str()));
  if (!net) return "libvirt has no network '" + name + "'";
  if (virNetworkIsActive(net.get()) != 1) return "";
  virNetworkPortPtr* ports = nullptr;
  int n = virNetworkListAllPorts(net.get(), &ports, 0);
  if (n < 0) return "cannot list the ports of libvirt network '" + name + "': " + last_error();
  for (int i = 0; i < n; ++i) {
    std::string xml = take_string(virNetworkPortGetXMLDesc(ports[i], 0));
    if (!xml.empty()) out.push_back(std::move(xml));
    virNetworkPortFree(ports[i]);
  }
  free(ports);
  return "";
}

std::string read_own_network(virConnectPtr conn, const std::string& name, LibvirtOwnNetwork& out) {
  NetworkRef net(virNetworkLookupByName(conn, name.c_str()));
  if (!net) return "libvirt has no network '" + name + "'";
  out.name = name;
  out.active = virNetworkIsActive(net.get()) == 1;
  out.persistent = virNetworkIsPersistent(net.get()) == 1;
  int autostart = 0;
  out.autostart = virNetworkGetAutostart(net.get(), &autostart) == 0 && autostart;
  out.xml = take_string(virNetworkGetXMLDesc(net.get(), out.persistent ? VIR_NETWORK_XML_INACTIVE : 0));
  if (out.xml.empty()) return "cannot read libvirt network '" + name + "': " + last_error();
  if (is_registration(out.xml)) return "network '" + name + "' is hostnet's already (its registration in libvirt)";
  if (out.active) {
    out.leases = leases_of(net.get());
    if (auto why = read_port_xmls(conn, name, out.port_xmls); !why.empty()) return why;
    DomainPortListing listing;
    if (auto why = list_domain_ports(conn, net.get(), name, listing); !why.empty()) return why;
    out.ports = std::move(listing.ports);
    // Guests libvirt keeps no port for (its net-start after a net-destroy drops them) are still
    // on the network: their domains say so. Their ports are made again at the reclaim.
    auto def = xml::parse_network(out.xml);
    for (auto& p : scan_running_domains(conn, name)) {
      bool recorded = false;
      for (const auto& known : out.ports) recorded = recorded || known.tap == p.tap;
      if (recorded) continue;
      if (!p.port_uuid.empty() && def) out.port_xmls.push_back(network_port_xml(p, def->bridge.name));
      out.ports.push_back(std::move(p));
    }
  }
  return "";
}

std::string stop_and_replace(virConnectPtr conn, const LibvirtOwnNetwork& own, const std::string& replacement) {
  NetworkRef net(virNetworkLookupByName(conn, own.name.c_str()));
  if (!net) return "libvirt network '" + own.name + "' is gone";
  if (own.active && virNetworkDestroy(net.get()) < 0) return "libvirt cannot stop network '" + own.name + "': " + last_error();
  if (!own.persistent) return "";
  NetworkRef defined(virNetworkDefineXML(conn, replacement.c_str()));
  if (!defined) return "libvirt refused the definition that replaces its network '" + own.name + "': " + last_error();
  return "";
}

std::string give_back(virConnectPtr conn, const LibvirtOwnNetwork& own, const std::vector<std::string>& port_xmls) {
  NetworkRef net(virNetworkLookupByName(conn, own.name.c_str()));
  if (net && virNetworkIsActive(net.get()) == 1 && virNetworkDestroy(net.get()) < 0)
    return "libvirt cannot stop hostnet's registration of '" + own.name + "': " + last_error();
  if (own.persistent) {
    NetworkRef defined(virNetworkDefineXML(conn, own.xml.c_str()));
    if (!defined) return "libvirt refused its own definition of '" + own.name + "' back: " + last_error();
    if (virNetworkSetAutostart(defined.get(), own.autostart ? 1 : 0) < 0)
      return "libvirt cannot set autostart of '" + own.name + "': " + last_error();
  }
  if (!own.active) return "";
  return start_and_reclaim(conn, own.name, own.xml, own.persistent, port_xmls);
}

std::string start_and_reclaim(virConnectPtr conn, const std::string& name, const std::string& xml, bool persistent,
                              const std::vector<std::string>& port_xmls) {
  NetworkRef net(virNetworkLookupByName(conn, name.c_str()));
  if (!net && persistent) net = NetworkRef(virNetworkDefineXML(conn, xml.c_str()));
  if (!net && !persistent) net = NetworkRef(virNetworkCreateXML(conn, xml.c_str()));
  if (!net) return "libvirt cannot define network '" + name + "': " + last_error();
  if (virNetworkIsActive(net.get()) != 1 && virNetworkCreate(net.get()) < 0)
    return "libvirt cannot start network '" + name + "': " + last_error();
  std::string first;
  for (const auto& port : port_xmls) {
    virNetworkPortPtr p = virNetworkPortCreateXML(net.get(), port.c_str(), VIR_NETWORK_PORT_CREATE_RECLAIM);
    if (p) virNetworkPortFree(p);
    else if (first.empty()) first = "libvirt cannot take back a guest's port on network '" + name + "': " + last_error();
  }
  return first;
}

}  // namespace hostnet::libvirt

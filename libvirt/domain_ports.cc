#include "libvirt/domain_ports.h"

#include <libvirt/libvirt.h>

#include <map>

#include "libvirt/api_text.h"
#include "xml/vm_interface_xml.h"

namespace hostnet::libvirt {

std::string list_domain_ports(virConnectPtr conn, virNetworkPtr net, const std::string& network,
                              DomainPortListing& out) {
  virNetworkPortPtr* ports = nullptr;
  int n = virNetworkListAllPorts(net, &ports, 0);
  if (n < 0) return "cannot list the ports of network '" + network + "': " + last_error();
  std::vector<xml::NetworkPortDef> defs;
  for (int i = 0; i < n; ++i) {
    std::string text = take_string(virNetworkPortGetXMLDesc(ports[i], 0));
    virNetworkPortFree(ports[i]);
    // A port removed between the listing and the read is simply not there any more.
    if (auto def = xml::parse_network_port(text); def) defs.push_back(std::move(*def));
  }
  free(ports);

  // One domain XML per domain, however many interfaces it has on the network.
  std::map<std::string, std::vector<xml::DomainInterface>> interfaces;
  for (const auto& def : defs) {
    if (interfaces.count(def.owner_uuid)) continue;
    auto& list = interfaces[def.owner_uuid];
    virDomainPtr dom = virDomainLookupByUUIDString(conn, def.owner_uuid.c_str());
    if (!dom) continue;
    std::string text = take_string(virDomainGetXMLDesc(dom, 0));
    virDomainFree(dom);
    if (auto parsed = xml::parse_domain_interfaces(text); parsed) list = std::move(*parsed);
  }

  for (const auto& def : defs) {
    const xml::DomainInterface* match = nullptr;
    for (const auto& i : interfaces[def.owner_uuid])
      if (i.portid == def.uuid || (i.portid.empty() && i.mac == def.mac && i.network == network)) match = &i;
    if (!match || match->target.empty()) {
      ++out.pending;
      continue;
    }
    out.ports.push_back(DomainPort{network, match->target, def.mac, def.portgroup, def.owner_name, def.owner_uuid, def.uuid});
  }
  return "";
}

std::vector<DomainPort> scan_running_domains(virConnectPtr conn, const std::string& network) {
  std::vector<DomainPort> out;
  virDomainPtr* domains = nullptr;
  int n = virConnectListAllDomains(conn, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
  for (int i = 0; i < n; ++i) {
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    const char* name = virDomainGetName(domains[i]);
    virDomainGetUUIDString(domains[i], uuid);
    std::string text = take_string(virDomainGetXMLDesc(domains[i], 0));
    if (auto interfaces = xml::parse_domain_interfaces(text); interfaces)
      for (const auto& i : *interfaces)
        if (i.network == network && !i.target.empty())
          out.push_back(DomainPort{network, i.target, i.mac, i.portgroup, name ? name : "", uuid, i.portid});
    virDomainFree(domains[i]);
  }
  free(domains);
  return out;
}

namespace {

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string network_port_xml(const DomainPort& p, const std::string& bridge) {
  std::string xml = "<networkport>\n  <uuid>" + escaped(p.port_uuid) + "</uuid>\n  <owner>\n    <name>" + escaped(p.domain) +
                    "</name>\n    <uuid>" + escaped(p.domain_uuid) + "</uuid>\n  </owner>\n  <mac address='" + escaped(p.mac) +
                    "'/>\n";
  if (!p.portgroup.empty()) xml += "  <group>" + escaped(p.portgroup) + "</group>\n";
  return xml + "  <plug type='network' bridge='" + escaped(bridge) + "'/>\n</networkport>\n";
}

}  // namespace hostnet::libvirt

// Canonical formatting: element order, attribute order and defaults as libvirt's own
// virNetworkDefFormatBuf prints them, so `net-dumpxml` output is interchangeable with virsh's.
#include <cstdio>

#include "xml/network_xml.h"
#include "xml/port_forward.h"
#include "xml/xml_writer.h"

namespace hostnet::xml {

namespace {

const char* yes_no(bool b) { return b ? "yes" : "no"; }

void format_lease(XmlWriter& w, const Lease& lease) {
  w.open("lease").attr("expiry", lease.expiry);
  if (lease.expiry != 0) w.attr_always("unit", lease.unit.empty() ? "minutes" : lease.unit);
  w.close_empty();
}

void format_vlan(XmlWriter& w, const std::optional<VlanDef>& vlan) {
  if (!vlan || vlan->tags.empty()) return;
  w.open("vlan");
  if (vlan->trunk.value_or(false)) w.attr("trunk", "yes");
  w.close_open();
  for (const auto& tag : vlan->tags) w.open("tag").attr("id", tag.id).attr("nativeMode", tag.native_mode).close_empty();
  w.end("vlan");
}

void format_rate(XmlWriter& w, const char* name, const std::optional<BandwidthRate>& rate) {
  if (!rate) return;
  w.open(name);
  if (rate->average) w.attr("average", *rate->average);
  if (rate->peak) w.attr("peak", *rate->peak);
  if (rate->floor) w.attr("floor", *rate->floor);
  if (rate->burst) w.attr("burst", *rate->burst);
  w.close_empty();
}

void format_bandwidth(XmlWriter& w, const std::optional<BandwidthDef>& bw) {
  if (!bw || (!bw->inbound && !bw->outbound)) return;
  w.open("bandwidth").close_open();
  format_rate(w, "inbound", bw->inbound);
  format_rate(w, "outbound", bw->outbound);
  w.end("bandwidth");
}

void format_virtualport(XmlWriter& w, const std::optional<VirtualPortDef>& vp) {
  if (!vp) return;
  w.open("virtualport").attr("type", vp->type);
  if (vp->parameters.empty()) {
    w.close_empty();
    return;
  }
  w.close_open();
  w.open("parameters");
  for (const auto& [k, v] : vp->parameters) w.attr(k, v);
  w.close_empty();
  w.end("virtualport");
}

void format_nat(XmlWriter& w, const NatDef& nat) {
  bool ranges = nat.address || nat.port;
  if (!ranges && !nat.ipv6) return;
  w.open("nat");
  if (nat.ipv6) w.attr("ipv6", yes_no(*nat.ipv6));
  if (!ranges) {
    w.close_empty();
    return;
  }
  w.close_open();
  if (nat.address) w.open("address").attr("start", nat.address->start).attr("end", nat.address->end).close_empty();
  if (nat.port) {
    w.open("port").attr("start", nat.port->start);
    if (nat.port->end) w.attr("end", nat.port->end);
    w.close_empty();
  }
  w.end("nat");
}

void format_forward(XmlWriter& w, const NetworkDef& def, unsigned flags) {
  const auto& f = def.forward;
  if (f.mode == ForwardMode::None) return;
  bool live = !(flags & kFormatInactive);
  w.open("forward");
  if (f.pfs.empty() && !f.interfaces.empty()) w.attr("dev", f.interfaces[0].dev);
  w.attr("mode", forward_mode_name(f.mode));
  if (f.mode == ForwardMode::Hostdev) w.attr("managed", f.managed.value_or(false) ? "yes" : "no");
  bool nat_body = f.mode == ForwardMode::Nat && f.nat && (f.nat->address || f.nat->port || f.nat->ipv6);
  bool driver = !f.driver_name.empty() || !f.driver_model.empty();
  bool has_body = !f.interfaces.empty() || !f.pfs.empty() || !f.pci_addresses.empty() || driver ||
                  (f.nat && (f.nat->address || f.nat->port || f.nat->ipv6));
  if (!has_body) {
    w.close_empty();
    return;
  }
  w.close_open();
  // As libvirt 10.0 formats it (virDeviceHostdevPCIDriverInfoFormat): name, then model, each only
  // when set. libvirt 9.0 ignores model at define time, so its net-dumpxml never shows one.
  if (driver) w.open("driver").attr("name", f.driver_name).attr("model", f.driver_model).close_empty();
  if (nat_body) format_nat(w, *f.nat);
  if (!f.pfs.empty()) w.open("pf").attr("dev", f.pfs[0]).close_empty();
  if (f.pfs.empty() || live) {
    for (const auto& i : f.interfaces) {
      w.open("interface").attr("dev", i.dev);
      if (live && i.connections && *i.connections > 0) w.attr("connections", *i.connections);
      w.close_empty();
    }
  }
  for (const auto& pci : f.pci_addresses) {
    char dom[16], bus[8], slot[8], fn[8];
    std::snprintf(dom, sizeof dom, "0x%04x", pci.domain);
    std::snprintf(bus, sizeof bus, "0x%02x", pci.bus);
    std::snprintf(slot, sizeof slot, "0x%02x", pci.slot);
    std::snprintf(fn, sizeof fn, "0x%x", pci.function);
    w.open("address").attr("type", "pci").attr("domain", dom).attr("bus", bus).attr("slot", slot).attr("function", fn);
    w.close_empty();
  }
  w.end("forward");
}

void format_bridge(XmlWriter& w, const NetworkDef& def) {
  bool own = def.creates_bridge();
  if (!own && def.bridge.name.empty() && def.bridge.mac_table_manager.empty()) return;
  w.open("bridge").attr("name", def.bridge.name).attr("zone", def.bridge.zone);
  // libvirt fills in stp on and delay 0 for the modes that make their own bridge.
  if (own) w.attr("stp", def.bridge.stp.value_or(true) ? "on" : "off").attr("delay", def.bridge.delay.value_or(0));
  w.attr("macTableManager", def.bridge.mac_table_manager);
  w.close_empty();
}

void format_dns(XmlWriter& w, const DnsDef& dns) {
  bool body = !dns.forwarders.empty() || !dns.hosts.empty() || !dns.srvs.empty() || !dns.txts.empty();
  if (!body && !dns.enable && !dns.forward_plain_names) return;
  w.open("dns");
  if (dns.enable) w.attr("enable", yes_no(*dns.enable));
  if (dns.forward_plain_names) w.attr("forwardPlainNames", yes_no(*dns.forward_plain_names));
  if (!body) {
    w.close_empty();
    return;
  }
  w.close_open();
  for (const auto& f : dns.forwarders) w.open("forwarder").attr("domain", f.domain).attr("addr", f.addr).close_empty();
  for (const auto& t : dns.txts) w.open("txt").attr_always("name", t.name).attr_always("value", t.value).close_empty();
  for (const auto& s : dns.srvs) {
    w.open("srv").attr_always("service", s.service).attr_always("protocol", s.protocol);
    w.attr("domain", s.domain).attr("target", s.target);
    // libvirt omits zero values.
    if (s.port.value_or(0)) w.attr("port", *s.port);
    if (s.priority.value_or(0)) w.attr("priority", *s.priority);
    if (s.weight.value_or(0)) w.attr("weight", *s.weight);
    w.close_empty();
  }
  for (const auto& h : dns.hosts) {
    w.open("host").attr("ip", h.ip).close_open();
    for (const auto& name : h.hostnames) w.text_element("hostname", name);
    w.end("host");
  }
  w.end("dns");
}

void format_ip(XmlWriter& w, const IpDef& ip) {
  w.open("ip").attr("family", ip.family).attr("address", ip.address.str()).attr("netmask", ip.netmask);
  if (ip.prefix && *ip.prefix > 0) w.attr("prefix", *ip.prefix);
  if (ip.local_ptr) w.attr("localPtr", yes_no(*ip.local_ptr));
  // libvirt always writes <ip> open and closed, even when empty.
  w.close_open();
  if (!ip.tftp_root.empty()) w.open("tftp").attr("root", ip.tftp_root).close_empty();
  if (ip.dhcp && (!ip.dhcp->ranges.empty() || !ip.dhcp->hosts.empty())) {
    w.open("dhcp").close_open();
    for (const auto& r : ip.dhcp->ranges) {
      w.open("range").attr("start", r.start).attr("end", r.end);
      if (!r.lease) {
        w.close_empty();
        continue;
      }
      w.close_open();
      format_lease(w, *r.lease);
      w.end("range");
    }
    for (const auto& h : ip.dhcp->hosts) {
      w.open("host").attr("mac", h.mac).attr("id", h.id).attr("name", h.name).attr("ip", h.ip);
      if (!h.lease) {
        w.close_empty();
        continue;
      }
      w.close_open();
      format_lease(w, *h.lease);
      w.end("host");
    }
    if (ip.dhcp->bootp) w.open("bootp").attr("file", ip.dhcp->bootp->file).attr("server", ip.dhcp->bootp->server).close_empty();
    w.end("dhcp");
  }
  w.end("ip");
}

void format_route(XmlWriter& w, const RouteDef& r) {
  w.open("route").attr("family", r.family).attr("address", r.address).attr("netmask", r.netmask);
  if (r.prefix) w.attr("prefix", *r.prefix);
  w.attr("gateway", r.gateway);
  if (r.metric) w.attr("metric", *r.metric);
  w.close_empty();
}

void format_portgroup(XmlWriter& w, const PortGroupDef& pg) {
  w.open("portgroup").attr_always("name", pg.name);
  if (pg.is_default) w.attr("default", "yes");
  if (pg.trust_guest_rx_filters) w.attr("trustGuestRxFilters", yes_no(*pg.trust_guest_rx_filters));
  w.close_open();
  format_vlan(w, pg.vlan);
  format_virtualport(w, pg.virtualport);
  format_bandwidth(w, pg.bandwidth);
  w.end("portgroup");
}

void format_hostnet_element(XmlWriter& w, const NetworkDef& def) {
  const MetadataDef& m = def.metadata;
  auto qualified = [&](const char* local) {
    return m.hostnet_prefix.empty() ? std::string(local) : m.hostnet_prefix + ":" + local;
  };
  // The element declares its namespace unless it or <metadata> already does: one hostnet adds
  // (forwards given through the API) or one whose declaration libvirt moved onto <metadata>.
  std::string attributes = m.hostnet_attributes;
  std::string declaration = std::string(m.hostnet_prefix.empty() ? " xmlns" : " xmlns:" + m.hostnet_prefix) + "=\"" +
                            kHostnetNamespace + "\"";
  if ((attributes + m.attributes).find(declaration) == std::string::npos) attributes = declaration + attributes;
  // Double quotes, as libvirt prints everything inside <metadata>.
  w.raw("    <" + qualified("network") + attributes + ">\n");
  for (const auto& f : def.port_forwards) {
    std::string line = "      <" + qualified("forward") + " proto=\"" + f.proto + "\"";
    if (!f.host_address.empty()) line += " address=\"" + f.host_address + "\"";
    line += " port=\"" + format_port_range(f) + "\" to=\"" + f.target + "\"";
    if (f.target_port) line += " to-port=\"" + std::to_string(f.target_port) + "\"";
    w.raw(line + "/>\n");
  }
  for (const auto& t : def.tunnels) {
    std::string line = "      <" + qualified("tunnel") + " type=\"" + t.type + "\" remote=\"" + t.remote + "\" key=\"" +
                       std::to_string(t.key) + "\"";
    if (t.dst_port) line += " dst-port=\"" + std::to_string(t.dst_port) + "\"";
    w.raw(line + "/>\n");
  }
  if (!def.backend.empty()) w.raw("      <" + qualified("backend") + " name=\"" + def.backend + "\"/>\n");
  for (const auto& u : def.uplinks) {
    std::string line = "      <" + qualified("uplink") + " type=\"" + u.type + "\"";
    if (!u.name.empty()) line += " name=\"" + u.name + "\"";
    line += " devargs=\"" + u.devargs + "\"";
    if (u.rx_queues) line += " rx-queues=\"" + std::to_string(u.rx_queues) + "\"";
    w.raw(line + "/>\n");
  }
  if (def.libvirt.register_network)
    w.raw("      <" + qualified("libvirt") + " register=\"" + (*def.libvirt.register_network ? "yes" : "no") + "\"/>\n");
  if (def.libvirt.is_registration) w.raw("      <" + qualified("registration") + "/>\n");
  if (def.openflow) {
    const auto& of = *def.openflow;
    std::string line = "      <" + qualified("openflow");
    if (!of.fail_mode.empty()) line += " fail-mode=\"" + of.fail_mode + "\"";
    if (!of.protocols.empty()) {
      std::string list;
      for (const auto& p : of.protocols) list += (list.empty() ? "" : ",") + p;
      line += " protocols=\"" + list + "\"";
    }
    if (of.controllers.empty()) {
      w.raw(line + "/>\n");
    } else {
      w.raw(line + ">\n");
      // Targets are checked to hold no quote, '<' or '&' (xml/parse_hostnet_metadata.cc).
      for (const auto& c : of.controllers) w.raw("        <" + qualified("controller") + " target=\"" + c + "\"/>\n");
      w.raw("      </" + qualified("openflow") + ">\n");
    }
  }
  w.raw("    </" + qualified("network") + ">\n");
}

void format_metadata(XmlWriter& w, const NetworkDef& def) {
  const MetadataDef& m = def.metadata;
  bool hostnet = !def.port_forwards.empty() || !def.tunnels.empty() || !def.uplinks.empty() ||
                 def.libvirt != LibvirtDef{} || !def.backend.empty() || def.openflow;
  bool others = !m.before_hostnet.empty() || !m.after_hostnet.empty();
  if (!hostnet && !others) {
    if (m.given_empty) {
      w.open("metadata").raw(m.attributes);
      w.close_empty();
    }
    return;
  }
  w.open("metadata").raw(m.attributes);
  w.close_open();
  w.raw(m.before_hostnet);
  if (hostnet) format_hostnet_element(w, def);
  w.raw(m.after_hostnet);
  w.end("metadata");
}

}  // namespace

std::string format_network(const NetworkDef& def, unsigned flags) {
  XmlWriter w;
  w.open("network");
  if (!(flags & kFormatInactive) && def.connections.value_or(0) > 0) w.attr("connections", *def.connections);
  if (def.ipv6) w.attr("ipv6", "yes");
  if (def.trust_guest_rx_filters) w.attr("trustGuestRxFilters", yes_no(*def.trust_guest_rx_filters));
  w.close_open();
  w.text_element("name", def.name);
  if (def.uuid) w.text_element("uuid", def.uuid->str());
  w.text_element("title", def.title);
  w.text_element("description", def.description);
  format_metadata(w, def);
  format_forward(w, def, flags);
  format_bridge(w, def);
  if (def.mtu) w.open("mtu").attr("size", *def.mtu).close_empty();
  if (def.mac) w.open("mac").attr("address", format_mac(*def.mac)).close_empty();
  if (!def.domain_name.empty()) {
    w.open("domain").attr("name", def.domain_name);
    if (def.domain_local_only) w.attr("localOnly", yes_no(*def.domain_local_only));
    w.close_empty();
  }
  format_dns(w, def.dns);
  format_vlan(w, def.vlan);
  format_bandwidth(w, def.bandwidth);
  if (def.port_isolated) w.open("port").attr("isolated", yes_no(*def.port_isolated)).close_empty();
  for (const auto& ip : def.ips) format_ip(w, ip);
  for (const auto& r : def.routes) format_route(w, r);
  format_virtualport(w, def.virtualport);
  for (const auto& pg : def.portgroups) format_portgroup(w, pg);
  w.end("network");
  return w.take();
}

}  // namespace hostnet::xml

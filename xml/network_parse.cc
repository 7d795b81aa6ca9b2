// The document as a whole: <network> and its direct children, then the checks that tie the
// parts together (which settings each forward mode allows). Unknown elements are ignored, as
// libvirt ignores them, so XML written for a newer libvirt still loads.
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "common/utf8.h"
#include "xml/ip_address.h"
#include "xml/network_xml.h"
#include "xml/parse_context.h"

namespace hostnet::xml {

using namespace detail;

namespace {

bool own_bridge_mode(ForwardMode m) {
  return m == ForwardMode::None || m == ForwardMode::Nat || m == ForwardMode::Route || m == ForwardMode::Open;
}

Result<void> parse_bridge(const XMLElement* e, NetworkDef& def) {
  def.bridge.name = attr(e, "name");
  if (has_attr(e, "name"))
    if (auto r = check_interface_name(def.bridge.name); !r) return bad(e, "name", r.error().message);
  def.bridge.zone = attr(e, "zone");
  if (auto r = check_plain_text(e, "zone", def.bridge.zone); !r) return r;
  if (has_attr(e, "stp")) {
    std::string stp = attr(e, "stp");
    if (stp != "on" && stp != "off") return bad(e, "stp", "must be 'on' or 'off'");
    def.bridge.stp = stp == "on";
  }
  auto delay = number(e, "delay", 0, 30);  // the kernel's bridge forward delay tops out at 30 s
  if (!delay) return tl::unexpected(delay.error());
  if (*delay) def.bridge.delay = static_cast<unsigned>(**delay);
  def.bridge.mac_table_manager = attr(e, "macTableManager");
  if (has_attr(e, "macTableManager") && def.bridge.mac_table_manager != "kernel" &&
      def.bridge.mac_table_manager != "libvirt")
    return bad(e, "macTableManager", "must be 'kernel' or 'libvirt'");
  return {};
}

// What libvirt refuses to combine with each forward mode.
Result<void> check_mode_settings(const XMLElement* root, const NetworkDef& def) {
  const char* mode = forward_mode_name(def.forward.mode);
  const XMLElement* fwd = root->FirstChildElement("forward");
  const XMLElement* bridge = root->FirstChildElement("bridge");
  switch (def.forward.mode) {
    case ForwardMode::None:
      break;
    case ForwardMode::Nat:
    case ForwardMode::Route:
    case ForwardMode::Open:
      if (def.ips.empty())
        return bad(fwd, "mode", std::string(mode) + " forwarding needs at least one <ip> address for the network");
      if (def.forward.interfaces.size() > 1)
        return bad(fwd, "", "only one forwarding interface is supported in mode " + std::string(mode));
      if (def.forward.mode == ForwardMode::Open && !def.forward.interfaces.empty())
        return bad(fwd, "dev", "an open network cannot restrict where traffic goes: no forward dev allowed");
      break;
    case ForwardMode::Private:
    case ForwardMode::Vepa:
    case ForwardMode::Passthrough:
    case ForwardMode::Hostdev:
      if (bridge && (has_attr(bridge, "name") || has_attr(bridge, "zone") || has_attr(bridge, "macTableManager")))
        return bad(bridge, "", std::string("no bridge settings are allowed in mode ") + mode);
      [[fallthrough]];
    case ForwardMode::Bridge:
      if (bridge && (has_attr(bridge, "stp") || has_attr(bridge, "delay") || has_attr(bridge, "zone")))
        return bad(bridge, "", std::string("stp, delay and zone are only allowed in nat, route, open and isolated "
                                           "networks, not in mode ") + mode);
      if (!def.bridge.name.empty() && (!def.forward.interfaces.empty() || !def.forward.pfs.empty()))
        return bad(bridge, "name", std::string("mode ") + mode + " takes a bridge name or a forward dev, not both");
      if (def.forward.mode == ForwardMode::Bridge && def.bridge.name.empty() && def.forward.interfaces.empty() &&
          def.forward.pfs.empty() && !def.virtualport)
        return bad(fwd, "mode", "mode bridge needs a <bridge name=...> or a forward <interface>");
      break;
  }
  if (def.mtu && !own_bridge_mode(def.forward.mode))
    return bad(root->FirstChildElement("mtu"), "size",
               std::string("an mtu is only allowed in nat, route, open and isolated networks, not in mode ") + mode);
  return {};
}

Result<NetworkDef> parse_root(const XMLElement* root) {
  NetworkDef def;
  const XMLElement* name = root->FirstChildElement("name");
  def.name = text_of(name);
  if (!name) return bad(root, "", "missing <name>");
  if (auto r = check_network_name(def.name); !r) return bad(name, "", r.error().message);

  if (const auto* u = root->FirstChildElement("uuid")) {
    auto uuid = parse_uuid(text_of(u));
    if (!uuid) return bad(u, "", "'" + text_of(u) + "' is not a UUID");
    def.uuid = *uuid;
  }
  if (const auto* t = root->FirstChildElement("title")) {
    def.title = text_of(t);
    if (def.title.find('\n') != std::string::npos) return bad(t, "", "a title cannot contain newlines");
  }
  def.description = text_of(root->FirstChildElement("description"));
  def.metadata = read_metadata(root->FirstChildElement("metadata"));

  auto ipv6 = yes_no(root, "ipv6");
  if (!ipv6) return tl::unexpected(ipv6.error());
  def.ipv6 = ipv6->value_or(false);
  auto trust = yes_no(root, "trustGuestRxFilters");
  if (!trust) return tl::unexpected(trust.error());
  def.trust_guest_rx_filters = *trust;
  auto connections = number(root, "connections", 0, 4294967295ull);
  if (!connections) return tl::unexpected(connections.error());
  if (*connections) def.connections = static_cast<unsigned>(**connections);

  if (const auto* d = root->FirstChildElement("domain")) {
    def.domain_name = attr(d, "name");
    if (auto r = check_plain_text(d, "name", def.domain_name); !r) return tl::unexpected(r.error());
    if (def.domain_name.find_first_of(" ,/#") != std::string::npos)
      return bad(d, "name", "not a valid DNS domain name");
    auto local = yes_no(d, "localOnly");
    if (!local) return tl::unexpected(local.error());
    def.domain_local_only = *local;
  }
  if (const auto* b = root->FirstChildElement("bandwidth")) {
    auto bw = parse_bandwidth(b);
    if (!bw) return tl::unexpected(bw.error());
    def.bandwidth = *bw;
  }
  if (const auto* v = root->FirstChildElement("vlan")) {
    auto vlan = parse_vlan(v);
    if (!vlan) return tl::unexpected(vlan.error());
    def.vlan = *vlan;
  }
  if (const auto* p = root->FirstChildElement("port")) {
    auto isolated = yes_no(p, "isolated");
    if (!isolated) return tl::unexpected(isolated.error());
    def.port_isolated = *isolated;
  }
  if (const auto* b = root->FirstChildElement("bridge"))
    if (auto r = parse_bridge(b, def); !r) return tl::unexpected(r.error());
  if (const auto* m = root->FirstChildElement("mac")) {
    auto mac = parse_mac(attr(m, "address"));
    if (!mac) return bad(m, "address", "not a MAC address");
    if ((*mac)[0] & 1) return bad(m, "address", "a multicast MAC address cannot be a bridge's");
    def.mac = *mac;
  }
  if (const auto* m = root->FirstChildElement("mtu")) {
    auto size = number(m, "size", 68, 65535);
    if (!size) return tl::unexpected(size.error());
    if (!*size) return bad(m, "", "missing required attribute 'size'");
    def.mtu = static_cast<unsigned>(**size);
  }
  if (const auto* d = root->FirstChildElement("dns"))
    if (auto r = parse_dns(d, def); !r) return tl::unexpected(r.error());
  if (const auto* vp = root->FirstChildElement("virtualport")) {
    auto port = parse_virtualport(vp, true);
    if (!port) return tl::unexpected(port.error());
    def.virtualport = *port;
  }
  for (const auto* pg : children(root, "portgroup")) {
    auto group = parse_portgroup(pg);
    if (!group) return tl::unexpected(group.error());
    for (const auto& other : def.portgroups) {
      if (other.name == group->name) return bad(pg, "name", "two portgroups have this name");
      if (other.is_default && group->is_default) return bad(pg, "default", "only one portgroup can be the default");
    }
    def.portgroups.push_back(std::move(*group));
  }
  for (const auto* ip : children(root, "ip"))
    if (auto r = parse_ip_element(ip, def); !r) return tl::unexpected(r.error());
  for (const auto* route : children(root, "route"))
    if (auto r = parse_route(route, def); !r) return tl::unexpected(r.error());
  if (const auto* f = root->FirstChildElement("forward"))
    if (auto r = parse_forward(f, def); !r) return tl::unexpected(r.error());
  if (auto r = check_mode_settings(root, def); !r) return tl::unexpected(r.error());
  if (auto r = parse_hostnet_metadata(root->FirstChildElement("metadata"), def); !r) return tl::unexpected(r.error());
  return def;
}

// libvirt's own limit for a string in one call (VIR_NET_MESSAGE_STRING_MAX): no XML virsh can
// send is bigger, and a define that size is refused before it is parsed or stored.
constexpr std::size_t kMaxNetworkXml = 4 * 1024 * 1024;

}  // namespace

Result<NetworkDef> parse_network(std::string_view text) {
  if (text.size() > kMaxNetworkXml)
    return fail(Errc::InvalidXML, "the network XML is " + std::to_string(text.size()) + " bytes; the limit is " +
                                      std::to_string(kMaxNetworkXml) + " (4 MiB)");
  if (auto at = invalid_utf8_at(text); at != std::string_view::npos) {
    auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    return fail(Errc::InvalidXML, "line " + std::to_string(line) + ": not valid UTF-8 (byte " + std::to_string(at) +
                                      " of the document)");
  }
  tinyxml2::XMLDocument doc;
  if (doc.Parse(text.data(), text.size()) != tinyxml2::XML_SUCCESS) {
    // tinyxml2 says "XML_ERROR_MISMATCHED_ELEMENT ... Line number=2: XMLElement name=bridge";
    // keep the words and the detail, drop the codes.
    std::string kind = doc.ErrorName();
    if (kind.rfind("XML_ERROR_", 0) == 0) kind = kind.substr(10);
    for (auto& c : kind) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string detail = doc.ErrorStr() ? doc.ErrorStr() : "";
    if (auto colon = detail.find(": "); colon != std::string::npos) detail = detail.substr(colon + 2);
    else detail.clear();
    return fail(Errc::InvalidXML, "line " + std::to_string(doc.ErrorLineNum()) + ": malformed XML: " + kind +
                                      (detail.empty() ? "" : " (" + detail + ")"));
  }
  const XMLElement* root = doc.RootElement();
  if (!root) return fail(Errc::InvalidXML, "line 1: empty document: expected <network>");
  if (std::string(root->Name()) != "network")
    return bad(root, "", "the root element must be <network>, not <" + std::string(root->Name()) + ">");
  return parse_root(root);
}

}  // namespace hostnet::xml

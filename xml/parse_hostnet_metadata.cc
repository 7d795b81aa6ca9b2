// hostnet's own element in <metadata>:
//   <hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
//     <hostnet:forward proto="tcp" port="8080" to="192.168.122.10" to-port="80"/>
//     <hostnet:tunnel type="vxlan" remote="192.0.2.2" key="42" dst-port="4789"/>
//     <hostnet:backend name="ovs-dpdk"/>
//     <hostnet:uplink type="dpdk" devargs="net_af_packet0,iface=eth1" name="dpdk0" rx-queues="1"/>
//     <hostnet:libvirt register="no"/>
//     <hostnet:registration/>
//     <hostnet:openflow fail-mode="secure" protocols="OpenFlow13">
//       <hostnet:controller target="tcp:127.0.0.1:6653"/>
//     </hostnet:openflow>
//   </hostnet:network>
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <sys/socket.h>

#include "xml/ip_address.h"
#include "xml/parse_context.h"
#include "xml/port_forward.h"

namespace hostnet::xml::detail {

namespace {

std::string local_name(const char* name) {
  std::string n = name;
  auto colon = n.find(':');
  return colon == std::string::npos ? n : n.substr(colon + 1);
}

bool parse_port(const std::string& text, unsigned& out) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  out = static_cast<unsigned>(std::strtoul(text.c_str(), nullptr, 10));
  return true;
}

Result<TunnelDef> parse_tunnel(const XMLElement* e, const NetworkDef& def) {
  TunnelDef t;
  t.type = attr(e, "type");
  if (t.type != "vxlan" && t.type != "gre" && t.type != "geneve") return bad(e, "type", "must be vxlan, gre or geneve");
  t.remote = attr(e, "remote");
  if (!parse_ip(t.remote, AF_INET)) return bad(e, "remote", "not an IPv4 address");
  std::string key = attr(e, "key");
  unsigned long max_key = t.type == "gre" ? 0xffffffffUL : 0xffffffUL;
  if (key.empty() || key.size() > 10 || key.find_first_not_of("0123456789") != std::string::npos ||
      std::strtoul(key.c_str(), nullptr, 10) > max_key)
    return bad(e, "key", t.type == "gre" ? "not a 32-bit GRE key" : "not a 24-bit VNI (0..16777215)");
  t.key = static_cast<unsigned>(std::strtoul(key.c_str(), nullptr, 10));
  if (has_attr(e, "dst-port")) {
    if (t.type == "gre") return bad(e, "dst-port", "GRE has no port");
    if (!parse_port(attr(e, "dst-port"), t.dst_port) || t.dst_port == 0 || t.dst_port > 65535)
      return bad(e, "dst-port", "not a port");
  }
  for (const auto& other : def.tunnels)
    if (other.remote == t.remote && other.type == t.type && other.key == t.key)
      return bad(e, "", "a second tunnel with the same type, remote and key");
  return t;
}

// DPDK device arguments go into OVSDB and vswitchd's EAL as one string: printable ASCII without
// spaces or quotes (a PCI address, or "net_xxx0,key=value,..."), as DPDK's own syntax has it.
bool plain_devargs(const std::string& s) {
  if (s.empty() || s.size() > 256) return false;
  for (unsigned char c : s)
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '&' || c == '\\') return false;
  return true;
}

bool plain_port_name(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

Result<UplinkDef> parse_uplink(const XMLElement* e, const NetworkDef& def) {
  UplinkDef u;
  u.type = attr(e, "type");
  if (u.type != "dpdk") return bad(e, "type", "must be dpdk (a port DPDK drives, named by its devargs)");
  u.devargs = attr(e, "devargs");
  if (!plain_devargs(u.devargs))
    return bad(e, "devargs", u.devargs.empty() ? "missing: DPDK's device arguments (a PCI address, or net_af_packet0,iface=DEV ...)"
                                               : "not DPDK device arguments (up to 256 printable characters, no spaces or quotes)");
  if (has_attr(e, "name")) {
    u.name = attr(e, "name");
    if (!plain_port_name(u.name)) return bad(e, "name", "not a port name (1-15 letters, digits, '-', '_', '.')");
  }
  auto queues = number(e, "rx-queues", 1, 1024);
  if (!queues) return tl::unexpected(queues.error());
  u.rx_queues = static_cast<unsigned>(queues->value_or(0));
  for (const auto& other : def.uplinks) {
    if (other.devargs == u.devargs) return bad(e, "devargs", "a second uplink on the same device");
    if (!u.name.empty() && other.name == u.name) return bad(e, "name", "a second uplink of that name");
  }
  return u;
}

// A controller target as OVS takes it for an active connection: tcp: or ssl: and an IP address
// (v6 in brackets; OVS resolves no names here) with an optional port, or unix: and an absolute
// socket path. Returns why not, or "".
std::string controller_target_problem(const std::string& target) {
  auto colon = target.find(':');
  std::string scheme = colon == std::string::npos ? "" : target.substr(0, colon);
  std::string rest = colon == std::string::npos ? "" : target.substr(colon + 1);
  if (scheme == "unix") {
    if (rest.empty() || rest[0] != '/' || rest.size() > 107) return "unix: needs an absolute socket path (up to 107 bytes)";
    for (unsigned char c : rest)
      if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == ',' || c == '<' || c == '>' || c == '&')
        return "unix: the socket path has a space, a quote, a comma, '<', '>', '&' or a control character";
    return "";
  }
  if (scheme != "tcp" && scheme != "ssl") return "must be tcp:IP[:PORT], ssl:IP[:PORT] or unix:PATH";
  std::string host = rest, port;
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return "an IPv6 address in brackets has no ']'";
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return "after ']' only ':PORT' may follow";
      port = rest.substr(close + 2);
      if (port.empty()) return "':' with no port after it";
    }
    if (!parse_ip(host, AF_INET6)) return "'" + host + "' is not an IPv6 address";
  } else {
    auto c = rest.find(':');
    if (c != std::string::npos) {
      host = rest.substr(0, c);
      port = rest.substr(c + 1);
      if (port.empty()) return "':' with no port after it";
    }
    if (!parse_ip(host, AF_INET)) return "'" + host + "' is not an IPv4 address (IPv6 goes in brackets; OVS takes no names)";
  }
  unsigned n = 0;
  if (!port.empty() && (!parse_port(port, n) || n == 0 || n > 65535)) return "'" + port + "' is not a port";
  return "";
}

constexpr const char* kOpenFlowVersions[] = {"OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13", "OpenFlow14",
                                             "OpenFlow15"};

Result<OpenFlowDef> parse_openflow(const XMLElement* e, const NetworkDef& def) {
  if (def.openflow) return bad(e, "", "a second <hostnet:openflow>: a bridge has one set of controllers");
  OpenFlowDef of;
  if (has_attr(e, "fail-mode")) {
    of.fail_mode = attr(e, "fail-mode");
    if (of.fail_mode != "secure" && of.fail_mode != "standalone") return bad(e, "fail-mode", "must be secure or standalone");
  }
  if (has_attr(e, "protocols")) {
    std::string list = attr(e, "protocols");
    for (size_t at = 0; at <= list.size();) {
      auto comma = list.find(',', at);
      std::string v = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      bool known = false;
      for (const char* k : kOpenFlowVersions) known = known || v == k;
      if (!known) return bad(e, "protocols", "'" + v + "' is not OpenFlow10, OpenFlow11, ... or OpenFlow15");
      if (std::find(of.protocols.begin(), of.protocols.end(), v) != of.protocols.end())
        return bad(e, "protocols", v + " twice");
      of.protocols.push_back(v);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  for (const auto* c = e->FirstChildElement(); c; c = c->NextSiblingElement()) {
    if (!is_hostnet_element(c) || local_name(c->Name()) != "controller")
      return bad(c, "", "<hostnet:openflow> holds only <hostnet:controller target=\"...\"/> elements");
    for (const auto* a = c->FirstAttribute(); a; a = a->Next())
      if (std::string(a->Name()) != "target") return bad(c, a->Name(), "unknown attribute (it has target)");
    if (c->FirstChildElement()) return bad(c->FirstChildElement(), "", "<hostnet:controller> has no child elements");
    std::string target = attr(c, "target");
    if (target.empty()) return bad(c, "target", "missing: where the controller listens (tcp:IP:PORT, ssl:IP:PORT, unix:PATH)");
    if (auto problem = controller_target_problem(target); !problem.empty()) return bad(c, "target", problem);
    if (std::find(of.controllers.begin(), of.controllers.end(), target) != of.controllers.end())
      return bad(c, "target", "a second controller at the same target");
    if (of.controllers.size() == 16) return bad(c, "", "more than 16 controllers");
    of.controllers.push_back(target);
  }
  return of;
}

// hostnet's namespace is its own: what it does not know is a mistake (a misspelt <hostnet:tunel>
// would otherwise leave out a tunnel the user asked for without a word), never ignored.
struct KnownElement {
  const char* name;
  std::initializer_list<const char*> attributes;
};
constexpr const char* kKnownList = "forward, tunnel, uplink, backend, libvirt, registration, openflow";
const KnownElement kKnown[] = {
    {"openflow", {"fail-mode", "protocols"}},  // its <controller> children are checked by parse_openflow
    {"forward", {"proto", "address", "port", "to", "to-port"}},
    {"tunnel", {"type", "remote", "key", "dst-port"}},
    {"uplink", {"type", "name", "devargs", "rx-queues"}},
    {"backend", {"name"}},
    {"libvirt", {"register"}},
    {"registration", {}},
};

Result<void> check_known(const XMLElement* e) {
  std::string name = local_name(e->Name());
  const KnownElement* known = nullptr;
  for (const auto& k : kKnown)
    if (name == k.name) known = &k;
  if (!known) return bad(e, "", std::string("not an element of hostnet's namespace (it has ") + kKnownList + ")");
  for (const auto* a = e->FirstAttribute(); a; a = a->Next()) {
    std::string attribute = a->Name();
    bool ok = attribute == "xmlns" || attribute.rfind("xmlns:", 0) == 0;
    for (const char* allowed : known->attributes) ok = ok || attribute == allowed;
    if (ok) continue;
    std::string list;
    for (const char* allowed : known->attributes) list += (list.empty() ? "" : ", ") + std::string(allowed);
    return bad(e, attribute, "unknown attribute" + (list.empty() ? std::string(": it has none") : " (it has " + list + ")"));
  }
  if (e->FirstChildElement() && name != "openflow")
    return bad(e->FirstChildElement(), "", "<" + std::string(e->Name()) + "> has no child elements");
  return {};
}

Result<void> check_top_attributes(const XMLElement* top) {
  for (const auto* a = top->FirstAttribute(); a; a = a->Next()) {
    std::string attribute = a->Name();
    if (attribute != "xmlns" && attribute.rfind("xmlns:", 0) != 0)
      return bad(top, attribute, "unknown attribute: hostnet's element has none but its namespace declaration");
  }
  return {};
}

}  // namespace

Result<void> parse_hostnet_metadata(const XMLElement* metadata, NetworkDef& def) {
  if (!metadata) return {};
  const XMLElement* top = nullptr;
  for (const auto* c = metadata->FirstChildElement(); c; c = c->NextSiblingElement()) {
    if (!is_hostnet_element(c)) continue;
    // libvirt keeps the first element of each namespace and drops the rest, so a second one would
    // be lost on the way through libvirt: refused rather than half applied.
    if (top) return bad(c, "", "a second hostnet element in <metadata>: put every forward and tunnel in the first");
    top = c;
  }
  const XMLElement* first_uplink = nullptr;
  if (top) {
    if (local_name(top->Name()) != "network")
      return bad(top, "", "hostnet's element in <metadata> is <hostnet:network>");
    if (auto r = check_top_attributes(top); !r) return r;
    for (const auto* e = top->FirstChildElement(); e; e = e->NextSiblingElement()) {
      if (auto r = check_known(e); !r) return r;
      if (local_name(e->Name()) == "tunnel") {
        auto t = parse_tunnel(e, def);
        if (!t) return tl::unexpected(t.error());
        def.tunnels.push_back(*t);
        continue;
      }
      if (local_name(e->Name()) == "uplink") {
        auto u = parse_uplink(e, def);
        if (!u) return tl::unexpected(u.error());
        def.uplinks.push_back(*u);
        if (!first_uplink) first_uplink = e;
        continue;
      }
      if (local_name(e->Name()) == "libvirt") {
        auto reg = yes_no(e, "register");
        if (!reg) return tl::unexpected(reg.error());
        def.libvirt.register_network = *reg;
        continue;
      }
      if (local_name(e->Name()) == "backend") {
        std::string name = attr(e, "name");
        if (name != "bridge" && name != "ovs" && name != "ovs-dpdk")
          return bad(e, "name", "must be bridge, ovs or ovs-dpdk");
        if (!def.backend.empty()) return bad(e, "", "a second <hostnet:backend>: a network has one switch");
        if (name == "bridge" && def.virtualport && def.virtualport->type == "openvswitch")
          return bad(e, "name", "'bridge' (the kernel bridge) with <virtualport type='openvswitch'/>: choose one");
        def.backend = name;
        continue;
      }
      if (local_name(e->Name()) == "openflow") {
        auto of = parse_openflow(e, def);
        if (!of) return tl::unexpected(of.error());
        def.openflow = std::move(*of);
        continue;
      }
      if (local_name(e->Name()) == "registration") {
        def.libvirt.is_registration = true;
        continue;
      }
      PortForward f;  // the last known element left
      f.proto = attr(e, "proto");
      f.host_address = attr(e, "address");
      f.target = attr(e, "to");
      std::string port = attr(e, "port");
      auto dash = port.find('-');
      if (!parse_port(port.substr(0, dash), f.port_start) ||
          (dash != std::string::npos ? !parse_port(port.substr(dash + 1), f.port_end) : !(f.port_end = f.port_start, true)))
        return bad(e, "port", "not a port or a port range");
      if (has_attr(e, "to-port") && !parse_port(attr(e, "to-port"), f.target_port))
        return bad(e, "to-port", "not a port");
      if (def.forward.mode != ForwardMode::Nat) return bad(e, "", "port forwards need a network with forward mode 'nat'");
      if (auto r = check_port_forward(f, def); !r) return bad(e, "", r.error().message);
      def.port_forwards.push_back(f);
    }
  }
  // Checked once every element is read: <hostnet:backend> may come after the uplinks.
  if (first_uplink && def.backend != "ovs-dpdk")
    return bad(first_uplink, "", "a DPDK uplink needs <hostnet:backend name=\"ovs-dpdk\"/> in the same element");
  if (first_uplink && !def.creates_bridge())
    return bad(first_uplink, "", std::string("forward mode '") + forward_mode_name(def.forward.mode) +
                                     "' uses a bridge hostnet does not make: an uplink is plugged only into a network's own bridge");
  return {};
}

}  // namespace hostnet::xml::detail

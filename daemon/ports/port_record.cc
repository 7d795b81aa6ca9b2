#include "daemon/ports/port_record.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <sstream>

#include "daemon/ports/port_request.h"
#include "xml/ip_address.h"

namespace hostnet {

namespace {

void line(std::string& out, const char* key, const std::string& value) {
  if (!value.empty()) out += std::string(key) + "=" + value + "\n";
}

// A number no larger than the field holding it: a wider one cast down would become another
// number (an owner uid of 2^32 + 1 read as uid 1; an ifindex read as negative, which no longer
// parses once written back — found by fuzz_port_record).
template <class Field>
Result<Field> number(const std::string& key, const std::string& value) {
  unsigned long v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size())
    return fail(Errc::InvalidArgument, "port record: " + key + "=" + value + ": not a number");
  if (v > static_cast<unsigned long>(std::numeric_limits<Field>::max()))
    return fail(Errc::InvalidArgument, "port record: " + key + "=" + value + ": out of range");
  return static_cast<Field>(v);
}

}  // namespace

std::string format_port_record(const Port& p) {
  const auto& s = p.settings;
  std::string out;
  line(out, "id", p.id);
  line(out, "network", p.network);
  line(out, "name", s.name);
  if (s.kind != "tap") line(out, "kind", s.kind);
  line(out, "ifindex", std::to_string(p.ifindex));
  line(out, "mac", xml::format_mac(s.mac));
  line(out, "queues", std::to_string(s.queues));
  if (s.owner) line(out, "owner", std::to_string(*s.owner));
  if (s.group) line(out, "group", std::to_string(*s.group));
  if (s.mtu) line(out, "mtu", std::to_string(*s.mtu));
  line(out, "portgroup", s.portgroup);
  if (s.vlan) {
    line(out, "vlan", format_vlan_option(*s.vlan));
    if (s.vlan->trunk) line(out, "trunk", "yes");
    if (s.vlan->native_tag) line(out, "native-vlan", std::to_string(*s.vlan->native_tag));
    if (s.vlan->native_tagged) line(out, "native-mode", "tagged");
  }
  if (s.isolated) line(out, "isolated", "yes");
  if (s.bandwidth && s.bandwidth->inbound) line(out, "inbound", format_rate_option(*s.bandwidth->inbound));
  if (s.bandwidth && s.bandwidth->outbound) line(out, "outbound", format_rate_option(*s.bandwidth->outbound));
  line(out, "interface-id", s.interface_id);
  line(out, "vm-uuid", s.vm_uuid);
  line(out, "vm-name", s.vm_name);
  line(out, "peer-port", s.peer_port);
  line(out, "ifb", p.ifb);
  line(out, "socket", p.socket);
  return out;
}

Result<Port> parse_port_record(const std::string& text) {
  Port p;
  auto& s = p.settings;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    if (l.empty()) continue;
    auto eq = l.find('=');
    if (eq == std::string::npos) return fail(Errc::InvalidArgument, "port record: line '" + l + "' has no '='");
    std::string key = l.substr(0, eq), value = l.substr(eq + 1);
    if (key == "id") p.id = value;
    else if (key == "network") p.network = value;
    else if (key == "name") s.name = value;
    else if (key == "kind") s.kind = value;
    else if (key == "ifb") p.ifb = value;
    else if (key == "socket") p.socket = value;
    else if (key == "portgroup") s.portgroup = value;
    else if (key == "interface-id") s.interface_id = value;
    else if (key == "vm-uuid") s.vm_uuid = value;
    else if (key == "vm-name") s.vm_name = value;
    else if (key == "peer-port") s.peer_port = value;
    else if (key == "isolated") s.isolated = value == "yes";
    else if (key == "mac") {
      auto mac = xml::parse_mac(value);
      if (!mac) return fail(Errc::InvalidArgument, "port record: mac=" + value + ": not a MAC");
      s.mac = *mac;
    } else if (key == "vlan" || key == "trunk" || key == "native-vlan" || key == "native-mode") {
      if (!s.vlan) s.vlan.emplace();
      if (key == "vlan") {
        std::istringstream tags(value);
        std::string t;
        while (std::getline(tags, t, ',')) {
          auto v = number<unsigned>(key, t);
          if (!v) return tl::unexpected(v.error());
          s.vlan->tags.push_back(*v);
        }
      } else if (key == "trunk") {
        s.vlan->trunk = value == "yes";
      } else if (key == "native-vlan") {
        auto v = number<unsigned>(key, value);
        if (!v) return tl::unexpected(v.error());
        s.vlan->native_tag = *v;
      } else {
        s.vlan->native_tagged = value == "tagged";
      }
    } else if (key == "inbound" || key == "outbound") {
      auto rate = parse_rate_option(key, value);
      if (!rate) return tl::unexpected(rate.error());
      if (!s.bandwidth) s.bandwidth.emplace();
      (key == "inbound" ? s.bandwidth->inbound : s.bandwidth->outbound) = *rate;
    } else if (key == "ifindex") {
      auto v = number<int>(key, value);
      if (!v) return tl::unexpected(v.error());
      p.ifindex = *v;
    } else if (key == "queues" || key == "mtu") {
      auto v = number<unsigned>(key, value);
      if (!v) return tl::unexpected(v.error());
      if (key == "queues") s.queues = *v;
      else s.mtu = *v;
    } else if (key == "owner" || key == "group") {
      auto v = number<std::uint32_t>(key, value);
      if (!v) return tl::unexpected(v.error());
      (key == "owner" ? s.owner : s.group) = *v;
    } else {
      return fail(Errc::InvalidArgument, "port record: unknown key '" + key + "'");
    }
  }
  if (p.id.empty() || p.network.empty() || s.name.empty())
    return fail(Errc::InvalidArgument, "port record: id, network and name are required");
  return p;
}

}  // namespace hostnet

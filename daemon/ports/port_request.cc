#include "daemon/ports/port_request.h"

#include <charconv>

#include "daemon/ports/tap_device.h"
#include "xml/ip_address.h"
#include "xml/network_xml.h"

namespace hostnet {

std::string port_alias(const Port& port) { return kPortAliasPrefix + port.id + ":" + port.network; }
std::string ifb_alias(const Port& port) { return kIfbAliasPrefix + port.id + ":" + port.network; }

namespace {

Result<std::uint32_t> parse_u32(const std::string& option, const std::string& text) {
  std::uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return fail(Errc::InvalidArgument, option + " '" + text + "': not a number");
  return v;
}

Result<bool> parse_bool(const std::string& option, const std::string& text) {
  if (text == "yes" || text == "true" || text == "1" || text == "on") return true;
  if (text == "no" || text == "false" || text == "0" || text == "off") return false;
  return fail(Errc::InvalidArgument, option + " '" + text + "': not yes or no");
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t pos = text.find(sep, start);
    out.push_back(text.substr(start, pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

Result<unsigned> check_vlan_id(unsigned id) {
  if (id < 1 || id > 4094) return fail(Errc::InvalidArgument, "vlan " + std::to_string(id) + ": a VLAN tag is 1..4094");
  return id;
}

Result<VlanSettings> vlan_from_request(const PortRequest& r) {
  VlanSettings v;
  for (const auto& part : split(*r.vlan, ',')) {
    auto id = parse_u32("vlan", part);
    if (!id) return tl::unexpected(id.error());
    if (auto ok = check_vlan_id(*id); !ok) return tl::unexpected(ok.error());
    v.tags.push_back(*id);
  }
  v.trunk = r.trunk.value_or(v.tags.size() > 1) || r.native_vlan.has_value();
  if (r.native_vlan) {
    if (auto ok = check_vlan_id(*r.native_vlan); !ok) return tl::unexpected(ok.error());
    v.native_tag = *r.native_vlan;
  }
  if (r.native_mode) {
    if (*r.native_mode != "tagged" && *r.native_mode != "untagged")
      return fail(Errc::InvalidArgument, "native-mode '" + *r.native_mode + "': tagged or untagged");
    if (!r.native_vlan) return fail(Errc::InvalidArgument, "native-mode needs native-vlan");
    v.native_tagged = *r.native_mode == "tagged";
  }
  return v;
}

// libvirt's <vlan>: several tags or trunk='yes' make a trunk; a tag with nativeMode is native.
VlanSettings vlan_from_def(const xml::VlanDef& def) {
  VlanSettings v;
  for (const auto& t : def.tags) {
    v.tags.push_back(t.id);
    if (!t.native_mode.empty()) {
      v.native_tag = t.id;
      v.native_tagged = t.native_mode == "tagged";
    }
  }
  v.trunk = def.trunk.value_or(false) || v.tags.size() > 1;
  return v;
}

const xml::PortGroupDef* find_portgroup(const xml::NetworkDef& def, const std::optional<std::string>& name) {
  for (const auto& pg : def.portgroups)
    if (name ? pg.name == *name : pg.is_default) return &pg;
  return nullptr;
}

}  // namespace

Result<xml::BandwidthRate> parse_rate_option(const std::string& option, const std::string& text) {
  auto parts = split(text, ',');
  if (parts.size() > 3) return fail(Errc::InvalidArgument, option + " '" + text + "': expected average[,peak[,burst]]");
  xml::BandwidthRate rate;
  std::optional<unsigned long long>* fields[] = {&rate.average, &rate.peak, &rate.burst};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty() && i > 0) continue;
    auto v = parse_u32(option, parts[i]);
    if (!v) return tl::unexpected(v.error());
    if (*v == 0) return fail(Errc::InvalidArgument, option + " '" + text + "': rates and bursts are above 0");
    *fields[i] = *v;
  }
  if (rate.peak && *rate.peak < *rate.average)
    return fail(Errc::InvalidArgument, option + " '" + text + "': peak is below average");
  return rate;
}

std::string format_rate_option(const xml::BandwidthRate& rate) {
  std::string out = std::to_string(rate.average.value_or(0));
  if (rate.peak || rate.burst) out += "," + (rate.peak ? std::to_string(*rate.peak) : std::string());
  if (rate.burst) out += "," + std::to_string(*rate.burst);
  return out;
}

std::string format_vlan_option(const VlanSettings& vlan) {
  std::string out;
  for (unsigned t : vlan.tags) out += (out.empty() ? "" : ",") + std::to_string(t);
  return out;
}

Result<void> set_request_option(PortRequest& r, const std::string& key, const std::string& value) {
  auto u32 = [&](std::optional<std::uint32_t>& field) -> Result<void> {
    auto v = parse_u32(key, value);
    if (!v) return tl::unexpected(v.error());
    field = *v;
    return {};
  };
  auto boolean = [&](std::optional<bool>& field) -> Result<void> {
    auto v = parse_bool(key, value);
    if (!v) return tl::unexpected(v.error());
    field = *v;
    return {};
  };
  if (key == "kind") r.kind = value;
  else if (key == "name") r.name = value;
  else if (key == "mac") r.mac = value;
  else if (key == "portgroup") r.portgroup = value;
  else if (key == "interface-id") r.interface_id = value;  // checked with the rest in resolve_port_request
  else if (key == "vm-uuid") r.vm_uuid = value;
  else if (key == "vlan") r.vlan = value;
  else if (key == "native-mode") r.native_mode = value;
  else if (key == "inbound") r.inbound = value;
  else if (key == "outbound") r.outbound = value;
  else if (key == "queues") return u32(r.queues);
  else if (key == "owner") return u32(r.owner);
  else if (key == "group") return u32(r.group);
  else if (key == "mtu") return u32(r.mtu);
  else if (key == "native-vlan") return u32(r.native_vlan);
  else if (key == "trunk") return boolean(r.trunk);
  else if (key == "isolated") return boolean(r.isolated);
  else return fail(Errc::InvalidArgument, "unknown port option '" + key + "'");
  return {};
}

Result<PortSettings> resolve_port_request(const PortRequest& r, const ResolveContext& ctx) {
  const auto& net = ctx.network;
  PortSettings s;
  const xml::PortGroupDef* pg = find_portgroup(net, r.portgroup);
  if (r.portgroup && !pg)
    return fail(Errc::NotFound, "portgroup '" + *r.portgroup + "' is not defined in network '" + net.name + "'");
  if (pg) s.portgroup = pg->name;

  s.kind = r.kind.value_or("tap");
  if (s.kind != "tap" && s.kind != "internal" && s.kind != "vhost-user")
    return fail(Errc::InvalidArgument, "kind '" + s.kind + "': tap, internal or vhost-user");
  if (s.kind == "vhost-user" && (r.inbound || r.outbound))
    return fail(Errc::InvalidArgument, "inbound/outbound: a vhost-user port has no device for tc to shape");
  if (s.kind == "internal") {
    // The switch makes the device and the host uses it: no queue fds to hand out or shape.
    if (r.queues && *r.queues != 1) return fail(Errc::InvalidArgument, "queues: an internal port has one, no queue fds");
    if (r.owner || r.group) return fail(Errc::InvalidArgument, "owner: an internal port has no fds to open");
    if (r.inbound || r.outbound) return fail(Errc::InvalidArgument, "inbound/outbound: internal ports are not shaped");
  }

  if (r.name) {
    if (auto ok = xml::check_interface_name(*r.name); !ok)
      return fail(Errc::InvalidArgument, "name '" + *r.name + "': " + ok.error().message);
    s.name = *r.name;
  }

  if (r.mac) {
    auto mac = xml::parse_mac(*r.mac);
    if (!mac) return fail(Errc::InvalidArgument, "mac '" + *r.mac + "': not a MAC address (expected xx:xx:xx:xx:xx:xx)");
    if ((*mac)[0] & 1)
      return fail(Errc::InvalidArgument, "mac '" + *r.mac + "': a multicast address cannot be a port's MAC");
    if (*mac == MacAddress{}) return fail(Errc::InvalidArgument, "mac '" + *r.mac + "': the all-zero MAC is not an address");
    s.mac = *mac;
  } else {
    s.mac = ctx.random_mac();
  }

  s.queues = r.queues.value_or(1);
  if (s.queues == 0 || s.queues > tap::kMaxQueues)
    return fail(Errc::InvalidArgument, "queues " + std::to_string(s.queues) + ": a tap has 1.." +
                                           std::to_string(tap::kMaxQueues) + " queues (the kernel's limit)");

  if (r.owner) {
    if (!ctx.uid_exists(*r.owner)) return fail(Errc::InvalidArgument, "owner " + std::to_string(*r.owner) + ": no such user");
    s.owner = r.owner;
  }
  if (r.group) {
    if (!ctx.gid_exists(*r.group)) return fail(Errc::InvalidArgument, "group " + std::to_string(*r.group) + ": no such group");
    s.group = r.group;
  }

  if (r.mtu) {
    if (*r.mtu < 68 || *r.mtu > 65535)
      return fail(Errc::InvalidArgument, "mtu " + std::to_string(*r.mtu) + ": an MTU is 68..65535");
    s.mtu = *r.mtu;
  } else {
    s.mtu = net.mtu;
  }

  if (r.vlan) {
    auto v = vlan_from_request(r);
    if (!v) return tl::unexpected(v.error());
    s.vlan = std::move(*v);
  } else if (r.native_vlan || r.native_mode || r.trunk) {
    return fail(Errc::InvalidArgument, "trunk, native-vlan and native-mode need vlan");
  } else if (pg && pg->vlan) {
    s.vlan = vlan_from_def(*pg->vlan);
  } else if (net.vlan) {
    s.vlan = vlan_from_def(*net.vlan);
  }

  s.isolated = r.isolated.value_or(net.port_isolated.value_or(false));

  if (pg && pg->bandwidth && s.kind == "tap") s.bandwidth = pg->bandwidth;  // vhost-user: no device to shape
  if (r.inbound || r.outbound) {
    if (!s.bandwidth) s.bandwidth.emplace();
    if (r.inbound) {
      auto rate = parse_rate_option("inbound", *r.inbound);
      if (!rate) return tl::unexpected(rate.error());
      s.bandwidth->inbound = *rate;
    }
    if (r.outbound) {
      auto rate = parse_rate_option("outbound", *r.outbound);
      if (!rate) return tl::unexpected(rate.error());
      s.bandwidth->outbound = *rate;
    }
  }
  if (s.bandwidth && !s.bandwidth->inbound && !s.bandwidth->outbound) s.bandwidth.reset();

  // Both go into OVSDB's external_ids and a line of the port's record: OVN and libvirt use UUIDs
  // and names; nothing that could start a new line or field.
  if (r.interface_id) {
    if (r.interface_id->empty() || r.interface_id->size() > 255 ||
        r.interface_id->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") != std::string::npos)
      return fail(Errc::InvalidArgument, "interface-id: 1..255 letters, digits, '.', '_', ':' or '-' (OVN's iface-id)");
    s.interface_id = *r.interface_id;
  }
  if (r.vm_uuid) {
    if (!xml::parse_uuid(*r.vm_uuid))
      return fail(Errc::InvalidArgument, "vm-uuid: not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
    s.vm_uuid = *r.vm_uuid;
  }
  if (pg && pg->virtualport && s.interface_id.empty())
    for (const auto& [k, v] : pg->virtualport->parameters)
      if (k == "interfaceid") s.interface_id = v;
  return s;
}

}  // namespace hostnet

#include "plugins/bridge/bridge_backend.h"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

#include "common/netlink/address.h"
#include "common/netlink/link.h"
#include "common/reverter.h"

namespace hostnet {

namespace {

constexpr const char* kTagPrefix = "hostnet:";

netlink::Address to_netlink(const IpAssignment& a) {
  netlink::Address out;
  out.family = a.family;
  out.bytes = a.address;
  out.prefix = a.prefix;
  return out;
}

netlink::BridgeParams params_for(const SwitchSpec& spec) {
  netlink::BridgeParams p;
  p.name = spec.name;
  p.stp = spec.stp;
  p.forward_delay_s = spec.forward_delay_s;
  p.mtu = spec.mtu;
  p.mac = spec.mac;
  p.alias = spec.owner_tag;
  return p;
}

// With STP on, the kernel raises a forward delay below 2 s to 2 s (and refuses to set one
// lower); compare against what it will actually hold, or every adoption would "fix" it.
unsigned effective_delay_cs(const SwitchSpec& spec) {
  unsigned cs = spec.forward_delay_s * 100;
  return spec.stp && cs < 200 ? 200 : cs;
}

std::string describe(const netlink::LinkInfo& l) {
  return "'" + l.name + "' (" + (l.kind.empty() ? std::string("device") : l.kind) +
         (l.alias.empty() ? std::string("") : ", alias '" + l.alias + "'") + ")";
}

}  // namespace

std::string tunnel_kind(const std::string& type) { return type == "gre" ? "gretap" : type; }

bool probe_vlan_filtering(netlink::RtnlSocket& sock) {
  std::random_device rd;
  char name[IFNAMSIZ];
  std::snprintf(name, sizeof name, "hnprobe%06x", rd() & 0xffffff);
  netlink::BridgeParams p;
  p.name = name;
  p.vlan_filtering = true;
  auto made = netlink::create_bridge(sock, p);
  if (!made) return false;
  (void)netlink::delete_link(sock, *made, name);
  return true;
}

std::unique_ptr<SwitchBackend> BridgeBackend::create(const PluginContext&) {
  BackendInfo info;
  info.name = "bridge";
  auto sock = netlink::RtnlSocket::open();
  if (!sock) {
    info.available = false;
    info.unavailable_reason = sock.error().message;
    return std::unique_ptr<SwitchBackend>(new BridgeBackend(std::nullopt, info));
  }
  info.capabilities = {cap::kStp, cap::kMtu, cap::kPortIsolation, cap::kHostBridge, cap::kPorts};
  if (probe_vlan_filtering(*sock)) info.capabilities.push_back(cap::kVlanFiltering);
  for (const char* type : {"vxlan", "gre", "geneve"})
    if (netlink::kernel_has_link_kind(*sock, tunnel_kind(type))) info.capabilities.push_back(cap::tunnel_capability(type));
  return std::unique_ptr<SwitchBackend>(new BridgeBackend(std::move(*sock), info));
}

Result<void> BridgeBackend::add_missing_addresses(const SwitchSpec& spec, int ifindex) {
  auto have = netlink::list_addresses(*sock_, ifindex);
  if (!have) return tl::unexpected(have.error());
  for (const auto& want : spec.addresses) {
    auto a = to_netlink(want);
    bool present = false;
    for (const auto& h : *have) present = present || h == a;
    if (present) continue;
    if (auto r = netlink::add_address(*sock_, ifindex, a, spec.name); !r) return r;
  }
  return {};
}

Result<SwitchState> BridgeBackend::adopt(const SwitchSpec& spec, int ifindex) {
  // Correct only what differs: rewriting STP or the MAC of a live bridge would disturb traffic.
  auto link = netlink::get_link(*sock_, spec.name);
  if (!link) return tl::unexpected(link.error());
  netlink::BridgeParams fix;
  fix.name = spec.name;
  bool needed = false;
  if ((*link)->stp_state && *(*link)->stp_state != (spec.stp ? 1u : 0u)) {
    fix.stp = spec.stp;
    needed = true;
  }
  if ((*link)->forward_delay_cs && *(*link)->forward_delay_cs != effective_delay_cs(spec)) {
    fix.forward_delay_s = effective_delay_cs(spec) / 100;
    needed = true;
  }
  if (spec.mtu && (*link)->mtu != *spec.mtu) {
    fix.mtu = spec.mtu;
    needed = true;
  }
  if (spec.mac && (*link)->mac != spec.mac) {
    fix.mac = spec.mac;
    needed = true;
  }
  if (needed)
    if (auto r = netlink::change_bridge(*sock_, ifindex, fix); !r) return tl::unexpected(r.error());
  if (auto r = add_missing_addresses(spec, ifindex); !r) return tl::unexpected(r.error());
  if (!(*link)->up())
    if (auto r = netlink::set_link_up(*sock_, ifindex, true, spec.name); !r) return tl::unexpected(r.error());
  Reverter undo;
  if (auto r = ensure_tunnels(spec, ifindex, undo); !r) return tl::unexpected(r.error());
  undo.commit();
  bridges_[spec.name] = ifindex;
  return SwitchState{spec.name, ifindex, spec.owner_tag, true, false};
}

Result<void> BridgeBackend::check_tunnels(const SwitchSpec& spec) const {
  for (const auto& t : spec.tunnels)
    if (!info_.has(cap::tunnel_capability(t.type)))
      return fail(Errc::Unsupported, "tunnel type '" + t.type + "': this kernel has no " + tunnel_kind(t.type) +
                                         " devices; an Open vSwitch network (<virtualport type='openvswitch'/>) "
                                         "tunnels in userspace");
  return {};
}

Result<void> BridgeBackend::ensure_tunnels(const SwitchSpec& spec, int bridge, Reverter& undo) {
  for (const auto& t : spec.tunnels) {
    std::string name = tunnel_port_name(spec.owner_tag, t);
    auto link = netlink::get_link(*sock_, name);
    if (!link) return tl::unexpected(link.error());
    netlink::LinkChange plug;
    plug.master = bridge;
    plug.up = true;
    if (*link) {
      if ((*link)->alias != spec.owner_tag)
        return fail(Errc::Conflict, "tunnel device name " + describe(**link) + " is taken by a device that is not hostnet's");
      if ((*link)->master != bridge || !(*link)->up())
        if (auto r = netlink::change_link(*sock_, (*link)->ifindex, plug, name); !r) return r;
      continue;
    }
    netlink::TunnelParams p{name, tunnel_kind(t.type), t.remote, t.key, t.dst_port};
    auto made = netlink::create_tunnel(*sock_, p);
    if (!made) return tl::unexpected(made.error());
    undo.add([this, i = *made, name] { (void)netlink::delete_link(*sock_, i, name); });
    plug.alias = spec.owner_tag;
    if (auto r = netlink::change_link(*sock_, *made, plug, name); !r) return r;
  }
  return {};
}

Result<SwitchState> BridgeBackend::ensure_switch(const SwitchSpec& spec) {
  if (!sock_) return fail(Errc::Unsupported, info_.unavailable_reason);
  if (auto r = check_tunnels(spec); !r) return tl::unexpected(r.error());
  if (!spec.uplinks.empty())
    return fail(Errc::Unsupported, "uplink " + spec.uplinks.front().name + ": DPDK uplinks need the ovs-dpdk backend");
  if (spec.openflow)
    return fail(Errc::Unsupported, "<hostnet:openflow>: the kernel bridge has no OpenFlow; OpenFlow controllers need "
                                   "an Open vSwitch network (<virtualport type='openvswitch'/> or <hostnet:backend name=\"ovs\"/>)");
  auto existing = netlink::get_link(*sock_, spec.name);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing) {
    const auto& l = **existing;
    if (l.alias != spec.owner_tag || l.kind != "bridge")
      return fail(Errc::Conflict, "device " + describe(l) + " already exists and is not hostnet's bridge for this network");
    return adopt(spec, l.ifindex);
  }

  Reverter undo;
  auto made = netlink::create_bridge(*sock_, params_for(spec));
  if (!made) return tl::unexpected(made.error());
  int ifindex = *made;
  undo.add([this, ifindex, name = spec.name] { (void)netlink::delete_link(*sock_, ifindex, name); });
  for (const auto& a : spec.addresses)
    if (auto r = netlink::add_address(*sock_, ifindex, to_netlink(a), spec.name); !r) return tl::unexpected(r.error());
  if (auto r = netlink::set_link_up(*sock_, ifindex, true, spec.name); !r) return tl::unexpected(r.error());
  if (auto r = ensure_tunnels(spec, ifindex, undo); !r) return tl::unexpected(r.error());
  undo.commit();
  bridges_[spec.name] = ifindex;
  return SwitchState{spec.name, ifindex, spec.owner_tag, true, true};
}

Result<void> BridgeBackend::delete_switch(const std::string& name, const std::string& owner_tag) {
  if (!sock_) return fail(Errc::Unsupported, info_.unavailable_reason);
  auto link = netlink::get_link(*sock_, name);
  if (!link) return tl::unexpected(link.error());
  if (!*link) return fail(Errc::NotFound, "bridge '" + name + "' does not exist");
  if ((*link)->alias != owner_tag)
    return fail(Errc::Conflict, "refusing to delete " + describe(**link) + ": not made by hostnet for this network");
  bridges_.erase(name);
  // Its tunnel devices would outlive it (a bridge's deletion only releases its ports).
  if (auto links = netlink::list_links(*sock_); links)
    for (const auto& l : *links)
      if (l.master == (*link)->ifindex && l.alias == owner_tag && l.name.starts_with("hnt"))
        (void)netlink::delete_link(*sock_, l.ifindex, l.name);
  return netlink::delete_link(*sock_, (*link)->ifindex, name);
}

Result<std::vector<SwitchState>> BridgeBackend::list_switches() {
  if (!sock_) return fail(Errc::Unsupported, info_.unavailable_reason);
  auto links = netlink::list_links(*sock_);
  if (!links) return tl::unexpected(links.error());
  std::vector<SwitchState> out;
  for (const auto& l : *links)
    if (l.kind == "bridge" && l.alias.starts_with(kTagPrefix))
      out.push_back(SwitchState{l.name, l.ifindex, l.alias, l.up(), false});
  return out;
}

Result<std::optional<DeviceInfo>> BridgeBackend::find_device(const std::string& name) {
  if (!sock_) return fail(Errc::Unsupported, info_.unavailable_reason);
  auto link = netlink::get_link(*sock_, name);
  if (!link) return tl::unexpected(link.error());
  if (!*link) return std::optional<DeviceInfo>();
  const auto& l = **link;
  return std::optional<DeviceInfo>(
      DeviceInfo{l.name, l.ifindex, l.kind, l.alias.starts_with(kTagPrefix) ? l.alias : "", l.up()});
}

std::vector<netlink::BridgeVlan> bridge_vlans_for(const VlanSettings& vlan) {
  std::vector<netlink::BridgeVlan> out;
  if (!vlan.trunk) {
    if (!vlan.tags.empty()) out.push_back({static_cast<std::uint16_t>(vlan.tags.front()), true, true});
    return out;
  }
  for (unsigned tag : vlan.tags) {
    bool native = vlan.native_tag && *vlan.native_tag == tag;
    out.push_back({static_cast<std::uint16_t>(tag), native, native && !vlan.native_tagged});
  }
  if (vlan.native_tag && std::find(vlan.tags.begin(), vlan.tags.end(), *vlan.native_tag) == vlan.tags.end())
    out.push_back({static_cast<std::uint16_t>(*vlan.native_tag), true, !vlan.native_tagged});
  return out;
}

Result<int> BridgeBackend::bridge_ifindex(const std::string& name) {
  if (auto it = bridges_.find(name); it != bridges_.end()) return it->second;
  auto link = netlink::get_link(*sock_, name);
  if (!link) return tl::unexpected(link.error());
  if (!*link || (*link)->kind != "bridge") return fail(Errc::NotFound, "bridge '" + name + "' does not exist");
  bridges_[name] = (*link)->ifindex;
  return (*link)->ifindex;
}

Result<void> BridgeBackend::check_port_settings(const PortAttachment& port) const {
  if (port.internal)
    return fail(Errc::Unsupported, "port " + port.port_name + ": internal ports are an Open vSwitch port type; "
                                   "a kernel bridge's ports are taps");
  if (port.vlan && !info_.has(cap::kVlanFiltering))
    return fail(Errc::Unsupported,
                "port " + port.port_name + ": VLAN tags on a kernel bridge need bridge VLAN filtering, which this "
                "kernel does not offer (no 8021q / CONFIG_BRIDGE_VLAN_FILTERING); use an Open vSwitch network "
                "(<virtualport type='openvswitch'/>) for VLANs");
  if (port.isolated && !info_.has(cap::kPortIsolation))
    return fail(Errc::Unsupported, "port " + port.port_name + ": this kernel's bridge has no port isolation");
  return {};
}

Result<void> BridgeBackend::apply_vlans(const PortAttachment& port) {
  int br = bridges_[port.switch_name];
  netlink::BridgeParams on;
  on.name = port.switch_name;
  on.vlan_filtering = true;
  if (auto r = netlink::change_bridge(*sock_, br, on); !r) return r;
  // A new port starts in VLAN 1 (PVID, untagged); it belongs only where the settings say.
  if (auto r = netlink::change_bridge_vlans(*sock_, port.ifindex, {{1, false, false}}, true, port.port_name); !r) return r;
  return netlink::change_bridge_vlans(*sock_, port.ifindex, bridge_vlans_for(*port.vlan), false, port.port_name);
}

Result<void> BridgeBackend::attach_port(const PortAttachment& port) {
  if (!sock_) return fail(Errc::Unsupported, info_.unavailable_reason);
  if (auto r = check_port_settings(port); !r) return r;
  auto br = bridge_ifindex(port.switch_name);
  if (!br) return tl::unexpected(br.error());

  bool plug = true, isolation_differs = port.isolated;
  if (!port.fresh) {
    auto now = port.current;
    if (!now) {
      auto link = netlink::get_link(*sock_, port.port_name);
      if (!link) return tl::unexpected(link.error());
      if (!*link) return fail(Errc::NotFound, "device '" + port.port_name + "' does not exist");
      now = PortAttachment::DeviceState{(*link)->master, (*link)->up(), (*link)->port_isolated.value_or(false)};
    }
    plug = now->master != *br || !now->up;
    isolation_differs = now->master != *br ? port.isolated : now->isolated != port.isolated;
  }
  if (plug) {
    netlink::LinkChange c;
    c.master = *br;
    c.up = true;
    if (auto r = netlink::change_link(*sock_, port.ifindex, c, port.port_name); !r) {
      // The bridge may have been recreated behind the cache's back: look it up once more.
      bridges_.erase(port.switch_name);
      auto again = bridge_ifindex(port.switch_name);
      if (!again || *again == *br) return r;
      c.master = *again;
      if (auto r2 = netlink::change_link(*sock_, port.ifindex, c, port.port_name); !r2) return r2;
    }
  }
  if (isolation_differs)
    if (auto r = netlink::set_port_isolated(*sock_, port.ifindex, port.isolated, port.port_name); !r) return r;
  if (port.vlan)
    if (auto r = apply_vlans(port); !r) return r;
  return {};
}

Result<void> BridgeBackend::detach_port(const PortAttachment& port) {
  if (!sock_) return fail(Errc::Unsupported, info_.unavailable_reason);
  netlink::LinkChange c;
  c.master = 0;
  c.up = false;
  auto r = netlink::change_link(*sock_, port.ifindex, c, port.port_name);
  if (!r && r.error().message.find("No such device") != std::string::npos) return {};
  return r;
}

}  // namespace hostnet

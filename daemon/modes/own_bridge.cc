#include "daemon/modes/own_bridge.h"

#include <cstdio>

#include "common/hash.h"
#include "daemon/firewall/ruleset.h"
#include "common/log.h"
#include "daemon/network.h"

namespace hostnet {

namespace {

// The ifb that shapes what a network sends out: "hnifb" and a hash of the network's name (a
// bridge name can be 15 bytes already), marked with the network.
std::string network_ifb(const std::string& network) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "hnifb%06x", fnv1a(network) & 0xffffff);
  return buf;
}

std::string network_ifb_alias(const std::string& network) { return kNetworkIfbAliasPrefix + network; }

Result<void> shape(const xml::NetworkDef& def, NetworkHost& host, Reverter& undo) {
  if (!def.bandwidth) return {};
  if (!host.shaper) return fail(Errc::Unsupported, "network '" + def.name + "' has <bandwidth>, and tc shaping is not available");
  if (auto r = host.shaper->shape(def.bridge.name, *def.bandwidth, network_ifb(def.name), network_ifb_alias(def.name)); !r)
    return r;
  undo.add([shaper = host.shaper, name = def.name] { shaper->unshape(network_ifb(name), network_ifb_alias(name)); });
  return {};
}

}  // namespace

Result<void> OwnBridgeDriver::start(const xml::NetworkDef& def, NetworkHost& host, Reverter& undo) {
  auto spec = switch_spec_for(def);
  auto state = host.made_switch ? Result<SwitchState>(*host.made_switch) : host.backend.ensure_switch(spec);
  if (!state) return tl::unexpected(state.error());
  if (state->created) {
    undo.add([&backend = host.backend, name = spec.name, tag = spec.owner_tag] {
      (void)backend.delete_switch(name, tag);
    });
    // An adopted bridge keeps the shaping it has: redoing it would drop its queued packets.
    if (auto r = shape(def, host, undo); !r) return r;
  }
  if (auto r = host.filter.add_network(def); !r) return r;
  undo.add([&filter = host.filter, def] { (void)filter.remove_network(def); });
  bool v4 = firewall::needs_ipv4_forwarding(def), v6 = firewall::needs_ipv6_forwarding(def);
  if (v4 || v6)
    if (auto r = host.filter.enable_forwarding(v4, v6); !r) return r;
  if (DhcpService::wanted(def)) {
    if (auto r = host.dhcp.start(def); !r) return r;
    undo.add([&dhcp = host.dhcp, name = def.name] { dhcp.stop(name); });
  }
  return {};
}

Result<void> OwnBridgeDriver::stop(const xml::NetworkDef& def, NetworkHost& host) {
  host.dhcp.stop(def.name);
  if (auto r = host.filter.remove_network(def); !r) return r;
  if (def.bandwidth && host.shaper) host.shaper->unshape(network_ifb(def.name), network_ifb_alias(def.name));
  auto r = host.backend.delete_switch(def.bridge.name, owner_tag_for(def.name));
  if (!r && r.error().code != Errc::NotFound) return r;
  return {};
}

}  // namespace hostnet

namespace hostnet {

Result<void> OwnBridgeDriver::repair(const xml::NetworkDef& def, NetworkHost& host) {
  auto state = host.backend.ensure_switch(switch_spec_for(def));
  if (!state) return tl::unexpected(state.error());
  if (state->created) {
    log::warning("network " + def.name + ": bridge " + def.bridge.name + " was deleted; recreated");
    Reverter undo;
    if (auto r = shape(def, host, undo); !r) return r;
    undo.commit();
  }
  return host.filter.add_network(def);
}

}  // namespace hostnet

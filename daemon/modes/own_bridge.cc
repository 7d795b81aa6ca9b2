#include "daemon/modes/own_bridge.h"

#include "daemon/firewall/ruleset.h"
#include "common/log.h"
#include "daemon/network.h"

namespace hostnet {

Result<void> OwnBridgeDriver::start(const xml::NetworkDef& def, NetworkHost& host, Reverter& undo) {
  auto spec = switch_spec_for(def);
  auto state = host.backend.ensure_switch(spec);
  if (!state) return tl::unexpected(state.error());
  if (state->created) {
    undo.add([&backend = host.backend, name = spec.name, tag = spec.owner_tag] {
      (void)backend.delete_switch(name, tag);
    });
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
  auto r = host.backend.delete_switch(def.bridge.name, owner_tag_for(def.name));
  if (!r && r.error().code != Errc::NotFound) return r;
  return {};
}

}  // namespace hostnet

namespace hostnet {

Result<void> OwnBridgeDriver::repair(const xml::NetworkDef& def, NetworkHost& host) {
  auto state = host.backend.ensure_switch(switch_spec_for(def));
  if (!state) return tl::unexpected(state.error());
  if (state->created) log::warning("network " + def.name + ": bridge " + def.bridge.name + " was deleted; recreated");
  return host.filter.add_network(def);
}

}  // namespace hostnet

// Does a subnet a network wants already belong to something on the host? Checked before a
// network starts, as libvirt does, so a VM network never shadows a LAN the host is on.
#pragma once

#include <optional>
#include <vector>

#include "common/netlink/route.h"
#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet {

// The routes read for one reconcile pass, one dump per family for all its networks instead of one
// per network (a restart of 1000 networks spent a quarter of its time in route dumps). A network
// a pass brings up adds only routes through its own bridge, which no other network's check would
// let pass anyway (two networks on one subnet are refused before routes are looked at).
struct RouteSnapshot {
  std::optional<std::vector<netlink::Route>> ipv4, ipv6;
};

// Conflict, naming the interface, if a route of the host's main table lies inside (or equals)
// one of def's subnets and leaves through a device other than def's own bridge. Broader routes
// (a default route, a 10.0.0.0/8 via a VPN) are fine: the network's route is more specific.
// With a snapshot, the routes come from it (read into it when it lacks a family); without, from
// the kernel.
Result<void> check_subnets_unrouted(const xml::NetworkDef& def, RouteSnapshot* snapshot = nullptr);

}  // namespace hostnet

// Does a subnet a network wants already belong to something on the host? Checked before a
// network starts, as libvirt does, so a VM network never shadows a LAN the host is on.
#pragma once

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet {

// Conflict, naming the interface, if a route of the host's main table lies inside (or equals)
// one of def's subnets and leaves through a device other than def's own bridge. Broader routes
// (a default route, a 10.0.0.0/8 via a VPN) are fine: the network's route is more specific.
Result<void> check_subnets_unrouted(const xml::NetworkDef& def);

}  // namespace hostnet

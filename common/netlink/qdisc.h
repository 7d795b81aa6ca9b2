// Root queueing disciplines over rtnetlink.
#pragma once

#include <string>

#include "common/netlink/rtnl_socket.h"
#include "common/result.h"

namespace hostnet::netlink {

// Replaces the root qdisc of a device with one of `kind` (no options). Set on a multi-queue tap
// before it goes up, it keeps the kernel from building `mq` with one child per possible tx queue
// (256 for a tap), which costs more than everything else about making the port.
Result<void> set_root_qdisc(RtnlSocket& sock, int ifindex, const std::string& kind, const std::string& name_for_errors);

}  // namespace hostnet::netlink

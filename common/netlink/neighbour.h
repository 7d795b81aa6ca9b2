// Neighbour (ARP) entries over rtnetlink.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/netlink/link.h"
#include "common/netlink/rtnl_socket.h"
#include "common/result.h"

namespace hostnet::netlink {

// Tells the kernel where an IPv4 neighbour is, as a STALE entry: used at once, and confirmed by
// the kernel's own probe. When a guest moves to a new bridge, the host's next packet goes to it
// without first waiting out an ARP request sent while its port was not there yet (retried only
// after a second).
Result<void> set_stale_neighbour(RtnlSocket& sock, int ifindex, const std::array<std::uint8_t, 4>& ipv4, const Mac& mac,
                                 const std::string& dev);

}  // namespace hostnet::netlink

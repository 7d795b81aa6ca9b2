// Routes of the main table over rtnetlink, for collision checks before a network takes a subnet.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "common/netlink/rtnl_socket.h"
#include "common/result.h"

namespace hostnet::netlink {

struct Route {
  int family = 0;
  std::array<std::uint8_t, 16> dst{};
  unsigned prefix = 0;
  int oif = 0;  // 0 when the route has no single output device
};

// Unicast routes of the main table, IPv4 and IPv6.
Result<std::vector<Route>> list_routes(RtnlSocket& sock);

}  // namespace hostnet::netlink

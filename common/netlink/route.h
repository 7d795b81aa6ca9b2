// Routes of the main table over rtnetlink, for collision checks before a network takes a subnet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
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

// Unicast routes of the main table of one family (AF_INET or AF_INET6).
Result<std::vector<Route>> list_routes(RtnlSocket& sock, int family);
// One message of that dump: the route when it is an RTM_NEWROUTE of a unicast IPv4 or IPv6 route
// of the main table, nullopt otherwise (exposed for the fuzz target).
std::optional<Route> parse_route(const struct nlmsghdr* nlh);

}  // namespace hostnet::netlink

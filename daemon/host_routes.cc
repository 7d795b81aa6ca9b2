#include "daemon/host_routes.h"

#include <net/if.h>
#include <sys/socket.h>

#include <map>

#include "common/netlink/link.h"
#include "common/netlink/route.h"
#include "daemon/conflicts.h"

namespace hostnet {

Result<void> check_subnets_unrouted(const xml::NetworkDef& def, RouteSnapshot* snapshot) {
  RouteSnapshot fresh;
  RouteSnapshot& routes_of = snapshot ? *snapshot : fresh;
  std::optional<netlink::RtnlSocket> sock;
  // Only the families the network uses: an IPv6 dump holds every tap's link-local route.
  std::vector<netlink::Route> routes;
  for (int family : {AF_INET, AF_INET6}) {
    bool used = false;
    for (const auto& ip : def.ips) used = used || ip.address.family == family;
    if (!used) continue;
    auto& cached = family == AF_INET ? routes_of.ipv4 : routes_of.ipv6;
    if (!cached) {
      if (!sock) {
        auto s = netlink::RtnlSocket::open();
        if (!s) return tl::unexpected(s.error());
        sock.emplace(std::move(*s));
      }
      auto some = netlink::list_routes(*sock, family);
      if (!some) return tl::unexpected(some.error());
      cached = std::move(*some);
    }
    routes.insert(routes.end(), cached->begin(), cached->end());
  }
  // Names only of the devices of overlapping routes: dumping every link for each start would
  // make the 1000th network's start cost a dump of 10,000 taps.
  auto name_of = [](int ifindex) -> std::string {
    char buf[IF_NAMESIZE] = {};
    return ifindex > 0 && ::if_indextoname(static_cast<unsigned>(ifindex), buf) ? buf : "an unknown device";
  };

  for (const auto& ip : def.ips) {
    unsigned prefix = ip.prefix_length();
    for (const auto& route : routes) {
      if (route.family != ip.address.family || route.prefix < prefix || route.prefix == 0) continue;
      xml::IpAddress dst{route.family, route.dst};
      if (!prefixes_overlap(ip.address, prefix, dst, route.prefix)) continue;
      std::string dev = name_of(route.oif);
      if (dev == def.bridge.name) continue;
      return fail(Errc::Conflict, "network '" + def.name + "': subnet " + ip.address.str() + "/" +
                                      std::to_string(prefix) + " is already in use by interface " + dev +
                                      " (route " + dst.str() + "/" + std::to_string(route.prefix) + ")");
    }
  }
  return {};
}

}  // namespace hostnet

#include "daemon/host_routes.h"

#include <map>

#include "common/netlink/link.h"
#include "common/netlink/route.h"
#include "daemon/conflicts.h"

namespace hostnet {

Result<void> check_subnets_unrouted(const xml::NetworkDef& def) {
  auto sock = netlink::RtnlSocket::open();
  if (!sock) return tl::unexpected(sock.error());
  auto routes = netlink::list_routes(*sock);
  if (!routes) return tl::unexpected(routes.error());
  auto links = netlink::list_links(*sock);
  if (!links) return tl::unexpected(links.error());
  std::map<int, std::string> names;
  for (const auto& l : *links) names[l.ifindex] = l.name;

  for (const auto& ip : def.ips) {
    unsigned prefix = ip.prefix_length();
    for (const auto& route : *routes) {
      if (route.family != ip.address.family || route.prefix < prefix || route.prefix == 0) continue;
      xml::IpAddress dst{route.family, route.dst};
      if (!prefixes_overlap(ip.address, prefix, dst, route.prefix)) continue;
      std::string dev = names.count(route.oif) ? names[route.oif] : "an unknown device";
      if (dev == def.bridge.name) continue;
      return fail(Errc::Conflict, "network '" + def.name + "': subnet " + ip.address.str() + "/" +
                                      std::to_string(prefix) + " is already in use by interface " + dev +
                                      " (route " + dst.str() + "/" + std::to_string(route.prefix) + ")");
    }
  }
  return {};
}

}  // namespace hostnet

#include "common/netlink/route.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>

#include "common/netlink/attr.h"

namespace hostnet::netlink {

std::optional<Route> parse_route(const struct nlmsghdr* reply) {
  if (reply->nlmsg_type != RTM_NEWROUTE || !has_header(reply, sizeof(struct rtmsg))) return std::nullopt;
  auto* m = static_cast<const struct rtmsg*>(mnl_nlmsg_get_payload(reply));
  if (m->rtm_table != RT_TABLE_MAIN || m->rtm_type != RTN_UNICAST) return std::nullopt;
  if (m->rtm_family != AF_INET && m->rtm_family != AF_INET6) return std::nullopt;
  Route route;
  route.family = m->rtm_family;
  route.prefix = m->rtm_dst_len;
  size_t len = m->rtm_family == AF_INET ? 4 : 16;
  for_each_attr(reply, sizeof(*m), [&](const struct nlattr* a) {
    if (mnl_attr_get_type(a) == RTA_DST && mnl_attr_get_payload_len(a) == len)
      std::memcpy(route.dst.data(), mnl_attr_get_payload(a), len);
    if (mnl_attr_get_type(a) == RTA_OIF) route.oif = static_cast<int>(attr_u32(a));
  });
  return route;
}

Result<std::vector<Route>> list_routes(RtnlSocket& sock, int family) {
  std::vector<char> buf(kMessageBufferSize, 0);
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETROUTE;
  auto* rtm = static_cast<struct rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg)));
  rtm->rtm_family = static_cast<unsigned char>(family);
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_type = RTN_UNICAST;
  std::vector<Route> out;
  auto r = sock.filtered_dump(nlh, "listing routes", [&](const struct nlmsghdr* reply) {
    if (auto route = parse_route(reply); route && route->family == family) out.push_back(*route);
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace hostnet::netlink

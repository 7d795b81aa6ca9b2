#include "common/netlink/neighbour.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <vector>

#include "common/netlink/attr.h"

namespace hostnet::netlink {

Result<void> set_stale_neighbour(RtnlSocket& sock, int ifindex, const std::array<std::uint8_t, 4>& ipv4, const Mac& mac,
                                 const std::string& dev) {
  std::vector<char> buf(kMessageBufferSize, 0);
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWNEIGH;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  auto* nd = static_cast<struct ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ndmsg)));
  nd->ndm_family = AF_INET;
  nd->ndm_ifindex = ifindex;
  nd->ndm_state = NUD_STALE;
  mnl_attr_put(nlh, NDA_DST, ipv4.size(), ipv4.data());
  mnl_attr_put(nlh, NDA_LLADDR, mac.size(), mac.data());
  return sock.request(nlh, "setting the neighbour entry of a guest on " + dev);
}

}  // namespace hostnet::netlink

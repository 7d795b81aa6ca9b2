#include "common/netlink/qdisc.h"

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <vector>

namespace hostnet::netlink {

Result<void> set_root_qdisc(RtnlSocket& sock, int ifindex, const std::string& kind, const std::string& name) {
  std::vector<char> buf(kMessageBufferSize, 0);
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWQDISC;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
  auto* tcm = static_cast<struct tcmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct tcmsg)));
  tcm->tcm_family = AF_UNSPEC;
  tcm->tcm_ifindex = ifindex;
  tcm->tcm_parent = TC_H_ROOT;
  tcm->tcm_handle = 0;
  mnl_attr_put_strz(nlh, TCA_KIND, kind.c_str());
  return sock.request(nlh, "setting the root qdisc of " + name + " to " + kind);
}

}  // namespace hostnet::netlink

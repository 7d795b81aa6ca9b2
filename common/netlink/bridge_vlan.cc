#include "common/netlink/bridge_vlan.h"

#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <vector>

namespace hostnet::netlink {

struct nlmsghdr* build_bridge_vlans(char* buf, int ifindex, const std::vector<BridgeVlan>& vlans, bool remove) {
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = remove ? RTM_DELLINK : RTM_SETLINK;
  auto* ifm = static_cast<struct ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)));
  ifm->ifi_family = AF_BRIDGE;
  ifm->ifi_index = ifindex;
  struct nlattr* spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
  for (const auto& v : vlans) {
    struct bridge_vlan_info info {};
    info.vid = v.vid;
    if (v.pvid) info.flags |= BRIDGE_VLAN_INFO_PVID;
    if (v.untagged) info.flags |= BRIDGE_VLAN_INFO_UNTAGGED;
    mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, sizeof info, &info);
  }
  mnl_attr_nest_end(nlh, spec);
  return nlh;
}

Result<void> change_bridge_vlans(RtnlSocket& sock, int ifindex, const std::vector<BridgeVlan>& vlans, bool remove,
                                 const std::string& name) {
  std::vector<char> buf(kMessageBufferSize, 0);
  return sock.request(build_bridge_vlans(buf.data(), ifindex, vlans, remove),
                      std::string(remove ? "removing VLANs from " : "adding VLANs to ") + name);
}

}  // namespace hostnet::netlink

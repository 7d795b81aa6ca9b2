// VLAN membership of a bridge port (bridge VLAN filtering): which tags a port carries, which one
// is its PVID (untagged frames arriving on the port join it) and which leave it untagged.
#pragma once

#include <cstdint>
#include <vector>

#include "common/netlink/rtnl_socket.h"
#include "common/result.h"

namespace hostnet::netlink {

struct BridgeVlan {
  std::uint16_t vid = 0;
  bool pvid = false;      // untagged frames from the port belong to this VLAN
  bool untagged = false;  // frames of this VLAN leave the port without a tag
  bool operator==(const BridgeVlan&) const = default;
};

// RTM_SETLINK (add) or RTM_DELLINK (remove) of family AF_BRIDGE with one IFLA_BRIDGE_VLAN_INFO
// per entry in IFLA_AF_SPEC, as `bridge vlan add|del` sends. Built into buf
// (kMessageBufferSize bytes) without sending, so tests can compare bytes on kernels without
// VLAN filtering.
struct nlmsghdr* build_bridge_vlans(char* buf, int ifindex, const std::vector<BridgeVlan>& vlans, bool remove);

Result<void> change_bridge_vlans(RtnlSocket& sock, int ifindex, const std::vector<BridgeVlan>& vlans, bool remove,
                                 const std::string& name_for_errors);

}  // namespace hostnet::netlink

// Network devices over rtnetlink: list, look up, create bridges, change and delete links.
// Every function is one kernel round trip (or one dump), blocks only for it, and reports the
// kernel's refusal as an error naming the device.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/netlink/rtnl_socket.h"
#include "common/result.h"

namespace hostnet::netlink {

using Mac = std::array<std::uint8_t, 6>;

struct LinkInfo {
  std::string name;
  int ifindex = 0;
  std::string kind;    // IFLA_INFO_KIND: "bridge", "veth", "tun", ...; empty for plain devices
  std::string alias;   // IFLA_IFALIAS
  unsigned flags = 0;  // IFF_*
  unsigned mtu = 0;
  int master = 0;      // ifindex of the bridge it is enslaved to, 0 if none
  std::optional<Mac> mac;
  // Bridge attributes, when kind == "bridge".
  std::optional<unsigned> stp_state;
  std::optional<unsigned> forward_delay_cs;  // centiseconds, as the kernel keeps it
  bool up() const;
};

struct BridgeParams {
  std::string name;
  std::optional<bool> stp;
  std::optional<unsigned> forward_delay_s;
  std::optional<unsigned> mtu;
  std::optional<Mac> mac;
  std::optional<std::string> alias;
  std::optional<bool> vlan_filtering;  // only sent when set: kernels without 8021q refuse it
};

Result<std::vector<LinkInfo>> list_links(RtnlSocket& sock);
// nullopt when no device has that name.
Result<std::optional<LinkInfo>> get_link(RtnlSocket& sock, const std::string& name);

// Creates a bridge (NLM_F_EXCL: fails with "File exists" rather than touching another device)
// and returns its ifindex. The kernel ignores IFLA_IFALIAS when it creates a device, so an alias
// is set by a second message right after.
Result<int> create_bridge(RtnlSocket& sock, const BridgeParams& params);
// Changes the given attributes of an existing bridge; unset ones are left alone.
Result<void> change_bridge(RtnlSocket& sock, int ifindex, const BridgeParams& params);

Result<void> delete_link(RtnlSocket& sock, int ifindex, const std::string& name_for_errors);
Result<void> set_link_up(RtnlSocket& sock, int ifindex, bool up, const std::string& name_for_errors);
Result<void> set_alias(RtnlSocket& sock, int ifindex, const std::string& alias, const std::string& name_for_errors);
Result<void> set_master(RtnlSocket& sock, int ifindex, int master_ifindex, const std::string& name_for_errors);

}  // namespace hostnet::netlink

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

struct LinkStats {
  std::uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0, rx_dropped = 0, tx_dropped = 0;
};

struct LinkInfo {
  std::string name;
  int ifindex = 0;
  std::string kind;    // IFLA_INFO_KIND: "bridge", "veth", "tun", ...; empty for plain devices
  std::string alias;   // IFLA_IFALIAS
  unsigned flags = 0;  // IFF_*
  unsigned mtu = 0;
  int master = 0;      // ifindex of the bridge it is enslaved to, 0 if none
  unsigned group = 0;  // IFLA_GROUP
  std::optional<Mac> mac;
  // Bridge attributes, when kind == "bridge".
  std::optional<unsigned> stp_state;
  std::optional<unsigned> forward_delay_cs;  // centiseconds, as the kernel keeps it
  // Bridge port attributes, when the device is enslaved to a bridge.
  std::optional<bool> port_isolated;
  LinkStats stats;
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
// Decodes one RTM_NEWLINK message as the kernel sends it (exposed for the fuzz target).
LinkInfo parse_link(const struct nlmsghdr* nlh);
// nullopt when no device has that name.
Result<std::optional<LinkInfo>> get_link(RtnlSocket& sock, const std::string& name);

// Creates a bridge (NLM_F_EXCL: fails with "File exists" rather than touching another device)
// and returns its ifindex. The kernel ignores IFLA_IFALIAS when it creates a device, so an alias
// is set by a second message right after.
Result<int> create_bridge(RtnlSocket& sock, const BridgeParams& params);
// Changes the given attributes of an existing bridge; unset ones are left alone.
Result<void> change_bridge(RtnlSocket& sock, int ifindex, const BridgeParams& params);

// Settings of an existing device, each sent only when set, all in one RTM_NEWLINK: the kernel
// applies the address, MTU, group and alias, then the master, then the flags, so a tap can be
// configured, enslaved and brought up by one message.
struct LinkChange {
  std::optional<Mac> mac;
  std::optional<unsigned> mtu;
  std::optional<std::string> alias;
  std::optional<unsigned> group;
  std::optional<int> master;  // ifindex; 0 releases the device from its master
  std::optional<bool> up;
};
// Builds the message into buf (kMessageBufferSize bytes) without sending it (for golden tests).
struct nlmsghdr* build_link_change(char* buf, int ifindex, const LinkChange& change);
Result<void> change_link(RtnlSocket& sock, int ifindex, const LinkChange& change, const std::string& name_for_errors);

// The bridge port flag that keeps isolated ports from reaching each other (IFLA_BRPORT_ISOLATED);
// the device must already be a bridge port.
struct nlmsghdr* build_port_isolation(char* buf, int ifindex, bool isolated);
Result<void> set_port_isolated(RtnlSocket& sock, int ifindex, bool isolated, const std::string& name_for_errors);

// An ifb device (for shaping what a VM sends: the kernel shapes only egress), returns its ifindex.
Result<int> create_ifb(RtnlSocket& sock, const std::string& name);

// A tunnel device (kind "vxlan", "geneve" or "gretap") to one remote IPv4 address, with a VNI
// (or GRE key) and a destination port (0: the kind's default); returns its ifindex.
struct TunnelParams {
  std::string name;
  std::string kind;
  std::array<std::uint8_t, 4> remote{};
  unsigned key = 0;
  unsigned dst_port = 0;
};
Result<int> create_tunnel(RtnlSocket& sock, const TunnelParams& params);

// Whether this kernel can make devices of a kind at all: creates and deletes a throwaway one.
bool kernel_has_link_kind(RtnlSocket& sock, const std::string& kind);

// Deletes every device in a link group with one message: the kernel unregisters them together,
// paying its per-deletion synchronisation once instead of once per device.
Result<void> delete_link_group(RtnlSocket& sock, unsigned group);

Result<void> delete_link(RtnlSocket& sock, int ifindex, const std::string& name_for_errors);
Result<void> set_link_up(RtnlSocket& sock, int ifindex, bool up, const std::string& name_for_errors);
Result<void> set_alias(RtnlSocket& sock, int ifindex, const std::string& alias, const std::string& name_for_errors);
Result<void> set_master(RtnlSocket& sock, int ifindex, int master_ifindex, const std::string& name_for_errors);

}  // namespace hostnet::netlink

// The rtnetlink messages that plug a port in, compared byte for byte with golden files (review a
// golden diff like code). VLAN filtering cannot run on kernels without 8021q, so its messages are
// also decoded here the way the kernel's br_setlink()/br_dellink() read them: IFLA_AF_SPEC
// holding one struct bridge_vlan_info per VLAN, as iproute2's `bridge vlan add` builds them.
#include <gtest/gtest.h>

#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include <cstdio>
#include <string>
#include <vector>

#include "common/netlink/attr.h"
#include "common/netlink/bridge_vlan.h"
#include "common/netlink/link.h"
#include "plugins/bridge/bridge_backend.h"
#include "tests/unit/test_support.h"

using namespace hostnet;

namespace {

// One line per 16 bytes, as `xxd -p` would print a message.
std::string hex(const struct nlmsghdr* nlh) {
  const auto* b = reinterpret_cast<const unsigned char*>(nlh);
  std::string out;
  char buf[4];
  for (unsigned i = 0; i < nlh->nlmsg_len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", b[i]);
    out += buf;
    if (i % 16 == 15 || i + 1 == nlh->nlmsg_len) out += "\n";
  }
  return out;
}

// (vid, flags) of every IFLA_BRIDGE_VLAN_INFO inside IFLA_AF_SPEC, as the kernel walks them.
std::vector<std::pair<int, int>> decode_vlans(const struct nlmsghdr* nlh) {
  std::vector<std::pair<int, int>> out;
  auto* ifm = static_cast<const struct ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  EXPECT_EQ(ifm->ifi_family, AF_BRIDGE);
  EXPECT_EQ(ifm->ifi_index, 42);
  netlink::for_each_attr(nlh, sizeof(*ifm), [&](const struct nlattr* spec) {
    if (mnl_attr_get_type(spec) != IFLA_AF_SPEC) return;
    netlink::for_each_nested(spec, [&](const struct nlattr* a) {
      EXPECT_EQ(mnl_attr_get_type(a), IFLA_BRIDGE_VLAN_INFO);
      EXPECT_EQ(mnl_attr_get_payload_len(a), sizeof(struct bridge_vlan_info));
      struct bridge_vlan_info info;
      std::memcpy(&info, mnl_attr_get_payload(a), sizeof info);
      out.emplace_back(info.vid, info.flags);
    });
  });
  return out;
}

std::vector<char> buffer() { return std::vector<char>(netlink::kMessageBufferSize, 0); }

}  // namespace

TEST(PortMessages, ConfigureEnslaveAndUpInOneMessage) {
  auto buf = buffer();
  netlink::LinkChange c;
  c.mac = netlink::Mac{0xfe, 0x54, 0x00, 0x12, 0x34, 0x56};
  c.mtu = 9000;
  c.alias = "hostnet-port:3f2a9c:default";
  c.group = 0x686e1234;
  c.master = 7;
  c.up = true;
  hostnet::testing::expect_golden("link-change.hex", hex(netlink::build_link_change(buf.data(), 42, c)));
}

TEST(PortMessages, Isolation) {
  auto buf = buffer();
  hostnet::testing::expect_golden("port-isolated.hex", hex(netlink::build_port_isolation(buf.data(), 42, true)));
}

TEST(PortMessages, AccessPortVlans) {
  VlanSettings access;
  access.tags = {10};
  auto vlans = bridge_vlans_for(access);
  ASSERT_EQ(vlans, (std::vector<netlink::BridgeVlan>{{10, true, true}}));
  auto buf = buffer();
  auto* nlh = netlink::build_bridge_vlans(buf.data(), 42, vlans, false);
  EXPECT_EQ(nlh->nlmsg_type, RTM_SETLINK);
  EXPECT_EQ(decode_vlans(nlh), (std::vector<std::pair<int, int>>{{10, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED}}));
  hostnet::testing::expect_golden("vlan-access.hex", hex(nlh));
}

TEST(PortMessages, TrunkWithNativeVlan) {
  VlanSettings trunk;
  trunk.trunk = true;
  trunk.tags = {42, 47};
  trunk.native_tag = 47;
  auto vlans = bridge_vlans_for(trunk);
  ASSERT_EQ(vlans, (std::vector<netlink::BridgeVlan>{{42, false, false}, {47, true, true}}));
  trunk.native_tagged = true;
  EXPECT_EQ(bridge_vlans_for(trunk), (std::vector<netlink::BridgeVlan>{{42, false, false}, {47, true, false}}));
  auto buf = buffer();
  auto* nlh = netlink::build_bridge_vlans(buf.data(), 42, vlans, false);
  EXPECT_EQ(decode_vlans(nlh), (std::vector<std::pair<int, int>>{{42, 0}, {47, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED}}));
  hostnet::testing::expect_golden("vlan-trunk.hex", hex(nlh));
}

TEST(PortMessages, DefaultVlanRemoval) {
  auto buf = buffer();
  auto* nlh = netlink::build_bridge_vlans(buf.data(), 42, {{1, false, false}}, true);
  EXPECT_EQ(nlh->nlmsg_type, RTM_DELLINK);
  EXPECT_EQ(decode_vlans(nlh), (std::vector<std::pair<int, int>>{{1, 0}}));
  hostnet::testing::expect_golden("vlan-remove-default.hex", hex(nlh));
}

// The OVSDB transactions of the Open vSwitch backend, compared with golden JSON files (review a
// golden diff like code), and libvirt's <vlan> as Port columns.
#include "plugins/ovs/ovs_rows.h"

#include <gtest/gtest.h>

#include "tests/unit/test_support.h"

using namespace hostnet;
using nlohmann::json;

namespace {

// One operation per line, so a golden diff shows which operation changed.
void expect_golden(const std::string& name, const json& ops) {
  std::string text;
  for (const auto& op : ops) text += op.dump() + "\n";
  hostnet::testing::expect_golden(name + ".json", text);
}

PortAttachment port() {
  PortAttachment p;
  p.switch_name = "hnovs0";
  p.switch_owner_tag = "hostnet:default";
  p.port_name = "hn-3f2a9c";
  p.external_ids = {{"iface-id", "5f0c3d9a-0d8b-4c1f-9d6e-3a2b1c0d9e8f"}, {"attached-mac", "52:54:00:12:34:56"}};
  return p;
}

}  // namespace

TEST(OvsRows, CreateBridge) {
  SwitchSpec spec;
  spec.name = "hnovs0";
  spec.owner_tag = "hostnet:default";
  spec.mtu = 9000;
  spec.mac = MacAddress{0x52, 0x54, 0x00, 0x01, 0x02, 0x03};
  expect_golden("ovs-create-bridge", ovs::create_bridge_ops(spec, "netdev"));
  spec.tunnels = {TunnelSpec{"vxlan", {192, 0, 2, 2}, 42, 0}, TunnelSpec{"geneve", {192, 0, 2, 3}, 7, 6082}};
  auto ops = ovs::create_bridge_ops(spec, "netdev");
  EXPECT_EQ(ops[6]["row"]["ports"][1].size(), 3u);  // the internal port and two tunnels
  expect_golden("ovs-create-bridge-tunnels", ops);
  expect_golden("ovs-delete-bridge", ovs::delete_bridge_ops("6e4a2c3f-0000-4000-8000-000000000001"));
}

TEST(OvsRows, DpdkUplinksArePortsOfTheBridgeMadeWithIt) {
  SwitchSpec spec;
  spec.name = "hnlan0";
  spec.owner_tag = "hostnet:lan";
  spec.uplinks = {UplinkSpec{"dpdk0", "0000:03:00.0", 0}, UplinkSpec{"hnlan0-up1", "net_tap0,iface=hnup0", 2}};
  auto ops = ovs::create_bridge_ops(spec, "netdev");
  EXPECT_EQ(ops[6]["row"]["ports"][1].size(), 3u);  // the internal port and two uplinks
  expect_golden("ovs-create-bridge-uplinks", ops);
  // An uplink deleted behind hostnet's back is added again on its own.
  auto again = ovs::add_switch_ports_ops(spec, {}, {spec.uplinks[1]}, "6e4a2c3f-0000-4000-8000-000000000001");
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0]["row"]["options"], json::parse(R"(["map",[["dpdk-devargs","net_tap0,iface=hnup0"],["n_rxq","2"]]])"));
  EXPECT_EQ(again[2]["mutations"][0][1], "insert");
}

TEST(OvsRows, OpenFlowControllersAreRowsTheBridgeReferences) {
  SwitchSpec spec;
  spec.name = "hnsdn0";
  spec.owner_tag = "hostnet:sdn";
  spec.openflow = OpenFlowSpec{"secure", {"OpenFlow13", "OpenFlow10"}, {"tcp:127.0.0.1:6653", "unix:/run/ctl.sock"}};
  auto ops = ovs::create_bridge_ops(spec, "netdev");
  // Interface, Port, two Controllers, then the Bridge (commit_bridge reads its uuid by position).
  ASSERT_EQ(ops[4]["table"], "Bridge");
  EXPECT_EQ(ops[2]["table"], "Controller");
  EXPECT_EQ(ops[4]["row"]["fail_mode"], "secure");
  EXPECT_EQ(ops[4]["row"]["protocols"], json::parse(R"(["set",["OpenFlow10","OpenFlow13"]])"));
  expect_golden("ovs-create-bridge-openflow", ops);
  // Set again on an adopted bridge; no fail mode and no protocols are empty sets (OVS's defaults).
  spec.openflow = OpenFlowSpec{"", {}, {"ssl:[fd00::1]:6653"}};
  auto update = ovs::set_openflow_ops(spec, "6e4a2c3f-0000-4000-8000-000000000001");
  ASSERT_EQ(update.size(), 3u);
  EXPECT_EQ(update[1]["op"], "update");
  EXPECT_EQ(update[1]["row"]["fail_mode"], json::parse(R"(["set",[]])"));
  EXPECT_EQ(update[1]["row"]["controller"], json::parse(R"(["set",[["named-uuid","ctl0"]]])"));
  // Without OpenFlow in the spec the bridge's columns are not written at all (an admin's stay).
  spec.openflow.reset();
  EXPECT_FALSE(ovs::create_bridge_ops(spec, "netdev")[2]["row"].contains("controller"));
}

TEST(OvsRows, AddPortGrowsBridgePortsByMutateInsert) {
  auto ops = ovs::add_ports_ops({port()}, "6e4a2c3f-0000-4000-8000-000000000001");
  EXPECT_EQ(ops[2]["op"], "mutate");
  EXPECT_EQ(ops[2]["mutations"][0][1], "insert");
  expect_golden("ovs-add-port", ops);
  auto second = port();
  second.port_name = "hn-77aa01";
  second.vlan = VlanSettings{{10}, false, std::nullopt, false};
  auto batch = ovs::add_ports_ops({port(), second}, "6e4a2c3f-0000-4000-8000-000000000001");
  EXPECT_EQ(batch.size(), 6u);  // 2 x (Interface, Port), one mutate, a comment
  EXPECT_EQ(batch[4]["mutations"][0][2][1].size(), 2u);
  expect_golden("ovs-add-ports", batch);
  expect_golden("ovs-remove-ports", ovs::remove_ports_ops("6e4a2c3f-0000-4000-8000-000000000001",
                                                          {"0b1c2d3e-0000-4000-8000-000000000002"}));
}

TEST(OvsRows, VlanColumnsAsLibvirtSetsThem) {
  EXPECT_EQ(ovs::vlan_columns(std::nullopt),
            json::parse(R"({"tag":["set",[]],"trunks":["set",[]],"vlan_mode":["set",[]]})"));
  VlanSettings access{{10}, false, std::nullopt, false};
  EXPECT_EQ(ovs::vlan_columns(access), json::parse(R"({"tag":10,"trunks":["set",[]],"vlan_mode":"access"})"));
  VlanSettings trunk{{20, 10}, true, std::nullopt, false};
  EXPECT_EQ(ovs::vlan_columns(trunk), json::parse(R"({"tag":["set",[]],"trunks":["set",[10,20]],"vlan_mode":"trunk"})"));
  VlanSettings native{{42, 47}, true, 47, false};
  EXPECT_EQ(ovs::vlan_columns(native),
            json::parse(R"({"tag":47,"trunks":["set",[42,47]],"vlan_mode":"native-untagged"})"));
  native.native_tagged = true;
  EXPECT_EQ(ovs::vlan_columns(native)["vlan_mode"], "native-tagged");
}

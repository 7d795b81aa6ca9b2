// The nftables batches hostnet sends, per forward mode, compared with golden files — the same
// idea as libvirt's firewall tests. HOSTNET_UPDATE_GOLDEN=1 rewrites the files; review the diff.
#include "daemon/firewall/ruleset.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/test_support.h"
#include "tests/unit/xml_support.h"
#include "xml/network_xml.h"

namespace fs = std::filesystem;
using namespace hostnet;

using hostnet::testing::parse_valid;

namespace {

void expect_golden(const std::string& name, const std::string& actual) {
  hostnet::testing::expect_golden(name + ".nft", actual);
}

const char* kDefault = R"(<network><name>default</name><forward mode='nat'/><bridge name='virbr0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'/></network>)";

}  // namespace

TEST(Ruleset, NatLikeLibvirtsDefault) { expect_golden("nat-default", firewall::add_network_batch(parse_valid(kDefault))); }

TEST(Ruleset, NatWithDeviceAddressAndPortRanges) {
  expect_golden("nat-dev-ranges", firewall::add_network_batch(parse_valid(R"(<network><name>n</name>
    <forward mode='nat' dev='eth0'><nat><address start='198.51.100.10' end='198.51.100.20'/>
    <port start='1024' end='65535'/></nat></forward><bridge name='hnbr3'/>
    <ip address='10.30.0.1' prefix='24'/></network>)")));
}

TEST(Ruleset, NatWithIpv6) {
  expect_golden("nat-ipv6", firewall::add_network_batch(parse_valid(R"(<network><name>n</name>
    <forward mode='nat'><nat ipv6='yes'/></forward><bridge name='hnbr4'/>
    <ip address='10.40.0.1' prefix='24'/><ip family='ipv6' address='fd00:40::1' prefix='64'/></network>)")));
}

TEST(Ruleset, Routed) {
  expect_golden("route", firewall::add_network_batch(parse_valid(R"(<network><name>r</name>
    <forward mode='route' dev='eth1'/><bridge name='hnbr5'/>
    <ip address='10.50.0.1' prefix='24'/><ip family='ipv6' address='fd00:50::1' prefix='64'/></network>)")));
}

TEST(Ruleset, OpenAddsNoRulesOfItsOwn) {
  auto batch = firewall::add_network_batch(parse_valid(R"(<network><name>o</name><forward mode='open'/>
    <bridge name='hnbr6'/><ip address='10.60.0.1' prefix='24'/></network>)"));
  expect_golden("open", batch);
  EXPECT_EQ(batch.find("add rule inet hostnet br-hnbr6"), std::string::npos);
}

TEST(Ruleset, Isolated) {
  expect_golden("isolated", firewall::add_network_batch(parse_valid(R"(<network><name>i</name><bridge name='hnbr7'/>
    <ip address='10.70.0.1' prefix='24'/></network>)")));
}

TEST(Ruleset, PortForwardsAreMapElements) {
  auto def = parse_valid(R"(<network><name>n</name><forward mode='nat'/><bridge name='virbr0'/>
    <metadata><hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
      <hostnet:forward proto="tcp" port="8080" to="192.168.122.10" to-port="80"/>
      <hostnet:forward proto="udp" address="203.0.113.1" port="5000-5002" to="192.168.122.11"/>
    </hostnet:network></metadata>
    <ip address='192.168.122.1' netmask='255.255.255.0'/></network>)");
  ASSERT_EQ(def.port_forwards.size(), 2u);
  expect_golden("nat-forwards", firewall::add_network_batch(def));
  auto without = def;
  without.port_forwards.pop_back();
  auto batch = firewall::add_network_batch(without, &def);
  EXPECT_NE(batch.find("delete element inet hostnet forward_addr { 203.0.113.1 . udp . 5002 }"), std::string::npos)
      << "replacing a definition must drop the forwards it no longer has";
  EXPECT_EQ(batch.find("add element inet hostnet forward_addr { 203.0.113.1 . udp . 5002 : 192.168.122.11 . 5002 }",
                       batch.rfind("delete element")),
            std::string::npos);
}

TEST(Ruleset, Remove) { expect_golden("remove", firewall::remove_network_batch(parse_valid(kDefault))); }

TEST(Ruleset, UnusualBridgeNamesMakeSafeChainNames) {
  auto batch = firewall::add_network_batch(parse_valid(R"(<network><name>u</name><bridge name='1br@x'/>
    <ip address='10.80.0.1' prefix='24'/></network>)"));
  EXPECT_NE(batch.find("add chain inet hostnet br-1br_40x-to"), std::string::npos) << batch;
  EXPECT_NE(batch.find("{ \"1br@x\" : jump br-1br_40x-to }"), std::string::npos) << batch;
}

TEST(Ruleset, ForwardingNeeds) {
  auto nat = parse_valid(kDefault);
  EXPECT_TRUE(firewall::needs_ipv4_forwarding(nat));
  EXPECT_FALSE(firewall::needs_ipv6_forwarding(nat));
  auto iso = parse_valid("<network><name>i</name><ip address='10.0.0.1' prefix='24'/></network>");
  EXPECT_FALSE(firewall::needs_ipv4_forwarding(iso));
}

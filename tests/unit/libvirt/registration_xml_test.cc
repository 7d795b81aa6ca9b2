// The libvirt network that stands for a hostnet network: what libvirt gets, checked against
// libvirt itself (its test driver accepts it and prints it back unchanged).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "libvirt/registration_xml.h"
#include "tests/unit/xml/virsh.h"
#include "xml/network_xml.h"

using namespace hostnet;

namespace {

xml::NetworkDef parse(const std::string& text) {
  auto def = xml::parse_network(text);
  EXPECT_TRUE(def) << def.error().message;
  return def ? *def : xml::NetworkDef{};
}

std::string through_libvirt(const std::string& xml, const std::string& name) {
  auto file = std::filesystem::temp_directory_path() / ("hostnet-registration-" + std::to_string(::getpid()) + ".xml");
  std::ofstream(file) << xml;
  std::string out = hostnet::testing::virsh_dumpxml(file, name);
  std::filesystem::remove(file);
  return out;
}

}  // namespace

TEST(Registration, NatNetworkOnAKernelBridgeKeepsPortgroupNamesButNotVlanOrBandwidth) {
  auto def = parse(R"(<network><name>lab</name><uuid>3f1c2b7a-8d9e-4f10-a2b3-c4d5e6f70812</uuid>
    <forward mode='nat'/><bridge name='hnlab0'/><port isolated='yes'/>
    <bandwidth><inbound average='1000'/></bandwidth>
    <ip address='10.60.0.1' prefix='24'><dhcp><range start='10.60.0.10' end='10.60.0.20'/></dhcp></ip>
    <portgroup name='slow' default='yes'><bandwidth><inbound average='100'/></bandwidth></portgroup>
    <portgroup name='guests'><vlan><tag id='12'/></vlan></portgroup></network>)");
  auto xml = libvirt::registration_xml(def);
  ASSERT_TRUE(xml);
  EXPECT_EQ(*xml, R"(<network>
  <name>lab</name>
  <uuid>3f1c2b7a-8d9e-4f10-a2b3-c4d5e6f70812</uuid>
  <metadata>
    <hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
      <hostnet:registration/>
    </hostnet:network>
  </metadata>
  <forward mode='bridge'/>
  <bridge name='hnlab0'/>
  <port isolated='yes'/>
  <portgroup name='slow' default='yes'>
  </portgroup>
  <portgroup name='guests'>
  </portgroup>
</network>
)");
  EXPECT_EQ(through_libvirt(*xml, "lab"), *xml);
  EXPECT_TRUE(libvirt::is_registration(*xml));
}

TEST(Registration, OvsNetworkCarriesVlansAndVirtualport) {
  auto def = parse(R"(<network><name>ovs</name><uuid>0a1b2c3d-4e5f-4061-8293-a4b5c6d7e8f9</uuid>
    <bridge name='hnovs0'/><virtualport type='openvswitch'/><ip address='10.61.0.1' prefix='24'/>
    <portgroup name='blue'><vlan><tag id='101'/></vlan>
      <virtualport><parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport></portgroup>
    </network>)");
  auto xml = libvirt::registration_xml(def);
  ASSERT_TRUE(xml);
  EXPECT_NE(xml->find("<virtualport type='openvswitch'/>"), std::string::npos) << *xml;
  EXPECT_NE(xml->find("<tag id='101'/>"), std::string::npos) << *xml;
  EXPECT_EQ(through_libvirt(*xml, "ovs"), *xml);
}

TEST(Registration, OptedOutOrBridgelessNetworksAreNotRegisteredAndSayWhy) {
  std::string why;
  auto out = parse(R"(<network><name>p</name><metadata><hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
    <hostnet:libvirt register="no"/></hostnet:network></metadata><bridge name='hnp0'/></network>)");
  EXPECT_FALSE(libvirt::registration_xml(out, &why));
  EXPECT_EQ(why, "kept out of libvirt by its hostnet metadata");
  auto pool = parse("<network><name>m</name><forward mode='private'><interface dev='eth0'/></forward></network>");
  EXPECT_FALSE(libvirt::registration_xml(pool, &why));
  EXPECT_EQ(why, "forward mode 'private' has no bridge to plug VMs into");
}

TEST(Registration, LibvirtsOwnNetworksAreNotHostnets) {
  EXPECT_FALSE(libvirt::is_registration("<network><name>default</name><forward mode='nat'/></network>"));
  EXPECT_FALSE(libvirt::is_registration("<network><name>x</name><unknown-to-hostnet/>"));
  EXPECT_FALSE(libvirt::is_registration(""));
}

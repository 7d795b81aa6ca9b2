// Reading what libvirt says of the VMs on a network, in the shapes libvirt 9.0 prints (a network
// port from net-port-dumpxml, a running domain's interface from dumpxml).
#include <gtest/gtest.h>

#include "xml/vm_interface_xml.h"

using namespace hostnet;

TEST(NetworkPort, OwnerMacGroupAndBridge) {
  auto p = xml::parse_network_port(R"(<networkport>
  <uuid>6c1f0e2a-9b7d-4e3c-8a51-2f4d6b8c0e19</uuid>
  <owner>
    <name>g1</name>
    <uuid>0d2c4e6a-8b1f-4a3c-9e5d-7f1b3d5a9c20</uuid>
  </owner>
  <group>web</group>
  <mac address='52:54:00:AB:CD:EF'/>
  <plug type='bridge' bridge='hnlab0'/>
</networkport>
)");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->uuid, "6c1f0e2a-9b7d-4e3c-8a51-2f4d6b8c0e19");
  EXPECT_EQ(p->owner_name, "g1");
  EXPECT_EQ(p->owner_uuid, "0d2c4e6a-8b1f-4a3c-9e5d-7f1b3d5a9c20");
  EXPECT_EQ(p->mac, "52:54:00:ab:cd:ef");
  EXPECT_EQ(p->portgroup, "web");
  EXPECT_EQ(p->bridge, "hnlab0");
}

TEST(NetworkPort, WithoutGroupAndBadInput) {
  auto p = xml::parse_network_port("<networkport><uuid>u</uuid><mac address='52:54:00:00:00:01'/></networkport>");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->portgroup, "");
  EXPECT_FALSE(xml::parse_network_port("<networkport><uuid>u</uuid></networkport>"));
  EXPECT_FALSE(xml::parse_network_port("<network/>"));
  EXPECT_FALSE(xml::parse_network_port("<networkport>"));
}

TEST(DomainInterfaces, TheTapOfEachMac) {
  auto ifs = xml::parse_domain_interfaces(R"(<domain type='qemu' id='1'>
  <name>g1</name>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:AB:CD:EF'/>
      <source network='lab' portid='6c1f0e2a-9b7d-4e3c-8a51-2f4d6b8c0e19' portgroup='web' bridge='hnlab0'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:00:00:02'/>
      <target dev='tap9' managed='no'/>
    </interface>
  </devices>
</domain>
)");
  ASSERT_TRUE(ifs) << ifs.error().message;
  ASSERT_EQ(ifs->size(), 2u);
  EXPECT_EQ((*ifs)[0].mac, "52:54:00:ab:cd:ef");
  EXPECT_EQ((*ifs)[0].network, "lab");
  EXPECT_EQ((*ifs)[0].portid, "6c1f0e2a-9b7d-4e3c-8a51-2f4d6b8c0e19");
  EXPECT_EQ((*ifs)[0].portgroup, "web");
  EXPECT_EQ((*ifs)[0].target, "vnet0");
  EXPECT_EQ((*ifs)[1].network, "");
  EXPECT_EQ((*ifs)[1].target, "tap9");
  EXPECT_FALSE(xml::parse_domain_interfaces("<network/>"));
}

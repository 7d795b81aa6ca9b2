// What a port produces for others: the tc batch libvirt's <bandwidth> becomes, and the libvirt
// domain <interface> that uses the port.
#include <gtest/gtest.h>

#include "daemon/shaping/bandwidth.h"
#include "daemon/ports/interface_xml.h"
#include "tests/unit/test_support.h"

using namespace hostnet;

namespace {

Port port(unsigned queues) {
  Port p;
  p.id = "3f2a9c";
  p.network = "default";
  p.settings.name = "hn-3f2a9c";
  p.settings.mac = MacAddress{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  p.settings.queues = queues;
  return p;
}

}  // namespace

TEST(Bandwidth, InboundAndOutboundLikeLibvirtsClasses) {
  xml::BandwidthDef bw;
  bw.inbound = xml::BandwidthRate{1000, 2000, std::nullopt, 256};
  bw.outbound = xml::BandwidthRate{500, std::nullopt, std::nullopt, std::nullopt};
  hostnet::testing::expect_golden("bandwidth-both.tc", tc_bandwidth_batch(bw, "hn-3f2a9c", "hb-3f2a9c", "sfq perturb 10"));
}

TEST(Bandwidth, InboundOnlyNeedsNoIfb) {
  xml::BandwidthDef bw;
  bw.inbound = xml::BandwidthRate{1000, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(tc_bandwidth_batch(bw, "tap0", "", "pfifo"),
            "qdisc replace dev tap0 root handle 1: htb default 1\n"
            "class add dev tap0 parent 1: classid 1:1 htb rate 1000kbps\n"
            "qdisc add dev tap0 parent 1:1 handle 2: pfifo\n");
}

TEST(InterfaceXml, SingleQueueWithoutVhostNet) {
  hostnet::testing::expect_golden("interface-1q.xml", interface_xml(port(1), false));
}

TEST(InterfaceXml, MultiQueue) {
  auto p = port(4);
  p.settings.mtu = 9000;
  hostnet::testing::expect_golden("interface-4q.xml", interface_xml(p, false));
  hostnet::testing::expect_golden("interface-4q-vhost.xml", interface_xml(p, true));
}

TEST(InterfaceXml, VhostUserIsTheSocketQemuServes) {
  auto p = port(2);
  p.settings.kind = "vhost-user";
  p.settings.name = "vhu-3f2a9c";
  p.socket = "/run/hostnet/vhost-user/3f2a9c/sock";
  // vhost-net has nothing to do with a vhost-user port: the same XML either way.
  hostnet::testing::expect_golden("interface-vhost-user.xml", interface_xml(p, true));
  EXPECT_EQ(interface_xml(p, true), interface_xml(p, false));
}

// How a port request becomes a port: options checked one by one, and the portgroup's and
// network's settings inherited where the request is silent (as libvirt does for <interface>).
#include "daemon/ports/port_request.h"

#include <gtest/gtest.h>

#include "daemon/ports/port_record.h"
#include "tests/unit/xml_support.h"
#include "xml/network_xml.h"

using namespace hostnet;

using hostnet::testing::parse_valid;

namespace {

const MacAddress kRandom{0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};

Result<PortSettings> resolve(const xml::NetworkDef& def, const PortRequest& r) {
  ResolveContext ctx{def, [](std::uint32_t uid) { return uid == 0 || uid == 1000; },
                     [](std::uint32_t gid) { return gid == 0 || gid == 100; }, [] { return kRandom; }};
  return resolve_port_request(r, ctx);
}

using Options = std::vector<std::pair<std::string, std::string>>;

PortRequest request(const Options& options) {
  PortRequest r;
  for (const auto& [k, v] : options) EXPECT_TRUE(set_request_option(r, k, v)) << k << "=" << v;
  return r;
}

std::string error_of(const xml::NetworkDef& def, const PortRequest& r) {
  auto s = resolve(def, r);
  return s ? std::string("(no error)") : s.error().message;
}

const char* kNet = R"(<network><name>n</name><bridge name='br0'/><mtu size='9000'/>
  <vlan><tag id='5'/></vlan>
  <portgroup name='web' default='yes'><vlan trunk='yes'><tag id='42'/><tag id='47' nativeMode='untagged'/></vlan>
    <bandwidth><inbound average='1000' peak='2000' burst='256'/></bandwidth></portgroup>
  <portgroup name='db'><virtualport><parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>
  </portgroup>
  <ip address='10.0.0.1' prefix='24'/></network>)";

}  // namespace

TEST(PortRequest, DefaultsFillWhatTheRequestLeavesOut) {
  auto s = resolve(parse_valid("<network><name>n</name><bridge name='br0'/></network>"), {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->mac, kRandom);
  EXPECT_EQ(s->queues, 1u);
  EXPECT_FALSE(s->owner);
  EXPECT_FALSE(s->vlan);
  EXPECT_FALSE(s->isolated);
  EXPECT_FALSE(s->bandwidth);
  EXPECT_TRUE(s->name.empty());  // the manager names it hn-<id>
}

TEST(PortRequest, TheDefaultPortgroupIsInherited) {
  auto s = resolve(parse_valid(kNet), {});
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->portgroup, "web");
  ASSERT_TRUE(s->vlan);
  EXPECT_TRUE(s->vlan->trunk);
  EXPECT_EQ(s->vlan->tags, (std::vector<unsigned>{42, 47}));
  EXPECT_EQ(s->vlan->native_tag, 47u);
  EXPECT_FALSE(s->vlan->native_tagged);
  ASSERT_TRUE(s->bandwidth && s->bandwidth->inbound);
  EXPECT_EQ(s->bandwidth->inbound->average, 1000u);
  EXPECT_EQ(s->mtu, 9000u);
}

TEST(PortRequest, ANamedPortgroupAndThenTheNetwork) {
  auto s = resolve(parse_valid(kNet), request({{"portgroup", "db"}}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->interface_id, "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f");
  ASSERT_TRUE(s->vlan);  // db has no <vlan>: the network's
  EXPECT_EQ(s->vlan->tags, (std::vector<unsigned>{5}));
  EXPECT_FALSE(s->vlan->trunk);
  EXPECT_FALSE(s->bandwidth);
}

TEST(PortRequest, TheRequestWinsOverThePortgroup) {
  auto s = resolve(parse_valid(kNet), request({{"vlan", "7"}, {"outbound", "100,,10"}, {"isolated", "yes"},
                                         {"mtu", "1400"}, {"owner", "1000"}, {"group", "100"}, {"queues", "8"},
                                         {"mac", "52:54:00:12:34:56"}, {"name", "vm1-eth0"}}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->vlan->tags, (std::vector<unsigned>{7}));
  EXPECT_FALSE(s->vlan->trunk);
  EXPECT_EQ(s->bandwidth->inbound->average, 1000u);  // from the portgroup
  EXPECT_EQ(s->bandwidth->outbound->average, 100u);
  EXPECT_FALSE(s->bandwidth->outbound->peak);
  EXPECT_EQ(s->bandwidth->outbound->burst, 10u);
  EXPECT_TRUE(s->isolated);
  EXPECT_EQ(s->mtu, 1400u);
  EXPECT_EQ(s->owner, 1000u);
  EXPECT_EQ(s->group, 100u);
  EXPECT_EQ(s->queues, 8u);
  EXPECT_EQ(s->name, "vm1-eth0");
}

TEST(PortRequest, NetworkWideIsolation) {
  auto s = resolve(parse_valid("<network><name>n</name><bridge name='br0'/><port isolated='yes'/></network>"), {});
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->isolated);
}

TEST(PortRequest, TrunkRequests) {
  auto def = parse_valid("<network><name>n</name><bridge name='br0'/></network>");
  auto s = resolve(def, request({{"vlan", "10,20"}, {"native-vlan", "30"}, {"native-mode", "tagged"}}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(s->vlan->trunk);
  EXPECT_EQ(s->vlan->native_tag, 30u);
  EXPECT_TRUE(s->vlan->native_tagged);
  EXPECT_TRUE(resolve(def, request({{"vlan", "10"}, {"trunk", "yes"}}))->vlan->trunk);
}

TEST(PortRequest, BadRequestsNameTheOptionAndTheReason) {
  auto def = parse_valid(kNet);
  struct Case {
    Options options;
    const char* message;
  };
  for (const auto& c : std::vector<Case>{
           {{{"mac", "01:00:5e:00:00:01"}}, "mac '01:00:5e:00:00:01': a multicast address cannot be a port's MAC"},
           {{{"mac", "52:54:00"}}, "mac '52:54:00': not a MAC address"},
           {{{"mac", "00:00:00:00:00:00"}}, "the all-zero MAC"},
           {{{"queues", "0"}}, "queues 0: a tap has 1..256 queues (the kernel's limit)"},
           {{{"queues", "257"}}, "queues 257"},
           {{{"owner", "4242"}}, "owner 4242: no such user"},
           {{{"group", "4242"}}, "group 4242: no such group"},
           {{{"vlan", "0"}}, "vlan 0: a VLAN tag is 1..4094"},
           {{{"vlan", "4095"}}, "vlan 4095: a VLAN tag is 1..4094"},
           {{{"vlan", "10,x"}}, "vlan 'x': not a number"},
           {{{"native-vlan", "10"}}, "need vlan"},
           {{{"vlan", "10"}, {"native-mode", "sideways"}}, "native-mode 'sideways'"},
           {{{"portgroup", "nope"}}, "portgroup 'nope' is not defined in network 'n'"},
           {{{"name", "a/b"}}, "name 'a/b'"},
           {{{"name", "sixteen-bytes-xx"}}, "name 'sixteen-bytes-xx'"},
           {{{"mtu", "67"}}, "mtu 67: an MTU is 68..65535"},
           {{{"inbound", "100,50"}}, "inbound '100,50': peak is below average"},
           {{{"inbound", "0"}}, "rates and bursts are above 0"},
           {{{"outbound", "1,2,3,4"}}, "expected average[,peak[,burst]]"},
           {{{"kind", "vhost"}}, "kind 'vhost': tap, internal or vhost-user"},
           {{{"kind", "internal"}, {"queues", "2"}}, "an internal port has one"},
           {{{"kind", "internal"}, {"owner", "1000"}}, "an internal port has no fds"},
           {{{"kind", "internal"}, {"inbound", "100"}}, "internal ports are not shaped"},
           {{{"interface-id", "ab\nnetwork=other"}}, "interface-id: 1..255 letters, digits"},
           {{{"interface-id", "a\"b"}}, "interface-id: 1..255"},
           {{{"interface-id", std::string(256, 'a')}}, "interface-id: 1..255"},
           {{{"interface-id", ""}}, "interface-id: 1..255"},
           {{{"vm-uuid", "c7a5fdbd"}}, "vm-uuid: not a UUID"},
           {{{"vm-uuid", "c7a5fdbd-cdaf-9455-926a-d65c16db1809\n"}}, "vm-uuid: not a UUID"},
       }) {
    auto r = request(c.options);
    EXPECT_NE(error_of(def, r).find(c.message), std::string::npos) << error_of(def, r);
  }
  PortRequest r;
  EXPECT_EQ(set_request_option(r, "colour", "red").error().message, "unknown port option 'colour'");
  EXPECT_EQ(set_request_option(r, "queues", "four").error().message, "queues 'four': not a number");
  EXPECT_EQ(set_request_option(r, "isolated", "maybe").error().message, "isolated 'maybe': not yes or no");
}

namespace {

// A port of network "n" as a record holds it.
Port recorded_port(const std::string& id, const PortSettings& settings, const std::string& name) {
  Port p;
  p.id = id;
  p.network = "n";
  p.settings = settings;
  p.settings.name = name;
  return p;
}

}  // namespace

TEST(PortRecord, RoundTripsEverySetting) {
  auto s = resolve(parse_valid(kNet), request({{"outbound", "100,200,10"}, {"isolated", "yes"}, {"owner", "1000"},
                                         {"group", "100"}, {"queues", "4"}, {"vm-uuid", "c7a5fdbd-cdaf-9455-926a-d65c16db1809"}}));
  ASSERT_TRUE(s) << s.error().message;
  Port p = recorded_port("3f2a9c", *s, "hn-3f2a9c");
  p.ifindex = 17;
  p.ifb = "hb-3f2a9c";
  auto back = parse_port_record(format_port_record(p));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->settings == p.settings) << format_port_record(*back) << "\nvs\n" << format_port_record(p);
  EXPECT_EQ(back->id, p.id);
  EXPECT_EQ(back->network, p.network);
  EXPECT_EQ(back->ifindex, 17);
  EXPECT_EQ(back->ifb, p.ifb);
}

TEST(PortRecord, AVhostUserPortKeepsItsSocket) {
  auto s = resolve(parse_valid(kNet), request({{"kind", "vhost-user"}, {"owner", "1000"}}));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_TRUE(is_vhost_user(*s));
  EXPECT_FALSE(is_foreign_port(*s));
  Port p = recorded_port("77aa01", *s, "vhu-77aa01");
  p.socket = "/run/hostnet/vhost-user/77aa01/sock";
  auto back = parse_port_record(format_port_record(p));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->settings == p.settings);
  EXPECT_EQ(back->socket, p.socket);
  EXPECT_FALSE(resolve(parse_valid(kNet), request({{"kind", "vhost-user"}, {"inbound", "100"}})));
}

TEST(PortRecord, AForeignPortKeepsWhoMadeItAndForWhichDomain) {
  auto s = resolve(parse_valid(kNet), request({{"name", "vnet3"}}));
  ASSERT_TRUE(s) << s.error().message;
  Port p = recorded_port("a1b2c3", *s, "vnet3");
  p.settings.kind = "libvirt";
  p.settings.vm_name = "web-1";
  p.settings.vm_uuid = "c7a5fdbd-cdaf-9455-926a-d65c16db1809";
  p.settings.peer_port = "5e8d0ad7-5a3d-4c0c-9b3e-3d0f0c2b7e11";
  p.ifindex = 42;
  EXPECT_TRUE(is_foreign_port(p.settings));
  auto back = parse_port_record(format_port_record(p));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->settings == p.settings) << format_port_record(*back);
  EXPECT_TRUE(is_foreign_port(back->settings));
  EXPECT_EQ(back->ifindex, 42);
}

TEST(PortRecord, DamagedRecordsAreErrors) {
  EXPECT_FALSE(parse_port_record("id=1\nnetwork=n\n"));  // no name
  EXPECT_FALSE(parse_port_record("id=1\nnetwork=n\nname=x\nqueues=many\n"));
  EXPECT_FALSE(parse_port_record("id=1\nnetwork=n\nname=x\nwhat=ever\n"));
  EXPECT_FALSE(parse_port_record("garbage"));
}

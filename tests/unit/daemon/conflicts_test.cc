#include "daemon/conflicts.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

using namespace hostnet;

namespace {
xml::IpAddress addr(const char* text) {
  xml::IpAddress a;
  a.family = std::string(text).find(':') == std::string::npos ? AF_INET : AF_INET6;
  inet_pton(a.family, text, a.bytes.data());
  return a;
}

Network active_network(const char* name, const char* bridge, const char* ip, unsigned prefix) {
  Network n;
  n.name = name;
  xml::NetworkDef def;
  def.name = name;
  def.bridge.name = bridge;
  xml::IpDef ipdef;
  ipdef.address = addr(ip);
  ipdef.prefix = prefix;
  def.ips.push_back(ipdef);
  n.live = def;
  return n;
}
}  // namespace

TEST(Conflicts, PrefixOverlap) {
  EXPECT_TRUE(prefixes_overlap(addr("10.0.0.1"), 24, addr("10.0.0.200"), 24));
  EXPECT_TRUE(prefixes_overlap(addr("10.0.0.1"), 16, addr("10.0.5.1"), 24));
  EXPECT_FALSE(prefixes_overlap(addr("10.0.0.1"), 24, addr("10.0.1.1"), 24));
  EXPECT_FALSE(prefixes_overlap(addr("10.0.0.1"), 24, addr("fd00::1"), 64));
  EXPECT_TRUE(prefixes_overlap(addr("fd00:1::1"), 64, addr("fd00:1::ffff"), 64));
  EXPECT_FALSE(prefixes_overlap(addr("fd00:1::1"), 64, addr("fd00:2::1"), 64));
  // Prefixes that end inside a byte: only its leading bits count.
  EXPECT_TRUE(prefixes_overlap(addr("10.0.0.1"), 23, addr("10.0.1.1"), 24));
  EXPECT_FALSE(prefixes_overlap(addr("10.0.2.1"), 23, addr("10.0.1.1"), 24));
  EXPECT_TRUE(prefixes_overlap(addr("10.0.0.9"), 29, addr("10.0.0.14"), 30));
  EXPECT_FALSE(prefixes_overlap(addr("10.0.0.9"), 29, addr("10.0.0.17"), 30));
  EXPECT_TRUE(prefixes_overlap(addr("192.168.1.1"), 0, addr("10.0.0.1"), 8));
  EXPECT_FALSE(prefixes_overlap(addr("10.0.0.1"), 32, addr("10.0.0.2"), 32));
}

TEST(Conflicts, SubnetOfAnotherActiveNetworkIsNamed) {
  Network a = active_network("a", "hnbr0", "192.168.100.1", 24);
  Network b = active_network("b", "hnbr1", "192.168.100.77", 24);
  auto r = check_subnets_free(*b.live, {&a});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Conflict);
  EXPECT_NE(r.error().message.find("'a'"), std::string::npos);
  EXPECT_NE(r.error().message.find("hnbr0"), std::string::npos);
}

TEST(Conflicts, InactiveNetworksAndItselfDoNotConflict) {
  Network a = active_network("a", "hnbr0", "192.168.100.1", 24);
  Network inactive = a;
  inactive.persistent = inactive.live;
  inactive.live.reset();
  EXPECT_TRUE(check_subnets_free(*a.live, {&a}));
  EXPECT_TRUE(check_subnets_free(*a.live, {&inactive}) || inactive.name == a.name);
}

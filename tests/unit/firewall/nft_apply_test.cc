// Every golden batch is accepted by the real kernel, in a network namespace of the test's own:
// a batch that only looks right is worth nothing (nftables fails whole batches on one bad rule).
#include <sched.h>

#include <gtest/gtest.h>
#include <nftables/libnftables.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/firewall/nft_firewall.h"
#include "daemon/firewall/ruleset.h"
#include "daemon/firewall/table_state.h"
#include "tests/unit/test_support.h"
#include "xml/network_xml.h"

namespace fs = std::filesystem;
using namespace hostnet;

namespace {

class OwnNetworkNamespace : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << "cannot create a network namespace (" << std::strerror(errno)
                                          << "): these tests need root and run as root in CI";
  }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new OwnNetworkNamespace);

using hostnet::testing::slurp;

}  // namespace

TEST(NftApply, EveryGoldenBatchLoadsAndCanBeRemoved) {
  auto fw = NftFirewall::open();
  ASSERT_TRUE(fw) << fw.error().message;
  size_t n = 0;
  for (const auto& path : hostnet::testing::files_in_env_dir("HOSTNET_GOLDEN_DIR")) {
    auto r = (*fw)->run(slurp(path), path.filename().string());
    EXPECT_TRUE(r) << r.error().message;
    ++n;
  }
  EXPECT_GE(n, 7u);
  EXPECT_TRUE((*fw)->remove_all());
  EXPECT_TRUE((*fw)->remove_all()) << "removing an absent table must not be an error";
}

TEST(NftApply, AddingTwiceReplacesAndTheLastNetworkTakesTheTable) {
  auto fw = NftFirewall::open();
  ASSERT_TRUE(fw);
  auto def = xml::parse_network(R"(<network><name>n</name><forward mode='nat'/><bridge name='virbr0'/>
      <ip address='192.168.122.1' prefix='24'/></network>)");
  ASSERT_TRUE(def);
  ASSERT_TRUE((*fw)->add_network(*def));
  ASSERT_TRUE((*fw)->add_network(*def)) << "re-adding (a daemon restart adopting) must work";
  EXPECT_TRUE((*fw)->run("list chain inet hostnet br-virbr0-nat", "listing"));
  ASSERT_TRUE((*fw)->remove_network(*def));
  EXPECT_FALSE((*fw)->run("list table inet hostnet", "listing")) << "the table outlived its last network";
}

TEST(NftApply, KernelRefusalComesBackAsAnErrorWithNftsText) {
  auto fw = NftFirewall::open();
  ASSERT_TRUE(fw);
  auto r = (*fw)->run("add rule inet nosuchtable nosuchchain accept\n", "a bad batch");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("a bad batch"), std::string::npos);
  EXPECT_NE(r.error().message.find("No such file or directory"), std::string::npos) << r.error().message;
}

namespace {

xml::NetworkDef nat_network(const char* name, const char* bridge, const char* subnet) {
  auto def = xml::parse_network(std::string("<network><name>") + name + "</name><forward mode='nat'/><bridge name='" +
                                bridge + "'/><ip address='" + subnet + ".1' prefix='24'/></network>");
  EXPECT_TRUE(def);
  return *def;
}

std::string listing() {
  // The handles are what tells a rule left alone from one made again.
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_HANDLE);
  std::string out;
  if (nft_run_cmd_from_buffer(ctx, "list table inet hostnet") == 0) out = nft_ctx_get_output_buffer(ctx);
  nft_ctx_free(ctx);
  return out;
}

bool holds(const xml::NetworkDef& def) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  std::string out;
  if (nft_run_cmd_from_buffer(ctx, "list table inet hostnet") == 0) out = nft_ctx_get_output_buffer(ctx);
  nft_ctx_free(ctx);
  return firewall::TableListing(out).holds(firewall::base_batch() + firewall::network_state(def));
}

}  // namespace

TEST(NftApply, WhatANetworkMadeIsRecognisedAndAnyChangeToItIsNot) {
  auto fw = NftFirewall::open();
  ASSERT_TRUE(fw);
  auto a = nat_network("a", "virbr0", "192.168.122");
  auto b = nat_network("b", "virbr1", "192.168.123");
  EXPECT_FALSE(holds(a)) << "no table yet";
  ASSERT_TRUE((*fw)->add_network(a));
  EXPECT_TRUE(holds(a));
  EXPECT_FALSE(holds(b)) << "another network's rules are not there";
  ASSERT_TRUE((*fw)->add_network(b));
  EXPECT_TRUE(holds(a) && holds(b));
  auto a_other_subnet = nat_network("a", "virbr0", "192.168.124");
  EXPECT_FALSE(holds(a_other_subnet)) << "as many rules, made from another definition";

  ASSERT_TRUE((*fw)->run("delete element inet hostnet to_bridge { \"virbr0\" }\n", "test"));
  EXPECT_FALSE(holds(a)) << "an element gone";
  EXPECT_TRUE(holds(b));
  ASSERT_TRUE((*fw)->add_network(a));
  ASSERT_TRUE((*fw)->run("flush chain inet hostnet br-virbr1-nat\n", "test"));
  EXPECT_FALSE(holds(b)) << "rules gone";
  ASSERT_TRUE((*fw)->add_network(b));
  ASSERT_TRUE((*fw)->run("flush chain inet hostnet forward\n", "test"));
  EXPECT_FALSE(holds(a)) << "the base chains' rules gone";
  ASSERT_TRUE((*fw)->remove_all());
}

TEST(NftApply, APassLeavesRulesInPlaceAloneAndRemakesWhatIsMissing) {
  auto fw = NftFirewall::open();
  ASSERT_TRUE(fw);
  auto a = nat_network("a", "virbr0", "192.168.122");
  auto b = nat_network("b", "virbr1", "192.168.123");
  ASSERT_TRUE((*fw)->add_network(a));
  ASSERT_TRUE((*fw)->add_network(b));
  const auto before = listing();
  (*fw)->begin_pass();
  ASSERT_TRUE((*fw)->add_network(a));
  ASSERT_TRUE((*fw)->add_network(b));
  (*fw)->end_pass();
  EXPECT_EQ(listing(), before) << "a pass over networks in place rewrote them (handles moved)";

  ASSERT_TRUE((*fw)->run("flush chain inet hostnet br-virbr1-to\n", "test"));
  (*fw)->begin_pass();
  ASSERT_TRUE((*fw)->add_network(a));
  ASSERT_TRUE((*fw)->add_network(b));
  (*fw)->end_pass();
  EXPECT_TRUE(holds(a) && holds(b)) << "the pass did not remake what was missing";

  // Outside a pass every add is made (a start, an update): nothing is trusted.
  const auto again = listing();
  ASSERT_TRUE((*fw)->add_network(a));
  EXPECT_NE(listing(), again);
  ASSERT_TRUE((*fw)->remove_all());
}

namespace {

xml::NetworkDef forwarding_network(const char* name, const char* bridge, const char* subnet, const char* port) {
  auto def = xml::parse_network(std::string("<network><name>") + name + "</name><forward mode='nat'/><bridge name='" +
                                bridge + "'/><metadata><hostnet:network xmlns:hostnet='https://hostnet.dev/xmlns/network/1.0'>"
                                "<hostnet:forward proto='tcp' port='" + port + "' to='" + subnet + ".10' to-port='80'/>"
                                "<hostnet:forward proto='udp' address='203.0.113.1' port='" + port + "' to='" + subnet +
                                ".11'/></hostnet:network></metadata><ip address='" + subnet + ".1' prefix='24'/></network>");
  EXPECT_TRUE(def) << def.error().message;
  return *def;
}

}  // namespace

TEST(NftApply, ARestartRemovesTheRulesOfNetworksThatAreNotActive) {
  auto a = forwarding_network("a", "virbr0", "192.168.122", "8080");
  auto b = forwarding_network("b", "virbr1", "192.168.123", "8081");
  auto c = nat_network("c", "virbr2", "192.168.124");
  {
    // The hostnetd that was killed: b's rules made, b never recorded as active.
    auto killed = NftFirewall::open();
    ASSERT_TRUE(killed);
    for (const auto* def : {&a, &b, &c}) ASSERT_TRUE((*killed)->add_network(*def));
  }
  auto fw = NftFirewall::open();
  ASSERT_TRUE(fw);
  (*fw)->begin_pass();
  ASSERT_TRUE((*fw)->add_network(a));
  ASSERT_TRUE((*fw)->add_network(c));
  (*fw)->prune({&a, &c});
  (*fw)->end_pass();
  EXPECT_TRUE(holds(a) && holds(c)) << listing();
  const auto after = listing();
  EXPECT_EQ(after.find("virbr1"), std::string::npos) << after;
  EXPECT_EQ(after.find("8081"), std::string::npos) << "b's port forwards stayed:\n" << after;
  EXPECT_NE(after.find("8080"), std::string::npos) << "a's port forwards went:\n" << after;

  (*fw)->begin_pass();
  (*fw)->prune({&a, &c});
  (*fw)->end_pass();
  EXPECT_EQ(listing(), after) << "nothing left over: nothing changes";

  auto empty = NftFirewall::open();
  ASSERT_TRUE(empty);
  (*empty)->begin_pass();
  (*empty)->prune({});
  (*empty)->end_pass();
  EXPECT_EQ(listing(), "") << "no network active: hostnet's table stays";
}

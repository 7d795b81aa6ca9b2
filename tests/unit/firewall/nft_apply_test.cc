// Every golden batch is accepted by the real kernel, in a network namespace of the test's own:
// a batch that only looks right is worth nothing (nftables fails whole batches on one bad rule).
#include <sched.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/firewall/nft_firewall.h"
#include "daemon/firewall/ruleset.h"
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

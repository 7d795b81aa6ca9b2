#include "daemon/options.h"

#include <gtest/gtest.h>

#include <vector>

using namespace hostnet;

namespace {
Result<DaemonOptions> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "hostnetd");
  return parse_daemon_options(static_cast<int>(args.size()), const_cast<char**>(args.data()));
}
}  // namespace

TEST(DaemonOptions, DirectoriesAndPluginOptions) {
  auto o = parse({"--config-dir", "/tmp/c", "--state-dir=/tmp/s", "--plugin-dir", "build/plugins",
                  "--ovsdb-socket", "/tmp/db.sock", "--plugin-option", "k=v", "--debug"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->config_dir, "/tmp/c");
  EXPECT_EQ(o->state_dir, "/tmp/s");
  EXPECT_EQ(o->plugin_dir, "build/plugins");
  ASSERT_EQ(o->plugin_options.size(), 2u);
  EXPECT_EQ(o->plugin_options[0], std::make_pair(std::string("ovsdb-socket"), std::string("/tmp/db.sock")));
  EXPECT_EQ(o->plugin_options[1], std::make_pair(std::string("k"), std::string("v")));
  EXPECT_TRUE(o->debug);
}

TEST(DaemonOptions, DefaultsAreTheSystemPaths) {
  auto o = parse({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->config_dir, "/etc/hostnet");
  EXPECT_EQ(o->state_dir, "/run/hostnet");
  EXPECT_EQ(o->default_backend, "bridge");
}

TEST(DaemonOptions, MistakesAreNamed) {
  auto unknown = parse({"--confg-dir", "/x"});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("--confg-dir"), std::string::npos);
  auto missing = parse({"--state-dir"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("needs a value"), std::string::npos);
  auto bad_kv = parse({"--plugin-option", "novalue"});
  ASSERT_FALSE(bad_kv);
  EXPECT_EQ(bad_kv.error().code, Errc::InvalidArgument);
}

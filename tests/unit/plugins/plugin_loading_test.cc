// Every built plugin loads through the one versioned entry point, and the registry refuses
// what is not a plugin.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "daemon/backend_registry.h"

using namespace hostnet;

TEST(PluginLoading, FindsEveryBuiltPluginRecursively) {
  const char* dir = std::getenv("HOSTNET_PLUGIN_DIR");
  ASSERT_NE(dir, nullptr);
  BackendRegistry registry;
  // Only the fake plugin is instantiated with side effects-free construction; load just it here
  // (the bridge plugin probes the kernel and is tested in its own namespace).
  registry.load_plugins(std::filesystem::path(dir) / "fake", PluginContext{});
  auto fake = registry.get("fake");
  ASSERT_TRUE(fake) << fake.error().message;
  EXPECT_EQ((*fake)->info().name, "fake");
  auto missing = registry.get("ovs");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::Unsupported);
  EXPECT_NE(missing.error().message.find("ovs"), std::string::npos);
}

TEST(PluginLoading, BrokenFilesAreSkippedNotFatal) {
  auto dir = std::filesystem::temp_directory_path() / ("hostnet-plugins-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "hostnet-broken.so") << "not an ELF file";
  BackendRegistry registry;
  registry.load_plugins(dir, PluginContext{});
  EXPECT_TRUE(registry.infos().empty());
  std::filesystem::remove_all(dir);
}

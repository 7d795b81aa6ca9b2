// Small helpers shared by the unit tests: reading files and golden-file comparison.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hostnet::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares actual with $HOSTNET_GOLDEN_DIR/<file>; HOSTNET_UPDATE_GOLDEN=1 rewrites the file
// instead (review the diff before committing it).
inline void expect_golden(const std::string& file, const std::string& actual) {
  const char* dir = std::getenv("HOSTNET_GOLDEN_DIR");
  ASSERT_NE(dir, nullptr) << "HOSTNET_GOLDEN_DIR is not set";
  std::filesystem::path path = std::filesystem::path(dir) / file;
  if (std::getenv("HOSTNET_UPDATE_GOLDEN")) {
    std::ofstream(path) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << "missing golden file " << path << " (HOSTNET_UPDATE_GOLDEN=1)";
  EXPECT_EQ(actual, slurp(path)) << "differs from " << path;
}

}  // namespace hostnet::testing

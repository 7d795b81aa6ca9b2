// Small helpers shared by the unit tests: reading files and golden-file comparison.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace hostnet::testing {

// A file a test needs that is not there fails the test naming it; it never reads as "".
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  if (!in) {
    ADD_FAILURE() << "cannot read " << p;
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The regular files (ending in `ext`, when given) of the directory that environment variable
// `var` names, sorted. A variable or directory that is missing fails the test naming it and
// gives no files: no test crashes on a missing input.
inline std::vector<std::filesystem::path> files_in_env_dir(const char* var, const std::string& ext = "") {
  std::vector<std::filesystem::path> out;
  const char* dir = std::getenv(var);
  if (!dir) {
    ADD_FAILURE() << var << " is not set (meson test sets it; run the test through meson)";
    return out;
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && (ext.empty() || it->path().extension() == ext)) out.push_back(it->path());
  if (ec) ADD_FAILURE() << var << "=" << dir << ": " << ec.message();
  std::sort(out.begin(), out.end());
  return out;
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

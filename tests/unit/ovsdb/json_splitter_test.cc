// The framing of OVSDB's JSON-RPC stream: values back to back, split by reads at any byte.
#include "plugins/ovs/ovsdb/json_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using hostnet::ovsdb::JsonSplitter;

namespace {

// Strings that end a naive splitter early or late: braces and brackets inside strings, escaped
// quotes, an escaped backslash right before the closing quote, \u escapes, UTF-8, nesting.
const std::vector<std::string> kMessages = {
    R"({"id":1,"result":{"a":"}"},"error":null})",
    R"({"method":"update2","params":["x",{"Bridge":{"u":{"modify":{"name":"br\"{0"}}}}],"id":null})",
    R"({"s":"back\\","t":"\\\"]","u":"\u00e9\u007b","v":"€ ü"})",
    R"([1,[2,[3,{"k":[]}]],"]"])",
    R"({})",
    R"({"deep":[[[[[[{"x":"[[["}]]]]]]})",
};

std::string stream() {
  std::string s;
  for (size_t i = 0; i < kMessages.size(); ++i) s += kMessages[i] + (i % 2 ? "\n" : "");  // with and without whitespace
  return s;
}

std::vector<std::string> feed_in_pieces(const std::string& s, const std::vector<size_t>& cuts) {
  JsonSplitter splitter;
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t cut : cuts) {
    EXPECT_TRUE(splitter.feed(std::string_view(s).substr(start, cut - start), out));
    start = cut;
  }
  EXPECT_TRUE(splitter.feed(std::string_view(s).substr(start), out));
  EXPECT_EQ(splitter.buffered(), 0u);
  return out;
}

TEST(JsonSplitter, ConcatenatedValuesInOneRead) {
  EXPECT_EQ(feed_in_pieces(stream(), {}), kMessages);
}

TEST(JsonSplitter, SplitAtEveryByteBoundary) {
  const std::string s = stream();
  for (size_t i = 0; i <= s.size(); ++i) EXPECT_EQ(feed_in_pieces(s, {i}), kMessages) << "cut at " << i;
}

TEST(JsonSplitter, SplitAtEveryPairOfBoundaries) {
  const std::string s = kMessages[1] + kMessages[2];
  for (size_t i = 0; i <= s.size(); ++i)
    for (size_t j = i; j <= s.size(); ++j)
      ASSERT_EQ(feed_in_pieces(s, {i, j}), (std::vector<std::string>{kMessages[1], kMessages[2]})) << i << "," << j;
}

TEST(JsonSplitter, OneByteAtATime) {
  const std::string s = stream();
  std::vector<size_t> cuts;
  for (size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(feed_in_pieces(s, cuts), kMessages);
}

TEST(JsonSplitter, HoldsBackAnIncompleteValue) {
  JsonSplitter splitter;
  std::vector<std::string> out;
  ASSERT_TRUE(splitter.feed(R"({"a":1}{"b":"}")", out));
  EXPECT_EQ(out, (std::vector<std::string>{R"({"a":1})"}));
  EXPECT_EQ(splitter.buffered(), 8u);
  ASSERT_TRUE(splitter.feed("}", out));
  EXPECT_EQ(out.back(), R"({"b":"}"})");
}

TEST(JsonSplitter, GarbageBetweenValuesIsAnErrorAndStays) {
  JsonSplitter splitter;
  std::vector<std::string> out;
  auto r = splitter.feed(R"({"a":1} x{"b":2})", out);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("0x78"), std::string::npos) << r.error().message;
  EXPECT_EQ(out.size(), 1u);  // what came before the garbage is still delivered
  EXPECT_FALSE(splitter.feed("{}", out));
}

TEST(JsonSplitter, ValueLongerThanTheLimitIsAnError) {
  JsonSplitter splitter(16);
  std::vector<std::string> out;
  ASSERT_TRUE(splitter.feed(R"({"a":"0123456)", out));
  EXPECT_FALSE(splitter.feed("789abcdef", out));
}

}  // namespace

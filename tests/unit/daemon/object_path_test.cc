#include "dbus/object_path.h"

#include <gtest/gtest.h>

using namespace hostnet::dbus;

TEST(ObjectPath, PlainNamesStayReadable) {
  EXPECT_EQ(network_path("default"), "/org/hostnet1/network/default");
  EXPECT_EQ(network_path("Net42"), "/org/hostnet1/network/Net42");
}

TEST(ObjectPath, EverythingElseIsEscapedAsSdBusDoes) {
  EXPECT_EQ(escape_path_label("my-net.1"), "my_2dnet_2e1");
  EXPECT_EQ(escape_path_label("a_b"), "a_5fb");
  EXPECT_EQ(escape_path_label(""), "_");
  EXPECT_EQ(escape_path_label("\xc3\xa9"), "_c3_a9");
}

TEST(ObjectPath, UnescapeInvertsEscape) {
  for (const char* name : {"default", "my-net.1", "a_b", "", "with space", "\xc3\xa9t\xc3\xa9"}) {
    auto back = unescape_path_label(escape_path_label(name));
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, name);
  }
}

TEST(ObjectPath, UnescapeRejectsBrokenEscapes) {
  EXPECT_FALSE(unescape_path_label("abc_").has_value());
  EXPECT_FALSE(unescape_path_label("abc_4").has_value());
  EXPECT_FALSE(unescape_path_label("_zz").has_value());
}

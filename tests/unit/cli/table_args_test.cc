#include <gtest/gtest.h>

#include "cli/args.h"
#include "cli/table.h"

using namespace hostnet::cli;

TEST(Table, LooksLikeVirsh) {
  auto t = format_table({"Name", "State", "Autostart", "Persistent"},
                        {{"default", "active", "yes", "yes"}, {"isolated", "inactive", "no", "yes"}});
  EXPECT_EQ(t,
            " Name       State      Autostart   Persistent\n"
            "-----------------------------------------------\n"
            " default    active     yes         yes\n"
            " isolated   inactive   no          yes\n"
            "\n");
}

TEST(Args, FlagsOptionsAndPositionals) {
  ArgSpec spec{{"all", "json"}, {"network"}, 0, 1};
  auto a = parse_args({"--all", "x", "--network=default"}, spec);
  EXPECT_TRUE(a.has("all"));
  EXPECT_FALSE(a.has("json"));
  EXPECT_EQ(a.positional, std::vector<std::string>{"x"});
  EXPECT_EQ(a.option("network").value_or(""), "default");
}

TEST(Args, TyposAreErrorsNotIgnored) {
  ArgSpec spec{{"all"}, {}, 0, 0};
  EXPECT_THROW(parse_args({"--al"}, spec), UsageError);
  EXPECT_THROW(parse_args({"extra"}, spec), UsageError);
  ArgSpec one{{}, {"mac"}, 1, 1};
  EXPECT_THROW(parse_args({}, one), UsageError);
  EXPECT_THROW(parse_args({"n", "--mac"}, one), UsageError);
}

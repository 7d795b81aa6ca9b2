// The replica's reading of update2 (RFC 7047 + ovsdb-server(7) "update2 notification") and
// update: diffs of sets and maps, replaced scalars, defaults put back, insert/delete/initial.
#include "plugins/ovs/ovsdb/replica.h"

#include <gtest/gtest.h>

using namespace hostnet;
using namespace hostnet::ovsdb;
using nlohmann::json;

namespace {

// Brace-initialised json turns a list of two-element lists starting with a string into an object
// (["uuid",U] pairs included), so sets and maps below are built with json::array or parsed.

// A cut of the vswitch schema with one column of each kind that matters.
const json kSchema = json::parse(R"({
  "name": "Open_vSwitch", "version": "8.3.1",
  "tables": {
    "Bridge": {"columns": {
      "name": {"type": "string"},
      "ports": {"type": {"key": {"type": "uuid", "refTable": "Port"}, "min": 0, "max": "unlimited"}},
      "flood_vlans": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 4096}},
      "external_ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
      "datapath_type": {"type": "string"},
      "stp_enable": {"type": "boolean"}}},
    "Port": {"columns": {
      "name": {"type": "string"},
      "tag": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 1}},
      "interfaces": {"type": {"key": {"type": "uuid", "refTable": "Interface"}, "min": 1, "max": "unlimited"}}}}
  }})");

const std::string kBr = "11111111-1111-1111-1111-111111111111";
const std::string kP1 = "22222222-2222-2222-2222-222222222221";
const std::string kP2 = "22222222-2222-2222-2222-222222222222";
const std::string kP3 = "22222222-2222-2222-2222-222222222223";

json u(const std::string& s) { return json::array({"uuid", s}); }

class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cols = schema_columns(kSchema);
    ASSERT_TRUE(cols) << cols.error().message;
    replica_.set_columns(*cols);
    // As ovsdb-server sends it: columns at their default left out, a set of one as a bare atom.
    apply(R"({"Bridge": {")" + kBr + R"(": {"initial": {"name": "br0", "ports": ["uuid", ")" + kP1 +
          R"("], "external_ids": ["map", [["a", "1"], ["b", "2"]]]}}}})");
  }
  void apply(const std::string& update2) {
    auto r = replica_.apply_update2(json::parse(update2));
    ASSERT_TRUE(r) << r.error().message;
  }
  void modify(const json& diff) { apply(json({{"Bridge", {{kBr, {{"modify", diff}}}}}}).dump()); }
  const Row& br() { return *replica_.row("Bridge", kBr); }
  std::set<std::string> ports() { return *column_uuid_set(br(), "ports"); }
  std::map<std::string, std::string> ids() { return *column_string_map(br(), "external_ids"); }

  Replica replica_;
};

TEST_F(ReplicaTest, InitialRowIsCanonicalWithDefaultsPutBack) {
  EXPECT_EQ(br(), json::parse(R"({"name": "br0", "ports": ["set", [["uuid", ")" + kP1 + R"("]]],
      "flood_vlans": ["set", []], "external_ids": ["map", [["a", "1"], ["b", "2"]]],
      "datapath_type": "", "stp_enable": false})"));
  EXPECT_EQ(*column_string(br(), "name"), "br0");
  EXPECT_EQ(*column_string(br(), "datapath_type"), "");
  EXPECT_EQ(ports(), (std::set<std::string>{kP1}));
}

TEST_F(ReplicaTest, SetDiffOfOneElementIsABareAtomAndAddsIt) {
  modify({{"ports", u(kP2)}});
  EXPECT_EQ(ports(), (std::set<std::string>{kP1, kP2}));
}

TEST_F(ReplicaTest, SetDiffTogglesEveryElement) {
  modify({{"ports", json::array({"set", json::array({u(kP2), u(kP3)})})}});
  EXPECT_EQ(ports(), (std::set<std::string>{kP1, kP2, kP3}));
  // One diff both removes (present) and adds (absent): the symmetric difference.
  modify({{"ports", json::array({"set", json::array({u(kP1), u(kP3)})})}});
  EXPECT_EQ(ports(), (std::set<std::string>{kP2}));
  modify({{"ports", u(kP2)}});
  EXPECT_TRUE(ports().empty());
  EXPECT_EQ(br()["ports"], json::parse(R"(["set", []])"));
}

TEST_F(ReplicaTest, SetDiffOfIntegersWithABoundedMax) {
  modify({{"flood_vlans", json::parse(R"(["set", [10, 20]])")}});
  modify({{"flood_vlans", 10}});
  EXPECT_EQ(br()["flood_vlans"], json::parse(R"(["set", [20]])"));
}

TEST_F(ReplicaTest, MapDiffRemovesSameValueAddsNewKeyReplacesChangedValue) {
  modify({{"external_ids", json::parse(R"(["map", [["a", "1"], ["b", "20"], ["c", "3"]]])")}});
  EXPECT_EQ(ids(), (std::map<std::string, std::string>{{"b", "20"}, {"c", "3"}}));
  EXPECT_EQ(br()["external_ids"], json::parse(R"(["map", [["b", "20"], ["c", "3"]]])"));
}

TEST_F(ReplicaTest, ScalarsAreReplacedAndUntouchedColumnsKept) {
  modify({{"name", "br1"}, {"stp_enable", true}});
  EXPECT_EQ(*column_string(br(), "name"), "br1");
  EXPECT_EQ(br()["stp_enable"], true);
  EXPECT_EQ(ports(), (std::set<std::string>{kP1}));
  EXPECT_EQ(ids().size(), 2u);
}

TEST_F(ReplicaTest, OptionalValueIsReplacedNotToggled) {
  apply(R"({"Port": {")" + kP1 + R"(": {"insert": {"name": "p1", "interfaces": ["uuid", "i1"]}}}})");
  const Row* p = replica_.row("Port", kP1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*column_int(*p, "tag"), std::nullopt);  // empty, not 0
  auto mod = [&](json tag) { apply(json({{"Port", {{kP1, {{"modify", {{"tag", tag}}}}}}}}).dump()); };
  mod(5);
  EXPECT_EQ(*column_int(*replica_.row("Port", kP1), "tag"), 5);
  // The new value, not a toggle: 5 -> 7 is sent as 7 (a set diff would be ["set",[5,7]]).
  mod(7);
  EXPECT_EQ(*column_int(*replica_.row("Port", kP1), "tag"), 7);
  mod(json::parse(R"(["set", []])"));
  EXPECT_EQ(*column_int(*replica_.row("Port", kP1), "tag"), std::nullopt);
  mod(0);
  EXPECT_EQ(*column_int(*replica_.row("Port", kP1), "tag"), 0);
}

TEST_F(ReplicaTest, InsertAndDelete) {
  apply(R"({"Port": {")" + kP2 + R"(": {"insert": {"name": "p2", "interfaces": ["uuid", "i2"]}}}})");
  EXPECT_EQ(replica_.size("Port"), 1u);
  apply(R"({"Port": {")" + kP2 + R"(": {"delete": null}}, "Bridge": {")" + kBr + R"(": {"delete": null}}})");
  EXPECT_EQ(replica_.size("Port"), 0u);
  EXPECT_EQ(replica_.row("Bridge", kBr), nullptr);
  // Deleting what is not there leaves the same end state: not an error.
  apply(R"({"Port": {")" + kP2 + R"(": {"delete": null}}})");
}

TEST_F(ReplicaTest, ModifyOfAnUnknownRowIsAnError) {
  auto r = replica_.apply_update2(json::parse(R"({"Bridge": {"nope": {"modify": {"name": "x"}}}})"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("nope"), std::string::npos) << r.error().message;
}

TEST_F(ReplicaTest, MalformedUpdatesAreErrorsNotExceptions) {
  for (const char* bad : {R"([])", R"({"Bridge": []})", R"({"Bridge": {"x": {"insert": {}, "delete": null}}})",
                          R"({"Bridge": {"x": {"upsert": {}}}})", R"({"Bridge": {"x": {"insert": 5}}})"}) {
    Replica r;
    EXPECT_FALSE(r.apply_update2(json::parse(bad))) << bad;
  }
  // A map diff that is not a map.
  auto r = replica_.apply_update2(json({{"Bridge", {{kBr, {{"modify", {{"external_ids", 5}}}}}}}}));
  EXPECT_FALSE(r);
  // A set element that is an array but not a uuid.
  r = replica_.apply_update2(json({{"Bridge", {{kBr, {{"modify", {{"ports", json::array({1, 2})}}}}}}}}));
  EXPECT_FALSE(r);
}

TEST_F(ReplicaTest, ClearForgetsEveryRow) {
  replica_.clear();
  EXPECT_TRUE(replica_.tables().empty());
  EXPECT_EQ(replica_.row("Bridge", kBr), nullptr);
}

TEST(ReplicaUpdate, OldNewUpdatesBuildTheSameReplicaAsUpdate2) {
  auto cols = schema_columns(kSchema);
  ASSERT_TRUE(cols);
  Replica v1, v2;
  v1.set_columns(*cols);
  v2.set_columns(*cols);
  // monitor sends every column, defaults included, in "new"; "old" only for what changed.
  ASSERT_TRUE(v1.apply_update(json::parse(R"({"Bridge": {")" + kBr + R"(": {"new": {"name": "br0",
      "ports": ["uuid", ")" + kP1 + R"("], "flood_vlans": ["set", []], "external_ids": ["map", [["a", "1"]]],
      "datapath_type": "", "stp_enable": false}}}})")));
  ASSERT_TRUE(v1.apply_update(json::parse(R"({"Bridge": {")" + kBr + R"(": {"old": {"ports": ["uuid", ")" + kP1 +
      R"("]}, "new": {"name": "br0", "ports": ["set", [["uuid", ")" + kP2 + R"("], ["uuid", ")" + kP1 +
      R"("]]], "flood_vlans": ["set", []], "external_ids": ["map", [["a", "1"]]], "datapath_type": "",
      "stp_enable": false}}}})")));
  ASSERT_TRUE(v2.apply_update2(json::parse(R"({"Bridge": {")" + kBr + R"(": {"initial": {"name": "br0",
      "ports": ["uuid", ")" + kP1 + R"("], "external_ids": ["map", [["a", "1"]]]}}}})")));
  ASSERT_TRUE(v2.apply_update2(json::parse(R"({"Bridge": {")" + kBr + R"(": {"modify": {"ports": ["uuid", ")" + kP2 +
      R"("]}}}})")));
  EXPECT_EQ(v1.tables(), v2.tables());
  // A row with only "old" is a delete.
  ASSERT_TRUE(v1.apply_update(json::parse(R"({"Bridge": {")" + kBr + R"(": {"old": {"name": "br0"}}}})")));
  EXPECT_EQ(v1.size("Bridge"), 0u);
}

TEST(ReplicaWithoutSchema, KeepsColumnsAsReceivedAndGuessesDiffsByForm) {
  Replica r;
  ASSERT_TRUE(r.apply_update2(json::parse(R"({"T": {"x": {"initial": {"s": ["set", [1, 2]], "m": ["map", [["k", "v"]]], "n": 1}}}})")));
  ASSERT_TRUE(r.apply_update2(json::parse(R"({"T": {"x": {"modify": {"s": ["set", [2, 3]], "m": ["map", [["k", "v"], ["j", "w"]]], "n": 2}}}})")));
  EXPECT_EQ(*r.row("T", "x"), json::parse(R"({"s": ["set", [1, 3]], "m": ["map", [["j", "w"]]], "n": 2})"));
}

TEST(ColumnReaders, WrongTypeOrMissingColumnIsAnError) {
  const json row = json::parse(R"({"name": "br0", "n": 3, "ports": ["set", [["uuid", "a"], 7]], "ids": ["map", [["k", 1]]]})");
  EXPECT_FALSE(column_string(row, "n"));
  EXPECT_FALSE(column_int(row, "name"));
  EXPECT_FALSE(column_uuid_set(row, "ports"));
  EXPECT_FALSE(column_string_map(row, "ids"));
  auto missing = column_string(row, "absent");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::NotFound);
  EXPECT_EQ(**column_int(row, "n"), 3);
}

}  // namespace

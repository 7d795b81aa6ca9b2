// The transact operations hostnet sends, against the exact JSON (keys sorted, as nlohmann
// dumps objects).
#include "plugins/ovs/ovsdb/operations.h"

#include <gtest/gtest.h>

using namespace hostnet::ovsdb;
using namespace std::chrono_literals;

namespace {

TEST(OvsdbOperations, Values) {
  EXPECT_EQ(uuid("u1").dump(), R"(["uuid","u1"])");
  EXPECT_EQ(named_uuid("p0").dump(), R"(["named-uuid","p0"])");
  EXPECT_EQ(set_of({named_uuid("p0"), named_uuid("p1")}).dump(), R"(["set",[["named-uuid","p0"],["named-uuid","p1"]]])");
  EXPECT_EQ(set_of({}).dump(), R"(["set",[]])");
  EXPECT_EQ(string_map({{"hostnet-owner", "test"}, {"a", "b"}}).dump(), R"(["map",[["a","b"],["hostnet-owner","test"]]])");
}

TEST(OvsdbOperations, Conditions) {
  EXPECT_EQ(uuid_is("u1").dump(), R"(["_uuid","==",["uuid","u1"]])");
  EXPECT_EQ(column_is("name", "br0").dump(), R"(["name","==","br0"])");
  EXPECT_EQ(condition("tag", "<", 10).dump(), R"(["tag","<",10])");
}

TEST(OvsdbOperations, InsertWithUuidName) {
  EXPECT_EQ(op::insert("Port", {{"name", "p0"}, {"interfaces", named_uuid("i0")}}, "p0").dump(),
            R"({"op":"insert","row":{"interfaces":["named-uuid","i0"],"name":"p0"},"table":"Port","uuid-name":"p0"})");
  EXPECT_EQ(op::insert("Open_vSwitch", json::object()).dump(), R"({"op":"insert","row":{},"table":"Open_vSwitch"})");
}

TEST(OvsdbOperations, MutateInsertsIntoASet) {
  EXPECT_EQ(op::mutate("Bridge", {uuid_is("b1")}, {set_insert("ports", {named_uuid("p0")})}).dump(),
            R"({"mutations":[["ports","insert",["set",[["named-uuid","p0"]]]]],"op":"mutate","table":"Bridge",)"
            R"("where":[["_uuid","==",["uuid","b1"]]]})");
  EXPECT_EQ(set_delete("ports", {uuid("p9")}).dump(), R"(["ports","delete",["set",[["uuid","p9"]]]])");
  EXPECT_EQ(map_insert("external_ids", {{"k", "v"}}).dump(), R"(["external_ids","insert",["map",[["k","v"]]]])");
  EXPECT_EQ(map_delete_keys("external_ids", {"k"}).dump(), R"(["external_ids","delete",["set",["k"]]])");
  EXPECT_EQ(mutation("n", "+=", 1).dump(), R"(["n","+=",1])");
}

TEST(OvsdbOperations, UpdateSelectDelete) {
  EXPECT_EQ(op::update("Bridge", {column_is("name", "br0")}, {{"stp_enable", true}}).dump(),
            R"({"op":"update","row":{"stp_enable":true},"table":"Bridge","where":[["name","==","br0"]]})");
  EXPECT_EQ(op::select("Bridge", {}, {"name", "ports"}).dump(),
            R"({"columns":["name","ports"],"op":"select","table":"Bridge","where":[]})");
  EXPECT_EQ(op::select("Bridge", {column_is("name", "br0")}).dump(),
            R"({"op":"select","table":"Bridge","where":[["name","==","br0"]]})");
  EXPECT_EQ(op::delete_rows("Port", {uuid_is("p1")}).dump(),
            R"({"op":"delete","table":"Port","where":[["_uuid","==",["uuid","p1"]]]})");
}

TEST(OvsdbOperations, WaitAndComment) {
  EXPECT_EQ(op::wait("Interface", {column_is("name", "p0")}, {"ofport"}, "!=", {{{"ofport", set_of({})}}}, 2000ms).dump(),
            R"({"columns":["ofport"],"op":"wait","rows":[{"ofport":["set",[]]}],"table":"Interface","timeout":2000,)"
            R"("until":"!=","where":[["name","==","p0"]]})");
  EXPECT_EQ(op::wait("Bridge", {}, {"name"}, "==", {}).dump(),
            R"({"columns":["name"],"op":"wait","rows":[],"table":"Bridge","until":"==","where":[]})");
  EXPECT_EQ(op::comment("hostnet: add port p0").dump(), R"({"comment":"hostnet: add port p0","op":"comment"})");
}

}  // namespace

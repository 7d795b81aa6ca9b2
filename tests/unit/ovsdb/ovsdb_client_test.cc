// The client without a server: turning transact replies into results or OVSDB's errors, the
// schema version check, column types, the reconnect backoff, and the monitor against a scripted
// server (a fallback to plain monitor, updates arriving with the monitor reply).
#include "plugins/ovs/ovsdb/ovsdb_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

#include "common/backoff.h"
#include "plugins/ovs/ovsdb/operations.h"
#include "plugins/ovs/ovsdb/schema.h"

using namespace hostnet;
using namespace hostnet::ovsdb;
using namespace std::chrono_literals;

namespace {

const json kOps = json::array({op::insert("Bridge", {{"name", "br0"}}, "br"),
                               op::mutate("Open_vSwitch", {}, {set_insert("bridges", {named_uuid("br")})})});

TEST(TransactResults, OneResultPerOperation) {
  auto r = transact_results(kOps, json::parse(R"([{"uuid": ["uuid", "b1"]}, {"count": 1}])"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[1]["count"], 1);
}

TEST(TransactResults, AnOperationsErrorNamesItWithOvsdbsText) {
  auto r = transact_results(kOps, json::parse(R"([{"uuid": ["uuid", "b1"]},
      {"error": "referential integrity violation", "details": "cannot delete Port row"}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Conflict);
  EXPECT_EQ(r.error().message,
            "OVSDB transaction failed at operation 2 (mutate): referential integrity violation: cannot delete Port row");
}

TEST(TransactResults, NotAttemptedOperationsAfterAnErrorAreNull) {
  auto r = transact_results(kOps, json::parse(R"([{"error": "syntax error", "details": "bad row"}, null])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::InvalidArgument);
  EXPECT_NE(r.error().message.find("operation 1 (insert): syntax error: bad row"), std::string::npos);
}

TEST(TransactResults, AFailedCommitIsAnExtraErrorElement) {
  // What ovsdb-server answers for a second bridge with an existing name: every operation worked,
  // the commit did not.
  auto r = transact_results(kOps, json::parse(R"([{"uuid": ["uuid", "b1"]}, {"count": 1},
      {"error": "constraint violation", "details": "Transaction causes multiple rows in \"Bridge\" table to have identical values (\"br0\") for index on column \"name\"."}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::Conflict);
  EXPECT_EQ(r.error().message.rfind("OVSDB transaction failed to commit: constraint violation: Transaction causes", 0), 0u)
      << r.error().message;
}

TEST(TransactResults, FewerResultsThanOperationsIsAnError) {
  auto r = transact_results(kOps, json::parse(R"([{"uuid": ["uuid", "b1"]}])"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "OVSDB transaction returned 1 results for 2 operations");
}

TEST(TransactResults, MalformedRepliesAreErrors) {
  EXPECT_FALSE(transact_results(kOps, json::object()));
  EXPECT_FALSE(transact_results(kOps, json::parse(R"([{"count": 1}, null])")));
  EXPECT_FALSE(transact_results(kOps, json::parse(R"([{"count": 1}, {"error": 7}])")));
}

TEST(SchemaVersion, OpenVswitchNeedsMajor8AndReportsTheVersion) {
  auto ok = check_open_vswitch_schema(json::parse(R"({"version": "8.3.1"})"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->major, 8);
  EXPECT_EQ(ok->minor, 3);
  EXPECT_EQ(ok->patch, 1);
  EXPECT_EQ(ok->text, "8.3.1");
  auto old = check_open_vswitch_schema(json::parse(R"({"version": "7.16.1"})"));
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, Errc::Unsupported);
  EXPECT_NE(old.error().message.find("7.16.1"), std::string::npos);
  for (const char* bad : {R"({})", R"({"version": 8})", R"({"version": "8.3"})", R"({"version": "8.3.1x"})",
                          R"({"version": "a.b.c"})", R"([])"})
    EXPECT_FALSE(check_open_vswitch_schema(json::parse(bad))) << bad;
}

TEST(ColumnTypes, KindAndDefault) {
  auto t = [](const char* type) {
    auto r = column_type(json::parse(type));
    EXPECT_TRUE(r) << type;
    return r ? *r : ColumnType{};
  };
  EXPECT_EQ(t(R"("string")").kind, ColumnType::Kind::Scalar);
  EXPECT_EQ(t(R"("string")").default_value, "");
  EXPECT_EQ(t(R"("integer")").default_value, 0);
  EXPECT_EQ(t(R"({"key": "uuid"})").default_value, json::parse(R"(["uuid", "00000000-0000-0000-0000-000000000000"])"));
  auto optional = t(R"({"key": {"type": "integer"}, "min": 0, "max": 1})");
  EXPECT_EQ(optional.kind, ColumnType::Kind::Scalar);
  EXPECT_EQ(optional.default_value, json::parse(R"(["set", []])"));
  auto set = t(R"({"key": {"type": "uuid", "refTable": "Port"}, "min": 0, "max": "unlimited"})");
  EXPECT_EQ(set.kind, ColumnType::Kind::Set);
  EXPECT_EQ(t(R"({"key": "integer", "min": 0, "max": 4096})").kind, ColumnType::Kind::Set);
  auto map = t(R"({"key": "string", "value": "string", "min": 0, "max": "unlimited"})");
  EXPECT_EQ(map.kind, ColumnType::Kind::Map);
  EXPECT_EQ(map.default_value, json::parse(R"(["map", []])"));
  EXPECT_FALSE(column_type(json::parse(R"("float")")));
  EXPECT_FALSE(column_type(json::parse(R"({"min": 0})")));
  EXPECT_FALSE(column_type(json::parse(R"({"key": "string", "max": "lots"})")));
}

TEST(Backoff, DoublesFromATenthOfASecondToFiveSecondsAndResets) {
  Backoff b;
  std::vector<long> waits;
  for (int i = 0; i < 9; ++i) waits.push_back(static_cast<long>(b.next().count()));
  EXPECT_EQ(waits, (std::vector<long>{100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000}));
  b.reset();
  EXPECT_EQ(b.next(), 100ms);
}

// A scripted OVSDB server on the far end of a socketpair, in a thread: answers each request
// with what `answer` returns for it (a JSON text of one or more messages, the reply first).
class ScriptedServer {
 public:
  using Answer = std::function<std::string(const std::string& method, const json& id)>;
  ScriptedServer(hostnet::UniqueFd fd, Answer answer) : fd_(std::move(fd)), answer_(std::move(answer)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_.get(), SHUT_RDWR);
    thread_.join();
  }
  // What the client asked, in order.
  std::vector<std::string> methods() {
    std::lock_guard<std::mutex> lock(mutex_);
    return methods_;
  }

 private:
  void serve() {
    JsonSplitter splitter;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n <= 0) return;
      std::vector<std::string> texts;
      if (!splitter.feed(std::string_view(buf, static_cast<size_t>(n)), texts)) return;
      for (const auto& t : texts) {
        json req = json::parse(t);
        {
          std::lock_guard<std::mutex> lock(mutex_);
          methods_.push_back(req["method"]);
        }
        std::string out = answer_(req["method"], req["id"]);
        if (::write(fd_.get(), out.data(), out.size()) != static_cast<ssize_t>(out.size())) return;
      }
    }
  }
  hostnet::UniqueFd fd_;
  Answer answer_;
  std::mutex mutex_;
  std::vector<std::string> methods_;
  std::thread thread_;
};

const char* kSmallSchema = R"({"name": "Open_vSwitch", "version": "8.3.1", "tables": {"Bridge": {"columns": {
    "name": {"type": "string"},
    "ports": {"type": {"key": {"type": "uuid", "refTable": "Port"}, "min": 0, "max": "unlimited"}}}}}})";

std::string reply(const json& id, const std::string& result) {
  return R"({"id":)" + id.dump() + R"(,"result":)" + result + R"(,"error":null})";
}

struct ClientOverSocketpair {
  ClientOverSocketpair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    server_end.reset(sv[1]);
    auto rpc = JsonRpc::adopt(hostnet::UniqueFd(sv[0]), "scripted server");
    EXPECT_TRUE(rpc);
    client = std::make_unique<OvsdbClient>(std::move(*rpc), 2s);
  }
  hostnet::UniqueFd server_end;
  std::unique_ptr<OvsdbClient> client;
};

TEST(OvsdbClientMonitor, FallsBackToMonitorWhenTheServerDoesNotKnowMonitorCond) {
  ClientOverSocketpair c;
  ScriptedServer server(std::move(c.server_end), [](const std::string& method, const json& id) -> std::string {
    if (method == "get_schema") return reply(id, kSmallSchema);
    if (method == "monitor_cond") return R"({"id":)" + id.dump() + R"(,"result":null,"error":"unknown method"})";
    if (method == "monitor")
      return reply(id, R"({"Bridge": {"b1": {"new": {"name": "br0", "ports": ["set", []]}}}})") +
             R"({"method":"update","params":["hostnet",{"Bridge":{"b1":{"old":{"ports":["set",[]]},"new":{"name":"br0","ports":["uuid","p1"]}}}}],"id":null})";
    return R"({"id":)" + id.dump() + R"(,"result":null,"error":"unexpected"})";
  });
  Replica replica;
  auto used = c.client->monitor(MonitorSpec{"Open_vSwitch", {{"Bridge", {}}}}, replica);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(*used, MonitorMethod::Monitor);
  EXPECT_EQ(server.methods(), (std::vector<std::string>{"get_schema", "monitor_cond", "monitor"}));
  // The update that came with the reply is applied after the initial rows, not lost under them.
  ASSERT_NE(replica.row("Bridge", "b1"), nullptr);
  EXPECT_EQ(*column_uuid_set(*replica.row("Bridge", "b1"), "ports"), (std::set<std::string>{"p1"}));
}

TEST(OvsdbClientMonitor, ReplacesTheReplicaAndKeepsItUpdated) {
  ClientOverSocketpair c;
  ScriptedServer server(std::move(c.server_end), [](const std::string& method, const json& id) -> std::string {
    if (method == "get_schema") return reply(id, kSmallSchema);
    if (method == "monitor_cond") return reply(id, R"({"Bridge": {"b1": {"initial": {"name": "br0"}}}})");
    if (method == "echo")  // stands in for a later change: the reply, then an update2
      return reply(id, R"(["hostnet"])") +
             R"({"method":"update2","params":["hostnet",{"Bridge":{"b1":{"modify":{"ports":["uuid","p1"]}}}}],"id":null})" +
             R"({"method":"update2","params":["someone else's monitor",{"Bridge":{"b1":{"delete":null}}}],"id":null})";
    return R"({"id":)" + id.dump() + R"(,"result":null,"error":"unexpected"})";
  });
  Replica replica;
  ASSERT_TRUE(replica.apply_update2(json::parse(R"({"Bridge": {"stale": {"initial": {"name": "old"}}}})")));
  auto used = c.client->monitor(MonitorSpec{"Open_vSwitch", {{"Bridge", {"name", "ports"}}}}, replica);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(*used, MonitorMethod::MonitorCond);
  EXPECT_EQ(replica.row("Bridge", "stale"), nullptr);
  EXPECT_EQ(replica.size("Bridge"), 1u);
  EXPECT_TRUE(column_uuid_set(*replica.row("Bridge", "b1"), "ports")->empty());
  ASSERT_TRUE(c.client->echo());
  EXPECT_EQ(*column_uuid_set(*replica.row("Bridge", "b1"), "ports"), (std::set<std::string>{"p1"}));
  EXPECT_EQ(replica.size("Bridge"), 1u);  // the other monitor's notification is not ours
  // A second monitor on the same client is refused.
  EXPECT_FALSE(c.client->monitor(MonitorSpec{"Open_vSwitch", {{"Bridge", {}}}}, replica));
}

TEST(OvsdbClientMonitor, AnUnknownTableOrColumnIsNotFound) {
  ClientOverSocketpair c;
  ScriptedServer server(std::move(c.server_end), [](const std::string&, const json& id) { return reply(id, kSmallSchema); });
  Replica replica;
  auto t = c.client->monitor(MonitorSpec{"Open_vSwitch", {{"Brige", {}}}}, replica);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, Errc::NotFound);
  auto col = c.client->monitor(MonitorSpec{"Open_vSwitch", {{"Bridge", {"nmae"}}}}, replica);
  ASSERT_FALSE(col);
  EXPECT_EQ(col.error().code, Errc::NotFound);
}

TEST(OvsdbClientSchema, ARefusedSchemaVersionNamesIt) {
  ClientOverSocketpair c;
  ScriptedServer server(std::move(c.server_end),
                        [](const std::string&, const json& id) { return reply(id, R"({"name": "Open_vSwitch", "version": "9.0.0", "tables": {}})"); });
  auto s = c.client->get_schema("Open_vSwitch");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::Unsupported);
  EXPECT_NE(s.error().message.find("9.0.0"), std::string::npos);
}

}  // namespace

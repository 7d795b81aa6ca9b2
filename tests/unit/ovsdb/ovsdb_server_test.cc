// The OVSDB client against a real ovsdb-server with the real vswitch schema, each test with a
// server of its own in a temp dir (started as a child, killed by pid in the fixture's teardown
// whatever happens). The scenario is what the ovs backend will do: a bridge tagged as hostnet's,
// ports added one mutate at a time, a refused duplicate, and a server that crashes and restarts.
#include <poll.h>
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <thread>

#include "plugins/ovs/ovsdb/operations.h"
#include "plugins/ovs/ovsdb/ovsdb_client.h"
#include "plugins/ovs/ovsdb/session.h"
#include "plugins/ovs/ovsdb/test_server.h"

using namespace hostnet;
using namespace hostnet::ovsdb;
using namespace std::chrono_literals;

namespace {

const MonitorSpec kSpec{"Open_vSwitch",
                        {{"Open_vSwitch", {"bridges"}},
                         {"Bridge", {"name", "ports", "external_ids"}},
                         {"Port", {"name", "interfaces"}},
                         {"Interface", {"name", "type"}}}};

// Runs `readable` whenever fd turns readable until `done` holds or the time is up: how the
// daemon's event loop will drive the client.
bool pump(const std::function<int()>& fd, const std::function<Result<void>()>& readable,
          const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    pollfd p{fd(), POLLIN, 0};
    if (::poll(&p, 1, 10) == 1)
      if (auto r = readable(); !r) return done();
  }
  return true;
}
bool pump(OvsdbClient& c, const std::function<bool()>& done) {
  return pump([&] { return c.fd(); }, [&] { return c.on_readable(); }, done);
}

std::string inserted_uuid(const json& result) { return result.at("uuid").at(1).get<std::string>(); }

// One port: an Interface, a Port holding it, and the Port added to the bridge's set by a
// mutate — never by rewriting Bridge.ports.
json add_port_ops(const std::string& bridge_uuid, const std::string& name) {
  return json::array({op::insert("Interface", {{"name", name}, {"type", "internal"}}, "i"),
                      op::insert("Port", {{"name", name}, {"interfaces", named_uuid("i")}}, "p"),
                      op::mutate("Bridge", {uuid_is(bridge_uuid)}, {set_insert("ports", {named_uuid("p")})})});
}

json add_bridge_ops(const std::string& name) {
  return json::array({op::insert("Bridge", {{"name", name}, {"external_ids", string_map({{"hostnet-owner", "test"}})}}, "br"),
                      // A Bridge that Open_vSwitch.bridges does not reference is garbage-collected.
                      op::mutate("Open_vSwitch", {}, {set_insert("bridges", {named_uuid("br")})}),
                      op::comment("hostnet test: add bridge " + name)});
}

class OvsdbServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!TestOvsdbServer::available()) GTEST_SKIP() << "ovsdb-server is not installed (apt-get install openvswitch-switch)";
    auto s = TestOvsdbServer::start();
    ASSERT_TRUE(s) << s.error().message;
    server_ = std::move(*s);
    // The one Open_vSwitch row ovs-vsctl init would make.
    auto c = OvsdbClient::connect(server_->socket_path());
    ASSERT_TRUE(c) << c.error().message;
    auto r = (*c)->transact("Open_vSwitch", json::array({op::insert("Open_vSwitch", json::object())}));
    ASSERT_TRUE(r) << r.error().message;
  }
  // The server goes with the fixture (by pid), pass or fail.
  void TearDown() override { server_.reset(); }

  std::unique_ptr<TestOvsdbServer> server_;
};

TEST_F(OvsdbServerTest, SchemaTransactMonitorPortsAndARefusedDuplicate) {
  auto client = OvsdbClient::connect(server_->socket_path());
  ASSERT_TRUE(client) << client.error().message;
  OvsdbClient& c = **client;

  auto schema = c.get_schema("Open_vSwitch");
  ASSERT_TRUE(schema) << schema.error().message;
  EXPECT_EQ(schema->version.major, 8);
  std::cout << "Open_vSwitch schema version " << schema->version.text << "\n";
  ASSERT_TRUE(c.echo());

  Replica replica;
  auto method = c.monitor(kSpec, replica);
  ASSERT_TRUE(method) << method.error().message;
  EXPECT_EQ(*method, MonitorMethod::MonitorCond);
  EXPECT_EQ(replica.size("Open_vSwitch"), 1u);
  EXPECT_EQ(replica.size("Bridge"), 0u);

  auto added = c.transact("Open_vSwitch", add_bridge_ops("br0"));
  ASSERT_TRUE(added) << added.error().message;
  ASSERT_EQ(added->size(), 3u);
  const std::string br = inserted_uuid((*added)[0]);
  ASSERT_TRUE(pump(c, [&] { return replica.row("Bridge", br) != nullptr; })) << "the bridge never reached the replica";
  const Row& bridge = *replica.row("Bridge", br);
  EXPECT_EQ(*column_string(bridge, "name"), "br0");
  EXPECT_EQ(column_string_map(bridge, "external_ids")->at("hostnet-owner"), "test");
  EXPECT_EQ(*column_uuid_set(replica.table("Open_vSwitch").begin()->second, "bridges"), (std::set<std::string>{br}));

  std::set<std::string> ports;
  for (const char* name : {"p0", "p1", "p2"}) {
    auto r = c.transact("Open_vSwitch", add_port_ops(br, name));
    ASSERT_TRUE(r) << r.error().message;
    ports.insert(inserted_uuid((*r)[1]));
  }
  ASSERT_TRUE(pump(c, [&] { return column_uuid_set(*replica.row("Bridge", br), "ports")->size() == 3; }));
  EXPECT_EQ(*column_uuid_set(*replica.row("Bridge", br), "ports"), ports);
  EXPECT_EQ(replica.size("Port"), 3u);
  EXPECT_EQ(replica.size("Interface"), 3u);
  for (const auto& p : ports) {
    ASSERT_NE(replica.row("Port", p), nullptr);
    auto ifaces = column_uuid_set(*replica.row("Port", p), "interfaces");
    ASSERT_TRUE(ifaces && ifaces->size() == 1);
    EXPECT_NE(replica.row("Interface", *ifaces->begin()), nullptr);
  }

  // Bridge.name is an index: a second br0 is refused at commit, with OVSDB's words, and
  // nothing of the transaction stays.
  auto dup = c.transact("Open_vSwitch", add_bridge_ops("br0"));
  ASSERT_FALSE(dup);
  std::cout << "duplicate bridge: " << dup.error().message << "\n";
  EXPECT_EQ(dup.error().code, Errc::Conflict);
  EXPECT_NE(dup.error().message.find("constraint violation"), std::string::npos) << dup.error().message;
  EXPECT_NE(dup.error().message.find("br0"), std::string::npos) << dup.error().message;
  auto rows = c.transact("Open_vSwitch", json::array({op::select("Bridge", {}, {"name"})}));
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ((*rows)[0]["rows"].size(), 1u);

  // An operation's own error names the operation.
  auto bad = c.transact("Open_vSwitch", json::array({op::comment("x"), op::mutate("Bridge", {uuid_is(br)},
                                                     {set_insert("no_such_column", {1})})}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("operation 2 (mutate)"), std::string::npos) << bad.error().message;
  // The connection carries on, and the replica saw no change from either failure.
  ASSERT_TRUE(c.echo());
  ASSERT_TRUE(c.on_readable());
  EXPECT_EQ(replica.size("Bridge"), 1u);
  EXPECT_EQ(replica.size("Port"), 3u);

  // A deleted port leaves the replica's set and table.
  const std::string gone = *ports.begin();
  auto del = c.transact("Open_vSwitch", json::array({op::mutate("Bridge", {uuid_is(br)}, {set_delete("ports", {uuid(gone)})})}));
  ASSERT_TRUE(del) << del.error().message;
  ASSERT_TRUE(pump(c, [&] { return replica.row("Port", gone) == nullptr; }));
  EXPECT_EQ(column_uuid_set(*replica.row("Bridge", br), "ports")->size(), 2u);
  EXPECT_EQ(replica.size("Interface"), 2u);  // garbage-collected with its Port
}

TEST_F(OvsdbServerTest, PlainMonitorBuildsTheSameReplicaAsMonitorCond) {
  auto a = OvsdbClient::connect(server_->socket_path());
  auto b = OvsdbClient::connect(server_->socket_path());
  ASSERT_TRUE(a && b);
  Replica cond, plain;
  ASSERT_EQ(*(*a)->monitor(kSpec, cond, MonitorMethod::MonitorCond), MonitorMethod::MonitorCond);
  ASSERT_EQ(*(*b)->monitor(kSpec, plain, MonitorMethod::Monitor), MonitorMethod::Monitor);

  auto added = (*a)->transact("Open_vSwitch", add_bridge_ops("br1"));
  ASSERT_TRUE(added) << added.error().message;
  const std::string br = inserted_uuid((*added)[0]);
  for (const char* name : {"q0", "q1"}) ASSERT_TRUE((*a)->transact("Open_vSwitch", add_port_ops(br, name)));
  ASSERT_TRUE((*a)->transact("Open_vSwitch", json::array({op::mutate("Bridge", {uuid_is(br)},
                                                          {map_insert("external_ids", {{"k", "v"}})})})));
  auto settled = [&](Replica& r) {
    const Row* row = r.row("Bridge", br);
    return row && column_string_map(*row, "external_ids")->count("k") == 1 && r.size("Port") == 2;
  };
  ASSERT_TRUE(pump(**a, [&] { return settled(cond); }));
  ASSERT_TRUE(pump(**b, [&] { return settled(plain); }));
  EXPECT_EQ(cond.tables(), plain.tables());
}

TEST_F(OvsdbServerTest, SessionReconnectsWithBackoffAndRebuildsTheReplica) {
  OvsdbSession session(SessionOptions{server_->socket_path(), kSpec});
  ASSERT_TRUE(session.connect_with_backoff(5s));
  EXPECT_EQ(session.schema_version().major, 8);
  auto added = session.transact(add_bridge_ops("br0"));
  ASSERT_TRUE(added) << added.error().message;
  const std::string br = inserted_uuid((*added)[0]);
  std::vector<std::string> ports;
  for (const char* name : {"p0", "p1", "p2"}) {
    auto r = session.transact(add_port_ops(br, name));
    ASSERT_TRUE(r) << r.error().message;
    ports.push_back(inserted_uuid((*r)[1]));
  }
  auto session_pump = [&](const std::function<bool()>& done) {
    return pump([&] { return session.fd(); }, [&] { return session.on_readable(); }, done);
  };
  ASSERT_TRUE(session_pump([&] { return session.replica().size("Port") == 3; }));
  const auto before = session.replica().tables();

  // A crash: the client sees the connection go, then reconnects while the server comes back.
  ASSERT_TRUE(server_->kill());
  ASSERT_TRUE(session_pump([&] { return !session.connected(); }));
  Result<void> reconnected;
  const auto t0 = std::chrono::steady_clock::now();
  std::thread reconnecting([&] { reconnected = session.connect_with_backoff(10s); });
  std::this_thread::sleep_for(400ms);  // a few refused attempts first
  auto restarted = server_->restart();  // from this (the main) thread: see test_server.h
  reconnecting.join();
  ASSERT_TRUE(restarted) << restarted.error().message;
  ASSERT_TRUE(reconnected) << reconnected.error().message;
  std::cout << "reconnected " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
            << " ms after the crash (server down ~400 ms)\n";
  EXPECT_EQ(session.connections(), 2u);
  EXPECT_EQ(session.replica().tables(), before);  // the same rows, none twice
  EXPECT_EQ(column_uuid_set(*session.replica().row("Bridge", br), "ports")->size(), 3u);

  // Rows deleted while the client was away must not survive the reconnect.
  ASSERT_TRUE(server_->kill());
  ASSERT_TRUE(session_pump([&] { return !session.connected(); }));
  const json offline = json::array({"Open_vSwitch", op::mutate("Bridge", {uuid_is(br)}, {set_delete("ports", {uuid(ports[0])})})});
  ASSERT_TRUE(server_->run({"ovsdb-tool", "transact", server_->db_path(), offline.dump()}));
  ASSERT_TRUE(server_->restart());
  ASSERT_TRUE(session.connect_with_backoff(10s));
  EXPECT_EQ(session.connections(), 3u);
  EXPECT_EQ(session.replica().row("Port", ports[0]), nullptr);
  EXPECT_EQ(session.replica().size("Port"), 2u);
  EXPECT_EQ(session.replica().size("Interface"), 2u);
  EXPECT_EQ(*column_uuid_set(*session.replica().row("Bridge", br), "ports"), (std::set<std::string>{ports[1], ports[2]}));
  // And it still works.
  ASSERT_TRUE(session.transact(add_port_ops(br, "p3")));
  ASSERT_TRUE(session_pump([&] { return session.replica().size("Port") == 3; }));
}

TEST_F(OvsdbServerTest, KeepaliveDropsAHungServerAndAnEventLoopAttemptWaitsForItsEcho) {
  SessionOptions options{server_->socket_path(), kSpec};
  options.probe_interval = 200ms;
  OvsdbSession session(options);
  ASSERT_TRUE(session.connect_once());
  auto session_pump = [&](const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
    return pump([&] { return session.fd(); }, [&] { return session.on_readable(); }, done, limit);
  };
  // A live server answers the probe: the connection stays, however long it is idle.
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(100ms);
    (void)session_pump([] { return false; }, 10ms);  // reads the echo replies, as the loop would
    ASSERT_TRUE(session.keepalive(std::chrono::steady_clock::now())) << "dropped a server that answers";
  }
  EXPECT_TRUE(session.connected());

  // A stopped server keeps its socket open and answers nothing: taken for hung.
  struct Resume {
    pid_t pid;
    ~Resume() { ::kill(pid, SIGCONT); }
  } resume{server_->pid()};
  ASSERT_EQ(::kill(server_->pid(), SIGSTOP), 0);
  Result<void> kept;
  const auto t0 = std::chrono::steady_clock::now();
  while (kept && std::chrono::steady_clock::now() - t0 < 3s) {
    std::this_thread::sleep_for(50ms);
    kept = session.keepalive(std::chrono::steady_clock::now());
  }
  ASSERT_FALSE(kept) << "a stopped ovsdb-server was not noticed";
  EXPECT_NE(kept.error().message.find("taken for hung"), std::string::npos) << kept.error().message;
  EXPECT_FALSE(session.connected());

  // An attempt made the event loop's way connects but waits for the echo: no handshake, no
  // blocking, and it is given up after an interval of silence.
  ASSERT_TRUE(session.begin_connect());
  EXPECT_TRUE(session.connecting());
  EXPECT_FALSE(session_pump([&] { return session.connected(); }, 300ms));
  auto given_up = session.keepalive(std::chrono::steady_clock::now());
  ASSERT_FALSE(given_up);
  EXPECT_NE(given_up.error().message.find("did not answer an echo"), std::string::npos) << given_up.error().message;
  EXPECT_FALSE(session.connecting());

  // Once the server runs again, the next attempt's echo is answered and the handshake follows.
  ASSERT_EQ(::kill(server_->pid(), SIGCONT), 0);
  ASSERT_TRUE(session.begin_connect());
  ASSERT_TRUE(session_pump([&] { return session.connected(); }));
  EXPECT_EQ(session.connections(), 2u);
  EXPECT_EQ(session.replica().size("Open_vSwitch"), 1u);
}

}  // namespace

// Is adding a port to an OVS bridge through OVSDB flat in the number of ports already there?
// One private ovsdb-server (temp dir, no ovs-vswitchd: this is the database's and the client's
// cost only), one client with a monitor_cond replica of Bridge/Port/Interface, as the ovs backend
// will run. Each port is its own transaction: insert Interface, insert Port, and add the Port to
// the bridge with mutate "insert" on Bridge.ports. For comparison, a second bridge grows the same
// way but by rewriting the whole Bridge.ports set with "update", as a client that keeps the set
// itself would.
//
//   bench_ovsdb_ports [--count N] [--no-monitor]   (N default 1000; prints per-transaction round trips)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "plugins/ovs/ovsdb/operations.h"
#include "plugins/ovs/ovsdb/ovsdb_client.h"
#include "plugins/ovs/ovsdb/test_server.h"

using namespace hostnet;
using namespace hostnet::ovsdb;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

[[noreturn]] void die(const std::string& what, const Error& e) {
  std::fprintf(stderr, "bench_ovsdb_ports: %s: %s\n", what.c_str(), e.message.c_str());
  std::exit(1);
}

std::string add_bridge(OvsdbClient& c, const std::string& name) {
  auto r = c.transact("Open_vSwitch",
                      json::array({op::insert("Bridge", {{"name", name}, {"external_ids", string_map({{"hostnet-owner", "bench"}})}}, "br"),
                                   op::mutate("Open_vSwitch", {}, {set_insert("bridges", {named_uuid("br")})})}));
  if (!r) die("adding bridge " + name, r.error());
  return (*r)[0]["uuid"][1].get<std::string>();
}

json port_rows(const std::string& name) {
  return json::array({op::insert("Interface", {{"name", name}, {"type", "internal"}}, "i"),
                      op::insert("Port", {{"name", name}, {"interfaces", named_uuid("i")}}, "p")});
}

void report(const char* how, const std::vector<double>& t) {
  const size_t n = t.size();
  auto at = [&](size_t i) { return i <= n ? t[i - 1] : 0.0; };
  std::printf("%-34s #1 %.2f ms  #10 %.2f ms  #100 %.2f ms  #%zu %.2f ms  | median of first 10 %.2f ms, of last 10 %.2f ms\n",
              how, at(1), at(10), at(100), n, at(n), median({t.begin(), t.begin() + std::min<size_t>(10, n)}),
              median({t.end() - std::min<size_t>(10, n), t.end()}));
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = 1000;
  bool monitor = true;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--count") == 0 && i + 1 < argc) count = std::strtoul(argv[++i], nullptr, 10);
    if (std::strcmp(argv[i], "--no-monitor") == 0) monitor = false;
  }
  if (count == 0) count = 1;
  if (!TestOvsdbServer::available()) {
    std::fprintf(stderr, "bench_ovsdb_ports: ovsdb-server is not installed (apt-get install openvswitch-switch)\n");
    return 1;
  }
  auto server = TestOvsdbServer::start();
  if (!server) die("starting ovsdb-server", server.error());
  auto client = OvsdbClient::connect((*server)->socket_path(), std::chrono::seconds(30));
  if (!client) die("connecting", client.error());
  OvsdbClient& c = **client;
  if (auto r = c.transact("Open_vSwitch", json::array({op::insert("Open_vSwitch", json::object())})); !r)
    die("initialising the database", r.error());
  auto schema = c.get_schema("Open_vSwitch");
  if (!schema) die("get_schema", schema.error());
  Replica replica;
  MonitorSpec spec{"Open_vSwitch", {{"Bridge", {"name", "ports"}}, {"Port", {"name", "interfaces"}}, {"Interface", {"name"}}}};
  if (monitor)
    if (auto m = c.monitor(spec, replica); !m) die("monitor", m.error());

  std::printf("private ovsdb-server (no vswitchd), schema %s, %zu ports per bridge, one transaction per port, %s\n",
              schema->version.text.c_str(), count, monitor ? "client monitors Bridge/Port/Interface" : "no monitor");

  const std::string mutated = add_bridge(c, "bm");
  std::vector<double> mutate_ms;
  for (size_t i = 0; i < count; ++i) {
    json ops = port_rows("m" + std::to_string(i));
    ops.push_back(op::mutate("Bridge", {uuid_is(mutated)}, {set_insert("ports", {named_uuid("p")})}));
    const auto t0 = Clock::now();
    auto r = c.transact("Open_vSwitch", ops);
    mutate_ms.push_back(ms_since(t0));
    if (!r) die("adding port " + std::to_string(i), r.error());
  }

  const std::string rewritten = add_bridge(c, "bu");
  std::vector<json> ports;  // what a client rewriting the set must keep and send every time
  std::vector<double> update_ms;
  for (size_t i = 0; i < count; ++i) {
    json ops = port_rows("u" + std::to_string(i));
    std::vector<json> all = ports;
    all.push_back(named_uuid("p"));
    ops.push_back(op::update("Bridge", {uuid_is(rewritten)}, {{"ports", set_of(all)}}));
    const auto t0 = Clock::now();
    auto r = c.transact("Open_vSwitch", ops);
    update_ms.push_back(ms_since(t0));
    if (!r) die("adding port " + std::to_string(i) + " by update", r.error());
    ports.push_back(uuid((*r)[1]["uuid"][1].get<std::string>()));
  }

  // Both bridges must end with every port, in the replica too (drains the last notifications).
  if (auto e = c.echo(); !e) die("echo", e.error());
  (void)c.on_readable();
  const Row* bm = replica.row("Bridge", mutated);
  const Row* bu = replica.row("Bridge", rewritten);
  if (monitor && (!bm || !bu || column_uuid_set(*bm, "ports")->size() != count || column_uuid_set(*bu, "ports")->size() != count)) {
    std::fprintf(stderr, "bench_ovsdb_ports: the replica does not show %zu ports on each bridge\n", count);
    return 1;
  }

  report("mutate insert into Bridge.ports:", mutate_ms);
  report("update rewriting Bridge.ports:", update_ms);
  double sum_m = 0, sum_u = 0;
  for (double v : mutate_ms) sum_m += v;
  for (double v : update_ms) sum_u += v;
  std::printf("total for %zu ports: mutate %.0f ms, update %.0f ms (update / mutate = %.2fx)\n", count, sum_m, sum_u,
              sum_u / sum_m);
  return 0;
}

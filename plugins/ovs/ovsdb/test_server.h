// A private ovsdb-server for tests and benchmarks: its own temp dir holding the database, the
// socket, the pid file, the control socket and the log, started as a child in the foreground
// (no --detach), so its pid is known and it is stopped by that pid. Nothing outside the temp dir
// is touched, and no other Open vSwitch instance is involved.
//
// The child gets PR_SET_PDEATHSIG(SIGKILL): if the test process dies before its destructor runs,
// the server goes with it. That signal follows the *thread* that forked, so start and restart
// the server from a thread that outlives it (the test's main thread).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace hostnet::ovsdb {

inline constexpr const char* kVswitchSchema = "/usr/share/openvswitch/vswitch.ovsschema";

class TestOvsdbServer {
 public:
  // True when ovsdb-server, ovsdb-tool and the vswitch schema are installed.
  static bool available();
  // Creates the temp dir and DIR/conf.db from `schema`, and starts the server.
  static Result<std::unique_ptr<TestOvsdbServer>> start(const std::string& schema = kVswitchSchema);
  // Kills the server if it runs (SIGKILL, by pid) and removes the temp dir.
  ~TestOvsdbServer();
  TestOvsdbServer(const TestOvsdbServer&) = delete;
  TestOvsdbServer& operator=(const TestOvsdbServer&) = delete;

  const std::string& dir() const { return dir_; }
  std::string db_path() const { return dir_ + "/conf.db"; }
  std::string socket_path() const { return dir_ + "/db.sock"; }
  pid_t pid() const { return pid_; }

  // SIGKILL, as a crash would: no clean shutdown, the socket file left behind.
  Result<void> kill();
  // Starts the server again on the same database and waits until it accepts connections.
  Result<void> restart();
  // Runs a tool to completion: {"ovs-vsctl", "--db=unix:" + socket_path(), "--no-wait", "init"}.
  Result<void> run(const std::vector<std::string>& argv) const;

 private:
  explicit TestOvsdbServer(std::string dir) : dir_(std::move(dir)) {}
  Result<void> spawn();

  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace hostnet::ovsdb

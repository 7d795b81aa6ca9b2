// A connection to OVSDB that survives the server: it connects (checking the schema version and
// starting the monitor), and after the connection is lost it connects again with exponential
// backoff and monitors again, rebuilding the replica from the server's current rows.
//
// Two ways to drive it. The event loop: register fd() for reading, call on_readable(), and call
// keepalive() every second or so; after a loss, call begin_connect() at next_attempt() (fd()
// changes) and go on with on_readable(), which finishes the attempt. Or blocking, at start-up and
// in tests: connect_once(), connect_with_backoff(budget).
//
// Keepalive: a connection the server has been silent on for probe_interval gets an "echo"; if
// the server stays silent another probe_interval it is taken for hung (a stopped or wedged
// ovsdb-server keeps its socket open) and the connection is dropped: callers then fail at once
// instead of waiting on it, and reconnects go on with backoff. An event-loop attempt likewise
// starts with an echo and does its handshake only once the server has answered it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/backoff.h"
#include "plugins/ovs/ovsdb/ovsdb_client.h"
#include "plugins/ovs/ovsdb/replica.h"

namespace hostnet::ovsdb {

struct SessionOptions {
  std::string socket_path;
  MonitorSpec monitor;  // no tables: no monitor, an empty replica
  MonitorMethod method = MonitorMethod::Auto;
  std::chrono::milliseconds timeout = kDefaultTimeout;  // per request
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
  std::chrono::milliseconds probe_interval{5000};
};

class OvsdbSession {
 public:
  using Clock = std::chrono::steady_clock;

  explicit OvsdbSession(SessionOptions options);

  // One attempt, now: connect, get and check the schema, start the monitor. On failure the
  // next attempt is due after the backoff (next_attempt()).
  Result<void> connect_once();
  // Blocks, retrying connect_once() at the backoff's pace until it succeeds or `budget` has
  // passed; the Error then carries the last attempt's reason. At once if already connected.
  Result<void> connect_with_backoff(std::chrono::milliseconds budget);

  // An attempt for the event loop: connects and sends an echo, without waiting. on_readable()
  // does the handshake once the echo is answered; keepalive() gives up on a silent server.
  Result<void> begin_connect();
  bool connecting() const { return candidate_ != nullptr; }

  bool connected() const { return client_ != nullptr; }
  OvsdbClient* client() { return client_.get(); }
  int fd() const { return client_ ? client_->fd() : candidate_ ? candidate_->fd() : -1; }
  Clock::time_point next_attempt() const { return next_attempt_; }
  const SchemaVersion& schema_version() const { return version_; }
  // How many times a connection was made; 2 after one reconnect.
  unsigned connections() const { return connections_; }

  // The replica keeps the last rows it saw while disconnected; the next connection replaces
  // them with the server's (rows deleted meanwhile disappear).
  const Replica& replica() const { return replica_; }

  // For the event loop when fd() is readable. An Error means the connection (or the attempt) is
  // gone, or the replica fell out of step, which is handled the same way: connected() is false.
  Result<void> on_readable();
  // For the event loop, every second or so: probes a silent server, drops a hung one (an Error
  // saying so; connected() is then false).
  Result<void> keepalive(Clock::time_point now);

  // A transaction on the monitored database over the current connection; a lost connection
  // also disconnects the session.
  Result<std::vector<nlohmann::json>> transact(const nlohmann::json& operations);

 private:
  void lost();
  // get_schema and the monitor, on a connection just made.
  Result<void> handshake(OvsdbClient& client);
  Result<void> finish_connect();

  SessionOptions options_;
  Backoff backoff_;
  std::unique_ptr<OvsdbClient> client_;
  std::unique_ptr<OvsdbClient> candidate_;  // begin_connect()'s, until its echo is answered
  Replica replica_;
  SchemaVersion version_;
  Clock::time_point next_attempt_{};
  unsigned connections_ = 0;
};

}  // namespace hostnet::ovsdb

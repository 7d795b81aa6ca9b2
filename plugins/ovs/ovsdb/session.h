// A connection to OVSDB that survives the server: it connects (checking the schema version and
// starting the monitor), and after the connection is lost it connects again with exponential
// backoff and monitors again, rebuilding the replica from the server's current rows.
//
// Two ways to drive it. The event loop: register fd() for reading, call on_readable(); after it
// reports a loss, call connect_once() at next_attempt() until it succeeds (fd() changes). Or
// blocking, at start-up and in tests: connect_with_backoff(budget).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "plugins/ovs/ovsdb/backoff.h"
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

  bool connected() const { return client_ != nullptr; }
  OvsdbClient* client() { return client_.get(); }
  int fd() const { return client_ ? client_->fd() : -1; }
  Clock::time_point next_attempt() const { return next_attempt_; }
  const SchemaVersion& schema_version() const { return version_; }
  // How many times a connection was made; 2 after one reconnect.
  unsigned connections() const { return connections_; }

  // The replica keeps the last rows it saw while disconnected; the next connection replaces
  // them with the server's (rows deleted meanwhile disappear).
  const Replica& replica() const { return replica_; }

  // For the event loop when fd() is readable. An Error means the connection is gone (or the
  // replica fell out of step, which is handled the same way): connected() is now false.
  Result<void> on_readable();

  // A transaction on the monitored database over the current connection; a lost connection
  // also disconnects the session.
  Result<std::vector<nlohmann::json>> transact(const nlohmann::json& operations);

 private:
  void lost();

  SessionOptions options_;
  Backoff backoff_;
  std::unique_ptr<OvsdbClient> client_;
  Replica replica_;
  SchemaVersion version_;
  Clock::time_point next_attempt_{};
  unsigned connections_ = 0;
};

}  // namespace hostnet::ovsdb

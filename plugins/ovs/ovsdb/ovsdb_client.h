// An OVSDB client (RFC 7047) over one JSON-RPC connection: schema, transactions, echo, and a
// monitor that keeps a Replica up to date. One connection, one client: after the connection is
// lost, make a new one (OvsdbSession does, with backoff).
//
// Every method blocks for at most the client's timeout (a transaction with a "wait" operation
// can take longer on the server: give it a larger timeout). The event loop calls on_readable()
// when fd() is readable; that is also where monitor notifications reach the replica.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "plugins/ovs/ovsdb/json_rpc.h"
#include "plugins/ovs/ovsdb/replica.h"
#include "plugins/ovs/ovsdb/schema.h"

namespace hostnet::ovsdb {

inline constexpr std::chrono::milliseconds kDefaultTimeout{5000};

struct MonitorSpec {
  std::string db = "Open_vSwitch";
  // table -> columns to replicate; an empty list means every column of the table.
  std::map<std::string, std::vector<std::string>> tables;
};

enum class MonitorMethod {
  Auto,         // monitor_cond (update2 diffs), or monitor if the server does not know it
  MonitorCond,
  Monitor,      // RFC 7047's own: whole rows in every update
};

struct Schema {
  nlohmann::json json;
  SchemaVersion version;
};

class OvsdbClient {
 public:
  static Result<std::unique_ptr<OvsdbClient>> connect(const std::string& socket_path,
                                                      std::chrono::milliseconds timeout = kDefaultTimeout);
  OvsdbClient(JsonRpc rpc, std::chrono::milliseconds timeout);
  OvsdbClient(const OvsdbClient&) = delete;
  OvsdbClient& operator=(const OvsdbClient&) = delete;

  int fd() const { return rpc_.fd(); }
  bool connected() const { return rpc_.connected(); }
  const std::string& peer() const { return rpc_.peer(); }
  // Reads and dispatches what arrived: monitor updates are applied to the replica here. An
  // Error is a lost connection or a replica that fell out of step (a malformed update); either
  // way, reconnect and monitor again.
  Result<void> on_readable();
  bool wants_write() const { return rpc_.wants_write(); }
  // The connection's keepalive echo (see JsonRpc::send_probe).
  Result<void> send_probe() { return rpc_.send_probe(); }
  bool probe_outstanding() const { return rpc_.probe_outstanding(); }
  std::chrono::steady_clock::time_point probe_sent() const { return rpc_.probe_sent(); }
  std::chrono::steady_clock::time_point last_received() const { return rpc_.last_received(); }
  Result<void> on_writable() { return rpc_.on_writable(); }

  // The database's schema. For "Open_vSwitch" the version must be 8.x (Unsupported otherwise,
  // naming the version). Kept for monitor().
  Result<Schema> get_schema(const std::string& db);

  // Runs `operations` (a JSON array, see operations.h) as one transaction and returns one result
  // per operation ({"uuid":[..]} for an insert, {"count":n} for update/mutate/delete, {"rows":[..]}
  // for select). Any OVSDB error fails the whole transaction (the server committed nothing) and
  // is an Error with OVSDB's text, Conflict for constraint and referential integrity violations.
  Result<std::vector<nlohmann::json>> transact(const std::string& db, const nlohmann::json& operations);

  Result<void> echo();

  // Starts replicating spec.tables into `replica`, which must outlive this client: clears it,
  // gives it the monitored columns' types, fills it with the current rows, then keeps it up to
  // date from notifications. One monitor per client. Returns the method the server accepted.
  Result<MonitorMethod> monitor(const MonitorSpec& spec, Replica& replica, MonitorMethod method = MonitorMethod::Auto);

 private:
  void on_notification(const std::string& method, const nlohmann::json& params);

  JsonRpc rpc_;
  std::chrono::milliseconds timeout_;
  std::map<std::string, nlohmann::json> schemas_;  // db -> schema

  Replica* replica_ = nullptr;
  nlohmann::json monitor_id_;
  std::string update_method_;  // "update2" or "update"
  // Updates that arrived while the monitor reply was being read; applied after it, in order.
  std::optional<std::vector<nlohmann::json>> held_;
  std::optional<Error> replica_error_;
};

// Turns a transact reply into per-operation results, or into an Error with OVSDB's text: an
// operation's {"error":..,"details":..}; the extra error element after the last operation's
// result that reports a failed commit (a constraint violation); or fewer results than operations.
Result<std::vector<nlohmann::json>> transact_results(const nlohmann::json& operations, const nlohmann::json& reply);

}  // namespace hostnet::ovsdb

#include "plugins/ovs/ovsdb/ovsdb_client.h"

#include <utility>

namespace hostnet::ovsdb {

using nlohmann::json;

namespace {

// OVSDB's error names (RFC 7047 section 3.1 and ovsdb-server's own) as hostnet error codes, so
// a duplicate bridge name reaches the D-Bus caller as Conflict, not as a generic failure.
Errc errc_for(const json& error) {
  const std::string name = error.is_object() && error.contains("error") && error["error"].is_string()
                               ? error["error"].get<std::string>()
                               : std::string();
  if (name == "constraint violation" || name == "referential integrity violation") return Errc::Conflict;
  if (name == "permission error") return Errc::PermissionDenied;
  if (name == "syntax error" || name == "domain error" || name == "range error" || name == "unknown column")
    return Errc::InvalidArgument;
  return Errc::Failed;
}

std::string op_name(const json& operations, std::size_t i) {
  if (i < operations.size() && operations[i].is_object() && operations[i].contains("op") && operations[i]["op"].is_string())
    return operations[i]["op"].get<std::string>();
  return "?";
}

}  // namespace

Result<std::vector<json>> transact_results(const json& operations, const json& reply) {
  if (!reply.is_array()) return fail(Errc::Failed, "OVSDB transact reply is not an array: " + reply.dump());
  const std::size_t n = operations.size();
  for (std::size_t i = 0; i < reply.size(); ++i) {
    const json& r = reply[i];
    if (!r.is_object() || !r.contains("error")) continue;
    if (i < n)
      return fail(errc_for(r), "OVSDB transaction failed at operation " + std::to_string(i + 1) + " (" +
                                   op_name(operations, i) + "): " + error_text(r));
    return fail(errc_for(r), "OVSDB transaction failed to commit: " + error_text(r));
  }
  if (reply.size() < n)
    return fail(Errc::Failed, "OVSDB transaction returned " + std::to_string(reply.size()) + " results for " +
                                  std::to_string(n) + " operations");
  for (std::size_t i = 0; i < n; ++i)
    if (!reply[i].is_object())  // null: "not attempted", which only follows an error
      return fail(Errc::Failed, "OVSDB transaction result " + std::to_string(i + 1) + " is " + reply[i].dump());
  return std::vector<json>(reply.begin(), reply.begin() + static_cast<std::ptrdiff_t>(n));
}

Result<std::unique_ptr<OvsdbClient>> OvsdbClient::connect(const std::string& socket_path,
                                                          std::chrono::milliseconds timeout) {
  auto rpc = JsonRpc::connect_unix(socket_path);
  if (!rpc) return tl::unexpected(rpc.error());
  return std::make_unique<OvsdbClient>(std::move(*rpc), timeout);
}

OvsdbClient::OvsdbClient(JsonRpc rpc, std::chrono::milliseconds timeout) : rpc_(std::move(rpc)), timeout_(timeout) {
  // The client is neither copied nor moved, so `this` stays valid for the connection's life.
  rpc_.set_notification_handler([this](const std::string& m, const json& p) { on_notification(m, p); });
}

void OvsdbClient::on_notification(const std::string& method, const json& params) {
  if (!replica_ || method != update_method_) return;
  if (!params.is_array() || params.size() < 2 || params[0] != monitor_id_) return;
  if (held_) {
    held_->push_back(params[1]);
    return;
  }
  auto r = method == "update2" ? replica_->apply_update2(params[1]) : replica_->apply_update(params[1]);
  if (!r && !replica_error_) replica_error_ = r.error();
}

Result<void> OvsdbClient::on_readable() {
  if (auto r = rpc_.on_readable(); !r) return r;
  if (replica_error_) return fail(replica_error_->code, "OVSDB replica out of step: " + replica_error_->message);
  return {};
}

Result<Schema> OvsdbClient::get_schema(const std::string& db) {
  auto reply = rpc_.call("get_schema", json::array({db}), timeout_);
  if (!reply) return tl::unexpected(reply.error());
  auto version = db == "Open_vSwitch" ? check_open_vswitch_schema(*reply) : schema_version(*reply);
  if (!version) return tl::unexpected(version.error());
  schemas_[db] = *reply;
  return Schema{std::move(*reply), std::move(*version)};
}

Result<std::vector<json>> OvsdbClient::transact(const std::string& db, const json& operations) {
  if (!operations.is_array()) return fail(Errc::InvalidArgument, "OVSDB transact: operations must be a JSON array");
  json params = json::array({db});
  params.insert(params.end(), operations.begin(), operations.end());
  auto reply = rpc_.call("transact", params, timeout_);
  if (!reply) return tl::unexpected(reply.error());
  return transact_results(operations, *reply);
}

Result<void> OvsdbClient::echo() {
  const json probe = json::array({"hostnet"});
  auto reply = rpc_.call("echo", probe, timeout_);
  if (!reply) return tl::unexpected(reply.error());
  if (*reply != probe) return fail(Errc::Failed, "OVSDB echo came back as " + reply->dump());
  return {};
}

Result<MonitorMethod> OvsdbClient::monitor(const MonitorSpec& spec, Replica& replica, MonitorMethod method) {
  if (replica_) return fail(Errc::InvalidArgument, "this OVSDB client already runs a monitor");
  if (!schemas_.count(spec.db))
    if (auto s = get_schema(spec.db); !s) return tl::unexpected(s.error());
  auto all = schema_columns(schemas_[spec.db]);
  if (!all) return tl::unexpected(all.error());

  // The columns the replica will hold, and the request naming them.
  SchemaColumns types;
  json cond_requests = json::object(), requests = json::object();
  for (const auto& [table, columns] : spec.tables) {
    auto t = all->find(table);
    if (t == all->end()) return fail(Errc::NotFound, "OVSDB database " + spec.db + " has no table " + table);
    json request = json::object();
    if (columns.empty()) {
      types[table] = t->second;
    } else {
      request["columns"] = columns;
      for (const auto& c : columns) {
        auto ct = t->second.find(c);
        if (ct == t->second.end()) return fail(Errc::NotFound, "OVSDB table " + table + " has no column " + c);
        types[table][c] = ct->second;
      }
    }
    cond_requests[table] = json::array({request});
    requests[table] = request;
  }

  monitor_id_ = "hostnet";
  replica_ = &replica;
  auto attempt = [&](const char* rpc_method, const json& reqs) {
    update_method_ = std::string(rpc_method) == "monitor_cond" ? "update2" : "update";
    held_.emplace();
    return rpc_.call_raw(rpc_method, json::array({spec.db, monitor_id_, reqs}), timeout_);
  };
  auto unwind = [&](const Error& e) {
    replica_ = nullptr;
    held_.reset();
    return tl::unexpected(e);
  };

  MonitorMethod used = method == MonitorMethod::Monitor ? MonitorMethod::Monitor : MonitorMethod::MonitorCond;
  auto reply = used == MonitorMethod::MonitorCond ? attempt("monitor_cond", cond_requests) : attempt("monitor", requests);
  if (reply && !reply->error.is_null() && method == MonitorMethod::Auto && error_text(reply->error) == "unknown method") {
    // Servers before OVS 2.6 know only RFC 7047's monitor.
    used = MonitorMethod::Monitor;
    reply = attempt("monitor", requests);
  }
  if (!reply) return unwind(reply.error());
  if (!reply->error.is_null())
    return unwind(Error{Errc::Failed, std::string("OVSDB ") + (used == MonitorMethod::Monitor ? "monitor" : "monitor_cond") +
                                          ": " + error_text(reply->error)});

  // Built aside and swapped in whole: the caller's replica goes from the old state to the
  // server's current one with no stale rows and nothing half-applied in between.
  Replica fresh;
  fresh.set_columns(std::move(types));
  auto initial = used == MonitorMethod::MonitorCond ? fresh.apply_update2(reply->result) : fresh.apply_update(reply->result);
  if (!initial) return unwind(initial.error());
  for (const auto& update : *held_) {
    auto r = used == MonitorMethod::MonitorCond ? fresh.apply_update2(update) : fresh.apply_update(update);
    if (!r) return unwind(r.error());
  }
  held_.reset();
  replica = std::move(fresh);
  return used;
}

}  // namespace hostnet::ovsdb

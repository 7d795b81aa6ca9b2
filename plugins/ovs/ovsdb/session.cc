#include "plugins/ovs/ovsdb/session.h"

#include <thread>

namespace hostnet::ovsdb {

OvsdbSession::OvsdbSession(SessionOptions options)
    : options_(std::move(options)), backoff_(options_.backoff_initial, options_.backoff_max) {}

void OvsdbSession::lost() {
  client_.reset();
  candidate_.reset();
  next_attempt_ = Clock::now() + backoff_.next();
}

Result<void> OvsdbSession::handshake(OvsdbClient& client) {
  auto schema = client.get_schema(options_.monitor.db);
  if (!schema) return tl::unexpected(schema.error());
  version_ = schema->version;
  if (!options_.monitor.tables.empty())
    if (auto m = client.monitor(options_.monitor, replica_, options_.method); !m) return tl::unexpected(m.error());
  return {};
}

Result<void> OvsdbSession::connect_once() {
  if (client_) return {};
  candidate_.reset();
  auto client = OvsdbClient::connect(options_.socket_path, options_.timeout);
  if (!client) {
    lost();
    return tl::unexpected(client.error());
  }
  if (auto r = handshake(**client); !r) {
    lost();
    return r;
  }
  client_ = std::move(*client);
  backoff_.reset();
  ++connections_;
  return {};
}

Result<void> OvsdbSession::begin_connect() {
  if (client_ || candidate_) return {};
  auto client = OvsdbClient::connect(options_.socket_path, options_.timeout);
  if (!client) {
    lost();
    return tl::unexpected(client.error());
  }
  if (auto r = (*client)->send_probe(); !r) {
    lost();
    return r;
  }
  candidate_ = std::move(*client);
  return {};
}

Result<void> OvsdbSession::finish_connect() {
  // The server answered the echo just now: the handshake's requests get their replies at once.
  if (auto r = handshake(*candidate_); !r) {
    lost();
    return r;
  }
  client_ = std::move(candidate_);
  backoff_.reset();
  ++connections_;
  return {};
}

Result<void> OvsdbSession::connect_with_backoff(std::chrono::milliseconds budget) {
  const auto deadline = Clock::now() + budget;
  for (;;) {
    auto r = connect_once();
    if (r) return r;
    if (next_attempt_ >= deadline)
      return fail_with_context(r.error(), "no OVSDB connection within " + std::to_string(budget.count()) + " ms");
    std::this_thread::sleep_until(next_attempt_);
  }
}

Result<void> OvsdbSession::on_readable() {
  if (candidate_) {
    auto r = candidate_->on_readable();
    if (!r) {
      lost();
      return r;
    }
    return candidate_->probe_outstanding() ? Result<void>{} : finish_connect();
  }
  if (!client_) return fail(Errc::Failed, "not connected to OVSDB at " + options_.socket_path);
  auto r = client_->on_readable();
  if (!r) lost();
  return r;
}

Result<std::vector<nlohmann::json>> OvsdbSession::transact(const nlohmann::json& operations) {
  if (!client_) return fail(Errc::Failed, "not connected to OVSDB at " + options_.socket_path);
  auto r = client_->transact(options_.monitor.db, operations);
  if (!r && !client_->connected()) lost();
  return r;
}

Result<void> OvsdbSession::keepalive(Clock::time_point now) {
  const auto interval = options_.probe_interval;
  const std::string ms = std::to_string(interval.count()) + " ms";
  if (candidate_) {
    if (now - candidate_->probe_sent() < interval) return {};
    lost();
    return fail(Errc::Failed, "ovsdb-server at " + options_.socket_path + " took the connection but did not answer an echo within " + ms);
  }
  if (!client_) return {};
  if (client_->probe_outstanding()) {
    // Silent since before the probe, and for an interval since: hung. (Other messages after the
    // probe are a sign of life; the echo reply itself then only has to come in time.)
    if (now - client_->probe_sent() < interval || now - client_->last_received() < interval) return {};
    lost();
    return fail(Errc::Failed, "ovsdb-server at " + options_.socket_path + " has not answered an echo for " + ms +
                                  ": taken for hung, reconnecting");
  }
  if (now - client_->last_received() < interval) return {};
  if (auto r = client_->send_probe(); !r) {
    lost();
    return r;
  }
  return {};
}

}  // namespace hostnet::ovsdb

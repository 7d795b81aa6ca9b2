#include "plugins/ovs/ovsdb/session.h"

#include <thread>

namespace hostnet::ovsdb {

OvsdbSession::OvsdbSession(SessionOptions options)
    : options_(std::move(options)), backoff_(options_.backoff_initial, options_.backoff_max) {}

void OvsdbSession::lost() {
  client_.reset();
  next_attempt_ = Clock::now() + backoff_.next();
}

Result<void> OvsdbSession::connect_once() {
  if (client_) return {};
  auto attempt = [&]() -> Result<std::unique_ptr<OvsdbClient>> {
    auto client = OvsdbClient::connect(options_.socket_path, options_.timeout);
    if (!client) return client;
    auto schema = (*client)->get_schema(options_.monitor.db);
    if (!schema) return tl::unexpected(schema.error());
    version_ = schema->version;
    if (!options_.monitor.tables.empty())
      if (auto m = (*client)->monitor(options_.monitor, replica_, options_.method); !m) return tl::unexpected(m.error());
    return client;
  };
  auto client = attempt();
  if (!client) {
    lost();
    return tl::unexpected(client.error());
  }
  client_ = std::move(*client);
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

}  // namespace hostnet::ovsdb

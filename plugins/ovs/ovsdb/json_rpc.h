// A JSON-RPC 1.0 connection over a stream socket, as OVSDB speaks it (RFC 7047 section 4):
// requests carry an id, replies echo it with "result" and "error", notifications have a null id.
//
// The fd is non-blocking and meant for an outside event loop: register fd(), call on_readable()
// when it is readable (and on_writable() while wants_write()). call() is the one blocking entry:
// it waits, with poll, only for its own reply or its timeout. Messages that arrive meanwhile are
// not held back: notifications go to the handler and server "echo" requests are answered, exactly
// as on_readable() would, so nothing waits in a buffer for an fd that will not turn readable again.
//
// Failures are values: a dead peer, a malformed message or a timeout is an Error, never an
// exception or an abort (writes use MSG_NOSIGNAL, so no SIGPIPE either). Once the connection is
// lost, connected() is false and every later call fails at once; make a new connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/unique_fd.h"
#include "plugins/ovs/ovsdb/json_splitter.h"

namespace hostnet::ovsdb {

class JsonRpc {
 public:
  // Called for every notification (a message with a method and a null id), in arrival order.
  // It runs inside on_readable() or call(), so it must not call call() itself.
  using NotificationHandler = std::function<void(const std::string& method, const nlohmann::json& params)>;

  // The two members of a reply; exactly one of them is non-null in a well-formed reply.
  struct Reply {
    nlohmann::json result;
    nlohmann::json error;
  };

  // Connects to a unix stream socket ("/run/openvswitch/db.sock"). A missing socket or a server
  // that is not listening fails at once (ENOENT, ECONNREFUSED); so does a full listen backlog
  // (EAGAIN) — the caller's retry policy decides what happens next.
  static Result<JsonRpc> connect_unix(const std::string& path);
  // Takes over a connected stream socket (a socketpair in tests) and makes it non-blocking.
  static Result<JsonRpc> adopt(UniqueFd fd, std::string peer_name);

  JsonRpc(JsonRpc&&) noexcept = default;
  JsonRpc& operator=(JsonRpc&&) noexcept = default;

  int fd() const { return fd_.get(); }
  bool connected() const { return lost_.empty(); }
  const std::string& peer() const { return peer_; }
  void set_notification_handler(NotificationHandler handler) { on_notification_ = std::move(handler); }

  // Reads everything the socket holds and dispatches each complete message. An Error means the
  // connection is gone or unusable (connected() is then false).
  Result<void> on_readable();
  // Output the kernel could not take at once (a large transaction) waits in a buffer.
  bool wants_write() const { return out_offset_ < out_.size(); }
  Result<void> on_writable();

  // Sends a request with a fresh id and waits up to `timeout` for its reply. An Error is a lost
  // connection or a timeout (the connection stays usable after a timeout; a late reply is
  // dropped). A server error comes back as a Reply with a non-null error: see call().
  Result<Reply> call_raw(const std::string& method, const nlohmann::json& params,
                         std::chrono::milliseconds timeout);
  // Keepalive (RFC 7047 section 4.1.11): sends an "echo" request whose reply nobody waits for.
  // That reply, like every message from the server, counts as a sign of life.
  Result<void> send_probe();
  bool probe_outstanding() const { return probe_id_.has_value(); }
  std::chrono::steady_clock::time_point probe_sent() const { return probe_sent_; }
  // When the last message from the server arrived (the connection's creation before any).
  std::chrono::steady_clock::time_point last_received() const { return last_received_; }

  // call_raw, with a JSON-RPC error reply turned into an Error "<method>: <server's text>".
  Result<nlohmann::json> call(const std::string& method, const nlohmann::json& params,
                              std::chrono::milliseconds timeout);

 private:
  JsonRpc(UniqueFd fd, std::string peer)
      : fd_(std::move(fd)), peer_(std::move(peer)), last_received_(std::chrono::steady_clock::now()) {}

  Result<void> read_available();
  Result<void> dispatch(const std::string& text);
  Result<void> queue(const nlohmann::json& message);
  Result<void> flush();
  tl::unexpected<Error> lose(std::string why);

  UniqueFd fd_;
  std::string peer_;
  JsonSplitter splitter_;
  std::string out_;
  std::size_t out_offset_ = 0;
  std::int64_t next_id_ = 1;
  std::optional<std::int64_t> waiting_for_;  // the id call() is waiting on
  std::optional<Reply> reply_;               // its reply, once dispatch() saw it
  NotificationHandler on_notification_;
  std::optional<std::int64_t> probe_id_;  // the echo send_probe() sent, until its reply
  std::chrono::steady_clock::time_point probe_sent_{};
  std::chrono::steady_clock::time_point last_received_;
  std::string lost_;  // why the connection is unusable; empty while it works
};

// The text of a JSON-RPC or OVSDB error value: a string, or an object with "error" and
// optional "details" ("constraint violation: Transaction causes ...").
std::string error_text(const nlohmann::json& error);

}  // namespace hostnet::ovsdb

#include "plugins/ovs/ovsdb/json_rpc.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace hostnet::ovsdb {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string errno_text(int e) { return std::strerror(e); }

// Outgoing text must never throw: a caller's string with invalid UTF-8 is sent with U+FFFD in
// its place rather than escaping the library as nlohmann's type_error.
std::string to_wire(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string error_text(const json& error) {
  if (error.is_string()) return error.get<std::string>();
  if (error.is_object()) {
    auto e = error.find("error");
    auto d = error.find("details");
    std::string text = e != error.end() && e->is_string() ? e->get<std::string>() : to_wire(error);
    if (d != error.end() && d->is_string() && !d->get<std::string>().empty())
      text += ": " + d->get<std::string>();
    return text;
  }
  return to_wire(error);
}

Result<JsonRpc> JsonRpc::connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return fail(Errc::InvalidArgument, "OVSDB socket path '" + path + "' is empty or longer than " +
                                           std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return fail(Errc::Failed, "socket(AF_UNIX): " + errno_text(errno));
  // A unix-domain connect completes or fails at once; on a non-blocking socket EAGAIN means the
  // listen backlog is full, which is worth a retry, not a wait here.
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return fail(Errc::Failed, "connecting to OVSDB at " + path + ": " + errno_text(errno));
  return JsonRpc(std::move(fd), path);
}

Result<JsonRpc> JsonRpc::adopt(UniqueFd fd, std::string peer_name) {
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0)
    return fail(Errc::Failed, "making the OVSDB socket non-blocking: " + errno_text(errno));
  return JsonRpc(std::move(fd), std::move(peer_name));
}

tl::unexpected<Error> JsonRpc::lose(std::string why) {
  if (lost_.empty()) lost_ = "OVSDB connection to " + peer_ + ": " + why;
  return fail(Errc::Failed, lost_);
}

Result<void> JsonRpc::flush() {
  while (out_offset_ < out_.size()) {
    ssize_t n = ::send(fd_.get(), out_.data() + out_offset_, out_.size() - out_offset_,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out_offset_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {};
    return lose(n < 0 ? errno_text(errno) : "send wrote nothing");
  }
  out_.clear();
  out_offset_ = 0;
  return {};
}

Result<void> JsonRpc::queue(const json& message) {
  out_ += to_wire(message);
  return flush();
}

Result<void> JsonRpc::on_writable() {
  if (!connected()) return fail(Errc::Failed, lost_);
  return flush();
}

Result<void> JsonRpc::dispatch(const std::string& text) {
  json msg = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (msg.is_discarded() || !msg.is_object()) return lose("malformed JSON-RPC message from the server");
  last_received_ = Clock::now();
  try {
    auto method = msg.find("method");
    auto id_it = msg.find("id");
    const json id = id_it != msg.end() ? *id_it : json();
    if (method != msg.end()) {
      if (!method->is_string()) return lose("JSON-RPC message with a non-string method");
      auto p = msg.find("params");
      const json params = p != msg.end() ? *p : json::array();
      if (id.is_null()) {
        if (on_notification_) on_notification_(method->get<std::string>(), params);
        return {};
      }
      // The server probes an idle client with "echo" and drops it if there is no answer; it
      // sends no other request to a client.
      if (*method == "echo") return queue({{"id", id}, {"result", params}, {"error", nullptr}});
      return queue({{"id", id}, {"result", nullptr}, {"error", "unknown method"}});
    }
    if (msg.contains("result") || msg.contains("error")) {
      // Replies to requests nobody waits for any more (their call timed out) are dropped.
      if (waiting_for_ && id == *waiting_for_)
        reply_ = Reply{msg.value("result", json()), msg.value("error", json())};
      else if (probe_id_ && id == *probe_id_)
        probe_id_.reset();
      return {};
    }
    return lose("JSON-RPC message that is neither request, reply nor notification");
  } catch (const json::exception& e) {
    return lose(std::string("handling a JSON-RPC message: ") + e.what());
  }
}

Result<void> JsonRpc::read_available() {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {};
    if (n < 0) return lose(errno_text(errno));
    if (n == 0) return lose("closed by the server");
    std::vector<std::string> texts;
    auto fed = splitter_.feed(std::string_view(buf, static_cast<std::size_t>(n)), texts);
    // Complete messages before a framing error are still delivered.
    for (const auto& t : texts)
      if (auto r = dispatch(t); !r) return r;
    if (!fed) return lose(fed.error().message);
  }
}

Result<void> JsonRpc::on_readable() {
  if (!connected()) return fail(Errc::Failed, lost_);
  if (auto r = read_available(); !r) return r;
  return wants_write() ? flush() : Result<void>{};
}

Result<JsonRpc::Reply> JsonRpc::call_raw(const std::string& method, const json& params,
                                         std::chrono::milliseconds timeout) {
  if (!connected()) return fail(Errc::Failed, lost_);
  const std::int64_t id = next_id_++;
  waiting_for_ = id;
  reply_.reset();
  struct Forget {
    JsonRpc* self;
    ~Forget() { self->waiting_for_.reset(); }
  } forget{this};

  if (auto r = queue({{"method", method}, {"params", params}, {"id", id}}); !r) return tl::unexpected(r.error());
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (reply_) return std::move(*reply_);
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero())
      return fail(Errc::Failed, "OVSDB " + method + ": no reply from " + peer_ + " within " +
                                    std::to_string(timeout.count()) + " ms");
    // Round up so a sub-millisecond remainder still waits instead of spinning.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    pollfd p{fd_.get(), static_cast<short>(POLLIN | (wants_write() ? POLLOUT : 0)), 0};
    int n = ::poll(&p, 1, static_cast<int>(ms));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return lose("poll: " + errno_text(errno));
    if (n == 0) continue;
    if (p.revents & POLLOUT)
      if (auto r = flush(); !r) return tl::unexpected(r.error());
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      auto r = read_available();
      // The reply may have come just before the server went away; it is still the answer.
      if (reply_) return std::move(*reply_);
      if (!r) return tl::unexpected(r.error());
    }
  }
}

Result<void> JsonRpc::send_probe() {
  if (!connected()) return fail(Errc::Failed, lost_);
  const std::int64_t id = next_id_++;
  probe_id_ = id;
  probe_sent_ = Clock::now();
  return queue({{"method", "echo"}, {"params", json::array({"hostnet-keepalive"})}, {"id", id}});
}

Result<json> JsonRpc::call(const std::string& method, const json& params, std::chrono::milliseconds timeout) {
  auto reply = call_raw(method, params, timeout);
  if (!reply) return tl::unexpected(reply.error());
  if (!reply->error.is_null()) return fail(Errc::Failed, "OVSDB " + method + ": " + error_text(reply->error));
  return std::move(reply->result);
}

}  // namespace hostnet::ovsdb

// An rtnetlink socket (libmnl) owned by one object. Requests are synchronous: send, then read
// until the kernel's ACK or error for that sequence number. Each call blocks only for the
// kernel's own work (microseconds to a few milliseconds for device creation).
#pragma once

#include <libmnl/libmnl.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace hostnet::netlink {

// The replies in one buffer the socket read (`len` bytes, as recv returned them): messages of
// other sequence numbers are skipped, data messages go to `on_message`. The kernel's error (< 0)
// or 0 once NLMSG_ERROR or NLMSG_DONE ends the exchange, with the extended ACK text in `detail`;
// nullopt when more is to be read. Exposed for the fuzz target.
std::optional<int> handle_replies(const char* buf, int len, unsigned seq,
                                  const std::function<void(const struct nlmsghdr*)>& on_message, std::string* detail);

class RtnlSocket {
 public:
  static Result<RtnlSocket> open();
  RtnlSocket(RtnlSocket&&) noexcept = default;
  RtnlSocket& operator=(RtnlSocket&&) noexcept = default;

  // Sends a request (NLM_F_REQUEST | NLM_F_ACK are added) and waits for its ACK, passing any
  // reply messages before it (a GET's answer) to `on_message`. The kernel's error becomes
  // Errc::Failed "<what>: <strerror> (<kernel's extended message>)", and its errno `errno_out`.
  Result<void> request(struct nlmsghdr* msg, const std::string& what, int* errno_out = nullptr,
                       const std::function<void(const struct nlmsghdr*)>& on_message = {});

  // Sends a dump request and calls `on_message` for every reply message.
  Result<void> dump(struct nlmsghdr* msg, const std::string& what,
                    const std::function<void(const struct nlmsghdr*)>& on_message);

  // A dump the kernel filters by the request's header (NETLINK_GET_STRICT_CHK, Linux 4.20): an
  // address dump of one ifindex, a route dump of one family and table. Without it every start
  // and every reconciled bridge read all 10,000 taps' addresses. A kernel without strict
  // checking dumps everything, which callers filter again, so the answer is the same.
  Result<void> filtered_dump(struct nlmsghdr* msg, const std::string& what,
                             const std::function<void(const struct nlmsghdr*)>& on_message);

  unsigned next_seq() { return ++seq_; }

 private:
  struct Closer {
    void operator()(struct mnl_socket* s) const { mnl_socket_close(s); }
  };
  explicit RtnlSocket(struct mnl_socket* s) : sock_(s) {}
  std::unique_ptr<struct mnl_socket, Closer> sock_;
  unsigned seq_ = 0;
};

// Big enough for any single link or address message hostnet builds.
inline constexpr size_t kMessageBufferSize = 8192;

}  // namespace hostnet::netlink

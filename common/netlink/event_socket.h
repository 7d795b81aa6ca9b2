// A netlink socket subscribed to multicast groups, for the event loop: non-blocking, its fd
// polled by sd-event, its messages drained by a callback.
#pragma once

#include <linux/netlink.h>

#include <functional>
#include <initializer_list>

#include "common/result.h"
#include "common/unique_fd.h"

namespace hostnet::netlink {

class EventSocket {
 public:
  // protocol: NETLINK_ROUTE, NETLINK_NETFILTER, ...; groups: the kernel's group numbers (1-based).
  static Result<EventSocket> open(int protocol, std::initializer_list<unsigned> groups);

  int fd() const { return fd_.get(); }
  // Reads every pending message; calls on_message for each. An overrun (ENOBUFS: the kernel
  // dropped events) is reported as one call with nullptr, meaning "assume anything changed".
  void drain(const std::function<void(const struct nlmsghdr*)>& on_message);

 private:
  explicit EventSocket(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace hostnet::netlink

#include "common/netlink/event_socket.h"

#include <libmnl/libmnl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace hostnet::netlink {

Result<EventSocket> EventSocket::open(int protocol, std::initializer_list<unsigned> groups) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol));
  if (!fd) return fail(Errc::Failed, std::string("cannot open a netlink event socket: ") + std::strerror(errno));
  struct sockaddr_nl addr {};
  addr.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) < 0)
    return fail(Errc::Failed, std::string("cannot bind a netlink event socket: ") + std::strerror(errno));
  // A host making thousands of devices sends events faster than a busy daemon reads them; an
  // overrun costs a full repair, so the buffer is large, as systemd-networkd's is (root may
  // exceed rmem_max with SO_RCVBUFFORCE; without CAP_NET_ADMIN the plain request is capped).
  int size = 32 * 1024 * 1024;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  for (unsigned g : groups) {
    if (::setsockopt(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0)
      return fail(Errc::Failed, "cannot join netlink group " + std::to_string(g) + ": " + std::strerror(errno));
  }
  return EventSocket(std::move(fd));
}

void EventSocket::drain(const std::function<void(const struct nlmsghdr*)>& on_message) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE > 65536 ? MNL_SOCKET_BUFFER_SIZE : 65536);
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        on_message(nullptr);
        continue;
      }
      return;  // EAGAIN: drained
    }
    int len = static_cast<int>(n);
    for (const struct nlmsghdr* nlh = reinterpret_cast<const struct nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len))
      on_message(nlh);
  }
}

}  // namespace hostnet::netlink

#include "common/netlink/rtnl_socket.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/netlink/attr.h"

namespace hostnet::netlink {

Result<RtnlSocket> RtnlSocket::open() {
  struct mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!s) return fail(Errc::Failed, std::string("cannot open rtnetlink socket: ") + std::strerror(errno));
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    mnl_socket_close(s);
    return fail(Errc::Failed, std::string("cannot bind rtnetlink socket: ") + std::strerror(err));
  }
  // Extended ACKs carry the kernel's own explanation ("Unknown device type"); nice to have.
  int one = 1;
  mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, sizeof one);
  return RtnlSocket(s);
}

namespace {
struct Collect {
  const std::function<void(const struct nlmsghdr*)>* fn;
};
int data_cb(const struct nlmsghdr* nlh, void* data) {
  auto* c = static_cast<Collect*>(data);
  if (c->fn && *c->fn) (*c->fn)(nlh);
  return MNL_CB_OK;
}

std::string ext_ack_message(const struct nlmsghdr* nlh) {
  // The error message may follow the echoed request as an NLMSGERR_ATTR_MSG attribute.
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  if (!has_header(nlh, sizeof(struct nlmsgerr))) return {};
  auto* err = static_cast<const struct nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  std::size_t offset = sizeof(struct nlmsgerr);
  std::size_t room = nlh->nlmsg_len - MNL_NLMSG_HDRLEN - offset;
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
    // The echoed request: its length is the kernel's word, checked against the message's before
    // it is aligned (aligning a length near 2^32 wraps it to 0). The attributes start at the
    // aligned end of the echo: an odd-length echo otherwise left them misaligned (found by
    // fuzz_rtnl_replies).
    if (err->msg.nlmsg_len < sizeof(struct nlmsghdr) || err->msg.nlmsg_len - sizeof(struct nlmsghdr) > room)
      return {};
    std::size_t echo = MNL_ALIGN(static_cast<std::size_t>(err->msg.nlmsg_len) - sizeof(struct nlmsghdr));
    if (echo >= room) return {};
    offset += echo;
  }
  const char* start = static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + offset;
  const char* end = reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len;
  std::string message;
  for_each_attr_in(start, end, [&](const struct nlattr* attr) {
    if ((attr->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && message.empty()) message = attr_str(attr);
  });
  return message;
}

}  // namespace

std::optional<int> handle_replies(const char* buf, int len, unsigned seq,
                                  const std::function<void(const struct nlmsghdr*)>& on_message, std::string* detail) {
  Collect collect{&on_message};
  // Not mnl_nlmsg_ok(): it compares (int)nlmsg_len with the bytes left, so a length of 2^31 or
  // more passes and mnl_nlmsg_next() walks off the buffer (found by fuzz_rtnl_replies).
  for (std::size_t left = len > 0 ? static_cast<std::size_t>(len) : 0; left >= sizeof(struct nlmsghdr);) {
    auto* nlh = reinterpret_cast<const struct nlmsghdr*>(buf);
    if (nlh->nlmsg_len < sizeof(struct nlmsghdr) || nlh->nlmsg_len > left) break;
    std::size_t step = std::min<std::size_t>(MNL_ALIGN(nlh->nlmsg_len), left);
    buf += step;
    left -= step;
    if (nlh->nlmsg_seq != seq) continue;
    if (nlh->nlmsg_type == NLMSG_ERROR) {
      // A truncated error message is still the end of the exchange, and a failure.
      if (!has_header(nlh, sizeof(int))) return -EBADMSG;
      auto* err = static_cast<const struct nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
      if (err->error != 0 && detail) *detail = ext_ack_message(nlh);
      return err->error;
    }
    if (nlh->nlmsg_type == NLMSG_DONE) return 0;
    if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) data_cb(nlh, &collect);
  }
  return std::nullopt;
}

namespace {
// Reads replies for seq until done. Returns 0 or a negative errno.
int run(struct mnl_socket* sock, unsigned seq, Collect* collect, std::string* detail) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE > 32768 ? MNL_SOCKET_BUFFER_SIZE : 32768);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (auto done = handle_replies(buf.data(), static_cast<int>(n), seq, *collect->fn, detail)) return *done;
  }
}
}  // namespace

Result<void> RtnlSocket::request(struct nlmsghdr* msg, const std::string& what, int* errno_out,
                                 const std::function<void(const struct nlmsghdr*)>& on_message) {
  msg->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  msg->nlmsg_seq = next_seq();
  if (mnl_socket_sendto(sock_.get(), msg, msg->nlmsg_len) < 0) {
    if (errno_out) *errno_out = errno;
    return fail(Errc::Failed, what + ": " + std::strerror(errno));
  }
  Collect collect{&on_message};
  std::string detail;
  int r = run(sock_.get(), msg->nlmsg_seq, &collect, &detail);
  if (errno_out) *errno_out = -r;
  if (r < 0) return fail(Errc::Failed, what + ": " + std::strerror(-r) + (detail.empty() ? "" : " (" + detail + ")"));
  return {};
}

Result<void> RtnlSocket::dump(struct nlmsghdr* msg, const std::string& what,
                              const std::function<void(const struct nlmsghdr*)>& on_message) {
  msg->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
  msg->nlmsg_seq = next_seq();
  if (mnl_socket_sendto(sock_.get(), msg, msg->nlmsg_len) < 0)
    return fail(Errc::Failed, what + ": " + std::strerror(errno));
  Collect c{&on_message};
  std::string detail;
  int r = run(sock_.get(), msg->nlmsg_seq, &c, &detail);
  if (r < 0) return fail(Errc::Failed, what + ": " + std::strerror(-r));
  return {};
}

Result<void> RtnlSocket::filtered_dump(struct nlmsghdr* msg, const std::string& what,
                                       const std::function<void(const struct nlmsghdr*)>& on_message) {
  // Only for this dump: strict checking also rejects requests other calls build loosely.
  int on = 1;
  bool strict = mnl_socket_setsockopt(sock_.get(), NETLINK_GET_STRICT_CHK, &on, sizeof on) == 0;
  auto r = dump(msg, what, on_message);
  if (strict) {
    int off = 0;
    mnl_socket_setsockopt(sock_.get(), NETLINK_GET_STRICT_CHK, &off, sizeof off);
  }
  return r;
}

}  // namespace hostnet::netlink

// libFuzzer target for the rtnetlink replies hostnetd decodes: the input is what one recv() on
// the rtnetlink socket returns (netlink messages back to back), walked by handle_replies() as
// RtnlSocket does (sequence numbers, NLMSG_ERROR with its extended-ACK text, NLMSG_DONE) with
// every data message decoded by the function its type goes to (RTM_NEWLINK -> parse_link,
// RTM_NEWADDR -> parse_address, RTM_NEWROUTE -> parse_route). The kernel is trusted not to send
// garbage, but a decoder that reads past a short attribute is a bug all the same. Invariant: no
// read outside the buffer, no UB, whatever the lengths say.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <memory>

#include "common/netlink/address.h"
#include "common/netlink/link.h"
#include "common/netlink/route.h"
#include "common/netlink/rtnl_socket.h"

// What was decoded goes here, so the decoding is not optimised away.
volatile std::size_t rtnl_fuzz_sink = 0;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Exactly the input's bytes in a buffer of their own, aligned as recv's buffer is, so ASan sees
  // any read past its end.
  std::unique_ptr<char[]> storage(new char[size ? size : 1]);
  char* buf = storage.get();
  if (size) std::memcpy(buf, data, size);
  // The sequence number asked for is the first message's, when there is one.
  unsigned seq = size >= sizeof(struct nlmsghdr) ? reinterpret_cast<const struct nlmsghdr*>(buf)->nlmsg_seq : 0;
  std::string detail;
  std::size_t decoded = 0;
  hostnet::netlink::handle_replies(buf, static_cast<int>(size), seq, [&](const struct nlmsghdr* nlh) {
    switch (nlh->nlmsg_type) {
      case RTM_NEWLINK: decoded += hostnet::netlink::parse_link(nlh).name.size(); break;
      case RTM_NEWADDR: {
        // list_addresses asks for one device's; ask for this message's device when it says one.
        int ifindex = 0;
        if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
          ifindex = static_cast<int>(static_cast<const struct ifaddrmsg*>(NLMSG_DATA(nlh))->ifa_index);
        decoded += hostnet::netlink::parse_address(nlh, ifindex).has_value();
        break;
      }
      case RTM_NEWROUTE: decoded += hostnet::netlink::parse_route(nlh).has_value(); break;
      default: break;
    }
  }, &detail);
  rtnl_fuzz_sink = decoded + detail.size();
  return 0;
}

// IP addresses on devices over rtnetlink.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/netlink/rtnl_socket.h"
#include "common/result.h"

namespace hostnet::netlink {

struct Address {
  int family = 0;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};
  unsigned prefix = 0;
  bool operator==(const Address& o) const {
    return family == o.family && prefix == o.prefix && bytes == o.bytes;
  }
};

// Adds address/prefix to the device (IPv4 with its broadcast; IPv6 with IFA_F_NODAD so it is
// usable at once — the network's own gateway address cannot be a duplicate). Adding an address
// the device already has is success.
Result<void> add_address(RtnlSocket& sock, int ifindex, const Address& a, const std::string& dev);
Result<void> delete_address(RtnlSocket& sock, int ifindex, const Address& a, const std::string& dev);
// Global-scope addresses of one device (IPv6 link-local ones are the kernel's, not ours).
Result<std::vector<Address>> list_addresses(RtnlSocket& sock, int ifindex);
// One message of that dump: the address when it is an RTM_NEWADDR of a global-scope address on
// `ifindex`, nullopt otherwise (exposed for the fuzz target).
std::optional<Address> parse_address(const struct nlmsghdr* nlh, int ifindex);

std::string to_string(const Address& a);  // "10.0.0.1/24"

}  // namespace hostnet::netlink

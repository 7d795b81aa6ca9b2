#include "common/netlink/address.h"

#include "common/netlink/attr.h"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

namespace hostnet::netlink {

std::string to_string(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.family, a.bytes.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(a.prefix);
}

namespace {

size_t addr_len(int family) { return family == AF_INET ? 4 : 16; }

struct AddrMessage {
  std::vector<char> buf = std::vector<char>(kMessageBufferSize, 0);
  struct nlmsghdr* nlh;
  struct ifaddrmsg* ifa;
  AddrMessage(uint16_t type, uint16_t flags, int ifindex, const Address& a) {
    nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    ifa = static_cast<struct ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg)));
    ifa->ifa_family = static_cast<uint8_t>(a.family);
    ifa->ifa_prefixlen = static_cast<uint8_t>(a.prefix);
    ifa->ifa_index = static_cast<unsigned>(ifindex);
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  }
};

}  // namespace

Result<void> add_address(RtnlSocket& sock, int ifindex, const Address& a, const std::string& dev) {
  AddrMessage m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, a);
  size_t len = addr_len(a.family);
  mnl_attr_put(m.nlh, IFA_LOCAL, len, a.bytes.data());
  mnl_attr_put(m.nlh, IFA_ADDRESS, len, a.bytes.data());
  if (a.family == AF_INET && a.prefix < 31) {
    uint32_t ip;
    std::memcpy(&ip, a.bytes.data(), 4);
    uint32_t host_mask = a.prefix == 0 ? 0xffffffffu : (0xffffffffu >> a.prefix);
    uint32_t bcast = ip | htonl(host_mask);
    mnl_attr_put(m.nlh, IFA_BROADCAST, 4, &bcast);
  }
  if (a.family == AF_INET6) mnl_attr_put_u32(m.nlh, IFA_FLAGS, IFA_F_NODAD);
  int err = 0;
  auto r = sock.request(m.nlh, "adding " + to_string(a) + " to " + dev, &err);
  if (!r && err == EEXIST) return {};
  return r;
}

Result<void> delete_address(RtnlSocket& sock, int ifindex, const Address& a, const std::string& dev) {
  AddrMessage m(RTM_DELADDR, 0, ifindex, a);
  size_t len = addr_len(a.family);
  mnl_attr_put(m.nlh, IFA_LOCAL, len, a.bytes.data());
  mnl_attr_put(m.nlh, IFA_ADDRESS, len, a.bytes.data());
  return sock.request(m.nlh, "removing " + to_string(a) + " from " + dev);
}

std::optional<Address> parse_address(const struct nlmsghdr* reply, int ifindex) {
  if (reply->nlmsg_type != RTM_NEWADDR || !has_header(reply, sizeof(struct ifaddrmsg))) return std::nullopt;
  auto* m = static_cast<const struct ifaddrmsg*>(mnl_nlmsg_get_payload(reply));
  if (static_cast<int>(m->ifa_index) != ifindex || m->ifa_scope != RT_SCOPE_UNIVERSE) return std::nullopt;
  if (m->ifa_family != AF_INET && m->ifa_family != AF_INET6) return std::nullopt;
  Address a;
  a.family = m->ifa_family;
  a.prefix = m->ifa_prefixlen;
  const struct nlattr* local = nullptr;
  const struct nlattr* address = nullptr;
  for_each_attr(reply, sizeof(*m), [&](const struct nlattr* attr) {
    if (mnl_attr_get_type(attr) == IFA_LOCAL) local = attr;
    if (mnl_attr_get_type(attr) == IFA_ADDRESS) address = attr;
  });
  const struct nlattr* use = local ? local : address;
  if (!use || mnl_attr_get_payload_len(use) != addr_len(a.family)) return std::nullopt;
  std::memcpy(a.bytes.data(), mnl_attr_get_payload(use), addr_len(a.family));
  return a;
}

Result<std::vector<Address>> list_addresses(RtnlSocket& sock, int ifindex) {
  std::vector<char> buf(kMessageBufferSize, 0);
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETADDR;
  auto* ifa = static_cast<struct ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg)));
  ifa->ifa_family = AF_UNSPEC;
  ifa->ifa_index = static_cast<unsigned>(ifindex);
  std::vector<Address> out;
  auto r = sock.filtered_dump(nlh, "listing addresses", [&](const struct nlmsghdr* reply) {
    if (auto a = parse_address(reply, ifindex)) out.push_back(*a);
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace hostnet::netlink

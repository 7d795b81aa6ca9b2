// Attribute iteration for C++: libmnl's mnl_attr_for_each macros assign void* and do not compile
// as C++, so walk attributes through mnl_attr_parse with a callable.
#pragma once

#include <libmnl/libmnl.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace hostnet::netlink {

// Walks the attributes in [start, end). libmnl's walkers bound a message's attributes by its
// *aligned* tail, so an unaligned last message in recv's buffer had up to 3 bytes read past the
// buffer (found by fuzz_rtnl_replies); this walker stops at the real end and steps by the aligned
// length only while that stays inside.
template <class F>
void for_each_attr_in(const char* start, const char* end, F&& f) {
  while (start < end && static_cast<std::size_t>(end - start) >= sizeof(struct nlattr)) {
    auto* a = reinterpret_cast<const struct nlattr*>(start);
    if (a->nla_len < sizeof(struct nlattr) || a->nla_len > static_cast<std::size_t>(end - start)) return;
    f(a);
    std::size_t step = MNL_ALIGN(static_cast<std::size_t>(a->nla_len));
    if (step >= static_cast<std::size_t>(end - start)) return;
    start += step;
  }
}

// The attributes after a message's fixed header of `offset` bytes.
template <class F>
void for_each_attr(const struct nlmsghdr* nlh, unsigned offset, F&& f) {
  if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(static_cast<std::size_t>(offset))) return;
  const char* base = reinterpret_cast<const char*>(nlh);
  for_each_attr_in(base + MNL_NLMSG_HDRLEN + MNL_ALIGN(static_cast<std::size_t>(offset)), base + nlh->nlmsg_len,
                   std::forward<F>(f));
}

template <class F>
void for_each_nested(const struct nlattr* nest, F&& f) {
  const char* payload = static_cast<const char*>(mnl_attr_get_payload(nest));
  for_each_attr_in(payload, payload + mnl_attr_get_payload_len(nest), std::forward<F>(f));
}

// Attribute payloads read within the attribute's own length: a short attribute reads as 0 (or
// ""), a string without its NUL stops at the attribute's end, never past it.
inline std::uint32_t attr_u32(const struct nlattr* a) {
  std::uint32_t v = 0;
  if (mnl_attr_get_payload_len(a) >= sizeof v) std::memcpy(&v, mnl_attr_get_payload(a), sizeof v);
  return v;
}
inline std::uint8_t attr_u8(const struct nlattr* a) {
  return mnl_attr_get_payload_len(a) >= 1 ? *static_cast<const std::uint8_t*>(mnl_attr_get_payload(a)) : 0;
}
inline std::string attr_str(const struct nlattr* a) {
  const char* p = static_cast<const char*>(mnl_attr_get_payload(a));
  return std::string(p, strnlen(p, mnl_attr_get_payload_len(a)));
}

// Whether the message is long enough for its fixed header of `header` bytes.
inline bool has_header(const struct nlmsghdr* nlh, std::size_t header) {
  return nlh->nlmsg_len >= MNL_NLMSG_HDRLEN + header;
}

}  // namespace hostnet::netlink

// Attribute iteration for C++: libmnl's mnl_attr_for_each macros assign void* and do not compile
// as C++, so walk attributes through mnl_attr_parse with a callable.
#pragma once

#include <libmnl/libmnl.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace hostnet::netlink {

template <class F>
void for_each_attr(const struct nlmsghdr* nlh, unsigned offset, F&& f) {
  using Fn = std::remove_reference_t<F>;
  mnl_attr_parse(nlh, offset, [](const struct nlattr* a, void* data) {
    (*static_cast<Fn*>(data))(a);
    return MNL_CB_OK;
  }, &f);
}

template <class F>
void for_each_nested(const struct nlattr* nest, F&& f) {
  using Fn = std::remove_reference_t<F>;
  mnl_attr_parse_nested(nest, [](const struct nlattr* a, void* data) {
    (*static_cast<Fn*>(data))(a);
    return MNL_CB_OK;
  }, &f);
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

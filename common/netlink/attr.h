// Attribute iteration for C++: libmnl's mnl_attr_for_each macros assign void* and do not compile
// as C++, so walk attributes through mnl_attr_parse with a callable.
#pragma once

#include <libmnl/libmnl.h>

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

}  // namespace hostnet::netlink

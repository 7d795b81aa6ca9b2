// Address text <-> binary, and the subnet arithmetic validation needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xml/network_def.h"

namespace hostnet::xml {

// family 0 accepts either; AF_INET / AF_INET6 only that one.
std::optional<IpAddress> parse_ip(std::string_view text, int family = 0);
std::optional<Mac> parse_mac(std::string_view text);
std::optional<Uuid> parse_uuid(std::string_view text);

// Number of leading one bits of a contiguous netmask; nullopt if not contiguous.
std::optional<unsigned> netmask_prefix(const IpAddress& mask);

// Is addr inside net/prefix?
bool in_subnet(const IpAddress& addr, const IpAddress& net, unsigned prefix);
// Compares two addresses of one family as unsigned big-endian numbers.
int compare(const IpAddress& a, const IpAddress& b);

}  // namespace hostnet::xml

// Checks that keep one network from stepping on another.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "daemon/network.h"

namespace hostnet {

// Do two prefixes of the same family share any address?
bool prefixes_overlap(const xml::IpAddress& a, unsigned a_len, const xml::IpAddress& b, unsigned b_len);

// Conflict if any of def's subnets overlaps a subnet of another active network.
Result<void> check_subnets_free(const xml::NetworkDef& def, const std::vector<const Network*>& others);

// Conflict if another network (persistent or live definition) uses def's bridge name.
Result<void> check_bridge_name_free(const xml::NetworkDef& def, const std::vector<const Network*>& others);

}  // namespace hostnet

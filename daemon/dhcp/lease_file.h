// dnsmasq's lease file, read as `virsh net-dhcp-leases` presents it.
#pragma once

#include <string_view>
#include <vector>

#include "daemon/dhcp/dhcp_service.h"

namespace hostnet::dhcp {

// IPv4 lines: "<expiry> <mac> <ip> <hostname|*> <client-id|*>". After the "duid <server duid>"
// line, IPv6 lines: "<expiry> <iaid> <ip> <hostname|*> <client duid>". Malformed lines are
// skipped: the file is dnsmasq's, rewritten while we read it.
std::vector<DhcpLease> parse_leases(std::string_view text, const xml::NetworkDef& def);

// The lease file `text` (whose leases are `have`) with the IPv4 `seeds` whose addresses it does
// not lease yet, as dnsmasq reads it at start: IPv4 lines before the "duid" line.
std::string merge_leases(std::string_view text, const std::vector<DhcpLease>& have, const std::vector<DhcpLease>& seeds);

}  // namespace hostnet::dhcp

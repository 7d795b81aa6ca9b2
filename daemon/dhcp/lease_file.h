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

}  // namespace hostnet::dhcp

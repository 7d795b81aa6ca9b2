// Parsing, validating and formatting libvirt network XML.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet::xml {

// Parses and validates. Errors are Errc::InvalidXML with the line and the offending element, e.g.
// "line 7: <range start='10.0.0.300'>: not an IPv4 address".
Result<NetworkDef> parse_network(std::string_view text);

enum FormatFlags : unsigned {
  kFormatLive = 0,          // include live-only state (connections)
  kFormatInactive = 1u << 0,  // the persistent definition only (virsh net-dumpxml --inactive)
};

// Canonical libvirt formatting: the element order, attribute order and indentation libvirt's own
// net-dumpxml prints for the same definition.
std::string format_network(const NetworkDef& def, unsigned flags = kFormatInactive);

// Fills in what libvirt assigns at define time when absent: a random uuid and, for modes that
// create a bridge, a random 52:54:00:xx:xx:xx MAC.
void assign_identity(NetworkDef& def);

// Network and interface name checks shared with the daemon.
Result<void> check_network_name(std::string_view name);
Result<void> check_interface_name(std::string_view name);  // <= 15 bytes, no '/', space, '%', ':'

}  // namespace hostnet::xml

// Shared by the parsers of each part of the network XML: attribute helpers that turn every
// problem into an InvalidXML error naming the line, the element, the attribute and the reason.
#pragma once

#include <tinyxml2.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet::xml::detail {

using tinyxml2::XMLElement;

// "line 7: <range start='10.0.0.300'>: not an IPv4 address"
Error element_error(const XMLElement* e, std::string_view attr, std::string_view reason);
inline tl::unexpected<Error> bad(const XMLElement* e, std::string_view attr, std::string_view reason) {
  return tl::unexpected<Error>(element_error(e, attr, reason));
}

std::string attr(const XMLElement* e, const char* name);  // "" when absent
bool has_attr(const XMLElement* e, const char* name);
std::string text_of(const XMLElement* e);                 // "" when absent

Result<std::optional<bool>> yes_no(const XMLElement* e, const char* name);
Result<std::optional<unsigned long long>> number(const XMLElement* e, const char* name,
                                                 unsigned long long min, unsigned long long max);
// Text that ends up in other programs' configuration (dnsmasq, nft) must not carry control
// characters: a newline in a hostname would start a new config line.
Result<void> check_plain_text(const XMLElement* e, const char* field, std::string_view value);

std::vector<const XMLElement*> children(const XMLElement* parent, const char* name);

Result<IpAddress> ip_attr(const XMLElement* e, const char* name, int family = 0);

// Parts of the document, each in its own file.
Result<void> parse_forward(const XMLElement* e, NetworkDef& def);
Result<void> parse_ip_element(const XMLElement* e, NetworkDef& def);
Result<void> parse_route(const XMLElement* e, NetworkDef& def);
Result<void> parse_dns(const XMLElement* e, NetworkDef& def);
Result<VlanDef> parse_vlan(const XMLElement* e);
Result<BandwidthDef> parse_bandwidth(const XMLElement* e);
Result<VirtualPortDef> parse_virtualport(const XMLElement* e, bool require_type);
Result<PortGroupDef> parse_portgroup(const XMLElement* e);
// <metadata> as libvirt keeps it; nullptr: none given.
MetadataDef read_metadata(const XMLElement* metadata);
bool is_hostnet_element(const XMLElement* e);
// hostnet's element in <metadata>: port forwards. Needs def.ips parsed (targets must be inside).
Result<void> parse_hostnet_metadata(const XMLElement* metadata, NetworkDef& def);

}  // namespace hostnet::xml::detail

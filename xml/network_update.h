// virsh net-update's sections for hostnet: DHCP hosts and DNS hosts, added or deleted, and
// hostnet's OpenFlow settings, replaced or removed. The
// result is validated as a whole definition, so an update can never make a network invalid.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet::xml {

// command: "add" (add-last), "add-first", "add-last", "delete"; section: "ip-dhcp-host" or
// "dns-host"; fragment: the element, e.g. "<host mac='52:54:00:00:00:10' ip='192.168.122.10'/>".
// Section "hostnet-openflow" (hostnet's own): "modify" replaces the network's <hostnet:openflow>
// with the fragment ("<hostnet:openflow fail-mode='secure'>...</hostnet:openflow>"), "delete"
// removes it.
Result<NetworkDef> apply_update(const NetworkDef& def, std::string_view command, std::string_view section,
                                std::string_view fragment);

}  // namespace hostnet::xml

// Port forwards: checks shared by the XML parser and the daemon's add/remove calls.
#pragma once

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet::xml {

// A forward is valid for def: protocol, ports in 1..65535 (a range of at most 1024), host
// address and target IPv4, target inside one of def's subnets, no collision with def's other
// forwards. InvalidArgument (or Conflict for a collision) naming the field.
Result<void> check_port_forward(const PortForward& fwd, const NetworkDef& def);

// "8080", "8000-8100"
std::string format_port_range(const PortForward& fwd);

}  // namespace hostnet::xml

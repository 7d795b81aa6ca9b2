// The status record of a port in the state dir (<state>/ports/<id>): what hostnetd needs after a
// restart to adopt the port as it is. One "key=value" line per setting, readable by an admin.
#pragma once

#include <string>

#include "common/result.h"
#include "daemon/ports/port.h"

namespace hostnet {

std::string format_port_record(const Port& port);
Result<Port> parse_port_record(const std::string& text);

}  // namespace hostnet

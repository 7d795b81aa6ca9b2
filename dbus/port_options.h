// CreatePort's a{sv} options -> the core's PortRequest, each option type-checked by name.
#pragma once

#include <map>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "common/result.h"
#include "daemon/ports/port_request.h"

namespace hostnet::dbus {

Result<PortRequest> port_request_from(const std::map<std::string, sdbus::Variant>& options);

}  // namespace hostnet::dbus

// Object paths for networks and ports. A network name may hold any character but '/', so it is
// escaped the way sd_bus_path_encode() does: [A-Za-z0-9] kept, every other byte as _XX (hex).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hostnet::dbus {

inline constexpr const char* kBusName = "org.hostnet1";
inline constexpr const char* kManagerPath = "/org/hostnet1";
inline constexpr const char* kNetworkPathPrefix = "/org/hostnet1/network";
inline constexpr const char* kPortPathPrefix = "/org/hostnet1/port";

std::string escape_path_label(std::string_view label);
std::optional<std::string> unescape_path_label(std::string_view label);

std::string network_path(std::string_view network_name);
std::string port_path(std::string_view port_id);

}  // namespace hostnet::dbus

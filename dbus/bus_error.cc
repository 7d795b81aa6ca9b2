#include "dbus/bus_error.h"

#include <string>

namespace hostnet::dbus {

sdbus::Error to_bus_error(const Error& error) {
  return sdbus::Error(std::string(kErrorPrefix) + std::string(errc_name(error.code)), error.message);
}

}  // namespace hostnet::dbus

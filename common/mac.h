// MAC addresses as text, the one form hostnet writes them in (libvirt's: lower case, colons).
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

namespace hostnet {

inline std::string format_mac(const std::array<std::uint8_t, 6>& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

}  // namespace hostnet

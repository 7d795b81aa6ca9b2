// Text out of the libvirt C API: its last error, and strings it hands over for the caller to free.
#pragma once

#include <libvirt/virterror.h>

#include <cstdlib>
#include <string>

namespace hostnet::libvirt {

inline std::string last_error() {
  const char* m = virGetLastErrorMessage();
  return m ? m : "unknown libvirt error";
}

// The string, freed; "" for null (the call failed).
inline std::string take_string(char* text) {
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

}  // namespace hostnet::libvirt

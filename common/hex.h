// Hex digits, shared by every parser of hex text (MACs, UUIDs, escaped D-Bus path labels).
#pragma once

namespace hostnet {

// 0..15, or -1 if c is not a hex digit.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace hostnet

#include "dbus/object_path.h"

#include "common/hex.h"

namespace hostnet::dbus {
namespace {
bool plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
}  // namespace

std::string escape_path_label(std::string_view label) {
  // An empty label is not a valid path element; sd-bus spells it "_".
  if (label.empty()) return "_";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : label) {
    if (plain(static_cast<char>(c))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('_');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::optional<std::string> unescape_path_label(std::string_view label) {
  if (label == "_") return std::string();
  std::string out;
  for (size_t i = 0; i < label.size(); ++i) {
    if (label[i] != '_') {
      out.push_back(label[i]);
      continue;
    }
    if (i + 2 >= label.size()) return std::nullopt;
    int hi = hex_digit_value(label[i + 1]), lo = hex_digit_value(label[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string network_path(std::string_view network_name) {
  return std::string(kNetworkPathPrefix) + "/" + escape_path_label(network_name);
}

std::string port_path(std::string_view port_id) {
  return std::string(kPortPathPrefix) + "/" + escape_path_label(port_id);
}

}  // namespace hostnet::dbus

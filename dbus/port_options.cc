#include "dbus/port_options.h"

#include <set>

namespace hostnet::dbus {

namespace {

const std::set<std::string> kStringOptions = {"kind", "name", "mac", "portgroup", "vlan", "native-mode",
                                              "inbound", "outbound", "interface-id", "vm-uuid"};
const std::set<std::string> kNumberOptions = {"queues", "owner", "group", "mtu", "native-vlan"};
const std::set<std::string> kBoolOptions = {"isolated", "trunk"};

// The option's value as text for set_request_option; numbers may come in any integer type (a
// Python or shell client rarely sends exactly 'u').
Result<std::string> as_text(const std::string& key, const sdbus::Variant& v) {
  std::string type = v.peekValueType();
  if (kStringOptions.count(key)) {
    if (type == "s") return v.get<std::string>();
    if (key == "vlan" && (type == "u" || type == "i")) return std::to_string(type == "u" ? v.get<uint32_t>() : v.get<int32_t>());
    return fail(Errc::InvalidArgument, "option '" + key + "': expected a string (s), got '" + type + "'");
  }
  if (kNumberOptions.count(key)) {
    long long n = 0;
    if (type == "u") n = v.get<uint32_t>();
    else if (type == "i") n = v.get<int32_t>();
    else if (type == "q") n = v.get<uint16_t>();
    else if (type == "n") n = v.get<int16_t>();
    else if (type == "y") n = v.get<uint8_t>();
    else if (type == "t") n = static_cast<long long>(v.get<uint64_t>());
    else if (type == "x") n = v.get<int64_t>();
    else return fail(Errc::InvalidArgument, "option '" + key + "': expected a number (u), got '" + type + "'");
    if (n < 0 || n > 0xffffffffLL) return fail(Errc::InvalidArgument, "option '" + key + "': " + std::to_string(n) + " is out of range");
    return std::to_string(n);
  }
  if (kBoolOptions.count(key)) {
    if (type == "b") return std::string(v.get<bool>() ? "yes" : "no");
    return fail(Errc::InvalidArgument, "option '" + key + "': expected a boolean (b), got '" + type + "'");
  }
  return fail(Errc::InvalidArgument, "unknown port option '" + key + "'");
}

}  // namespace

Result<PortRequest> port_request_from(const std::map<std::string, sdbus::Variant>& options) {
  PortRequest r;
  for (const auto& [key, value] : options) {
    auto text = as_text(key, value);
    if (!text) return tl::unexpected(text.error());
    if (auto ok = set_request_option(r, key, *text); !ok) return tl::unexpected(ok.error());
  }
  return r;
}

}  // namespace hostnet::dbus

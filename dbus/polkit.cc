#include "dbus/polkit.h"

#include <chrono>
#include <memory>

#include <sdbus-c++/sdbus-c++.h>

namespace hostnet::dbus {

namespace {
constexpr std::uint32_t kAllowUserInteraction = 1;
// A check polkit decides by itself takes milliseconds; one that waits for a person typing a
// password at an authentication agent gets longer. The daemon waits meanwhile (see docs/polkit.md).
constexpr auto kDecisionTimeout = std::chrono::seconds(10);
constexpr auto kInteractiveTimeout = std::chrono::seconds(60);

bool names_missing_service(const std::string& error) {
  return error == "org.freedesktop.DBus.Error.ServiceUnknown" || error == "org.freedesktop.DBus.Error.NameHasNoOwner";
}
}  // namespace

PolkitAnswer ask_polkit(sdbus::IConnection& connection, const std::string& sender, const std::string& action_id,
                        const std::map<std::string, std::string>& details, bool allow_interaction) {
  using Subject = sdbus::Struct<std::string, std::map<std::string, sdbus::Variant>>;
  using Decision = sdbus::Struct<bool, bool, std::map<std::string, std::string>>;
  try {
    auto authority = sdbus::createProxy(connection, kPolkitBusName, "/org/freedesktop/PolicyKit1/Authority");
    Subject subject{std::string("system-bus-name"), std::map<std::string, sdbus::Variant>{{"name", sdbus::Variant(sender)}}};
    Decision decision;
    authority->callMethod("CheckAuthorization")
        .onInterface("org.freedesktop.PolicyKit1.Authority")
        .withTimeout(allow_interaction ? kInteractiveTimeout : kDecisionTimeout)
        .withArguments(subject, action_id, details, allow_interaction ? kAllowUserInteraction : 0u, std::string())
        .storeResultsTo(decision);
    if (decision.get<0>()) return {PolkitVerdict::Granted, {}};
    if (decision.get<1>()) return {PolkitVerdict::Challenge, {}};
    return {PolkitVerdict::Denied, {}};
  } catch (const sdbus::Error& e) {
    if (names_missing_service(e.getName())) return {PolkitVerdict::Unavailable, e.getMessage()};
    return {PolkitVerdict::Failed, e.getName() + ": " + e.getMessage()};
  }
}

}  // namespace hostnet::dbus

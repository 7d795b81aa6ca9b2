// One question to polkit's Authority: may the bus peer `sender` do `action_id`? The subject is
// the caller's unique bus name (polkit reads its uid and pid from the bus itself, so nothing the
// caller says about itself is believed), as systemd asks.
#pragma once

#include <map>
#include <string>

#include <sdbus-c++/IConnection.h>

namespace hostnet::dbus {

enum class PolkitVerdict {
  Granted,
  Denied,
  Challenge,    // allowed after authentication, which the caller did not let polkit ask for
  Unavailable,  // no polkit on the bus
  Failed,       // polkit is there but did not answer (a timeout, an error)
};

struct PolkitAnswer {
  PolkitVerdict verdict;
  std::string detail;  // polkit's or the bus's words when it did not decide
};

inline constexpr const char* kPolkitBusName = "org.freedesktop.PolicyKit1";

PolkitAnswer ask_polkit(sdbus::IConnection& connection, const std::string& sender, const std::string& action_id,
                        const std::map<std::string, std::string>& details, bool allow_interaction);

}  // namespace hostnet::dbus

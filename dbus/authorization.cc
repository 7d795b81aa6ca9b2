#include "dbus/authorization.h"

#include <systemd/sd-bus.h>

#include <algorithm>
#include <string>

#include <sdbus-c++/Error.h>
#include <sdbus-c++/Message.h>

#include "common/log.h"
#include "common/result.h"
#include "dbus/bus_error.h"
#include "dbus/polkit.h"

namespace hostnet::dbus {

namespace {

// sdbus-c++ 1.2 does not say whether a call allows interactive authorization; sd-bus does. The
// message's sd-bus handle is a protected member, reachable through a pointer-to-member formed in
// a derived class (no object of it is ever made).
struct RawMessage : sdbus::Message {
  static sd_bus_message* of(const sdbus::Message& m) {
    void* sdbus::Message::*handle = &RawMessage::msg_;
    return static_cast<sd_bus_message*>(m.*handle);
  }
};

bool allows_interaction(const sdbus::Message& msg) {
  sd_bus_message* raw = RawMessage::of(msg);
  return raw && sd_bus_message_get_allow_interactive_authorization(raw) > 0;
}

bool in_admin_group(const sdbus::Message& msg, const AuthPolicy& policy) {
  if (!policy.admin_group) return false;
  if (msg.getCredsGid() == *policy.admin_group) return true;
  auto groups = msg.getCredsSupplementaryGids();
  return std::find(groups.begin(), groups.end(), *policy.admin_group) != groups.end();
}

// "Says so once": the first check without polkit is logged, and again after polkit has come
// back and gone away.
bool polkit_missing_logged = false;

void note_polkit_reachable(bool reachable, const std::string& detail) {
  if (reachable) {
    if (polkit_missing_logged) log::notice("polkit answers again: non-root callers are authorized through it");
    polkit_missing_logged = false;
  } else if (!polkit_missing_logged) {
    log::warning("polkit is not on the bus (" + detail +
                 "): only root, the admin group and port owners may change things until it is");
    polkit_missing_logged = true;
  }
}

std::string who(uid_t uid) { return "caller uid " + std::to_string(uid); }

}  // namespace

const char* polkit_action_id(Action action) {
  switch (action) {
    case Action::ManageNetworks: return "org.hostnet1.manage-networks";
    case Action::ManagePorts: return "org.hostnet1.manage-ports";
    case Action::OpenPortFds: return "org.hostnet1.open-port-fds";
  }
  return "org.hostnet1.manage-networks";
}

uid_t caller_uid(const sdbus::IObject& object) {
  const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
  // No message means a call from inside the daemon, which is root.
  return msg ? msg->getCredsUid() : 0;
}

void authorize(const sdbus::IObject& object, const AuthPolicy& policy, Action action, const std::string& what,
               const std::map<std::string, std::string>& details) {
  const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
  if (!msg) return;
  uid_t uid = msg->getCredsUid();
  if (uid == 0 || in_admin_group(*msg, policy)) return;
  const std::string action_id = polkit_action_id(action);
  std::string fallback = what + " needs root" + (policy.admin_group ? " or the hostnet admin group" : "");
  if (!policy.use_polkit) throw to_bus_error(Error{Errc::PermissionDenied, fallback + " (" + who(uid) + ")"});

  bool interactive = allows_interaction(*msg);
  PolkitAnswer answer = ask_polkit(object.getConnection(), msg->getSender(), action_id, details, interactive);
  note_polkit_reachable(answer.verdict != PolkitVerdict::Unavailable, answer.detail);
  switch (answer.verdict) {
    case PolkitVerdict::Granted:
      log::info("polkit allows " + action_id + " to " + who(uid) + ": " + what);
      return;
    case PolkitVerdict::Challenge:
      if (!interactive)
        throw sdbus::Error("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
                           what + " needs authentication (polkit action " + action_id + ", " + who(uid) +
                               "): call again allowing interactive authorization");
      throw to_bus_error(Error{Errc::PermissionDenied, what + ": authentication for polkit action " + action_id +
                                                           " did not succeed (" + who(uid) + ")"});
    case PolkitVerdict::Denied:
      throw to_bus_error(Error{Errc::PermissionDenied, what + ": polkit denies " + action_id + " to " + who(uid) +
                                                           " (" + fallback + ", or a polkit rule granting it)"});
    case PolkitVerdict::Unavailable:
      throw to_bus_error(Error{Errc::PermissionDenied, fallback + " (" + who(uid) + "; polkit is not on the bus)"});
    case PolkitVerdict::Failed:
      break;
  }
  // Fail closed: a polkit that cannot answer grants nothing.
  throw to_bus_error(Error{Errc::PermissionDenied, what + ": polkit did not decide " + action_id + " (" +
                                                       answer.detail + "); " + fallback + " (" + who(uid) + ")"});
}

}  // namespace hostnet::dbus

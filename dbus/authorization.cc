#include "dbus/authorization.h"

#include <systemd/sd-bus.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include <sdbus-c++/Error.h>
#include <sdbus-c++/Message.h>

#include "common/log.h"
#include "common/result.h"
#include "dbus/bus_error.h"
#include "dbus/polkit.h"
#include "dbus/raw_message.h"

namespace hostnet::dbus {

namespace {

bool in_admin_group(const Caller& caller, const AuthPolicy& policy) {
  if (!policy.admin_group) return false;
  if (caller.gid == *policy.admin_group) return true;
  return std::find(caller.groups.begin(), caller.groups.end(), *policy.admin_group) != caller.groups.end();
}

struct CredsUnref {
  void operator()(sd_bus_creds* c) const { sd_bus_creds_unref(c); }
};

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

Caller caller_of(sd_bus_message* msg) {
  // UID (not EUID), as sdbus-c++'s getCredsUid reads it; AUGMENT fills what the bus did not send
  // from /proc (dbus-daemon sends only the uid and pid).
  sd_bus_creds* raw = nullptr;
  int r = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_UID | SD_BUS_CREDS_AUGMENT, &raw);
  std::unique_ptr<sd_bus_creds, CredsUnref> creds(raw);
  Caller caller;
  if (r >= 0) r = sd_bus_creds_get_uid(raw, &caller.uid);
  if (r < 0)
    throw to_bus_error(Error{Errc::PermissionDenied, "cannot learn who the caller is: " + std::string(std::strerror(-r))});
  if (const char* sender = sd_bus_message_get_sender(msg)) caller.sender = sender;
  caller.interactive = sd_bus_message_get_allow_interactive_authorization(msg) > 0;
  if (caller.uid == 0) return caller;  // root needs no groups: not read on every root call
  sd_bus_creds* more = nullptr;
  if (sd_bus_query_sender_creds(msg, SD_BUS_CREDS_GID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT,
                                &more) >= 0) {
    std::unique_ptr<sd_bus_creds, CredsUnref> held(more);
    if (sd_bus_creds_get_gid(more, &caller.gid) < 0) caller.gid = static_cast<gid_t>(-1);
    const gid_t* groups = nullptr;
    int n = sd_bus_creds_get_supplementary_gids(more, &groups);
    if (n > 0) caller.groups.assign(groups, groups + n);
  }
  return caller;
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
  authorize(object.getConnection(), caller_of(RawMessage::of(*msg)), policy, action, what, details);
}

void authorize(sdbus::IConnection& connection, const Caller& caller, const AuthPolicy& policy, Action action,
               const std::string& what, const std::map<std::string, std::string>& details) {
  uid_t uid = caller.uid;
  if (uid == 0 || in_admin_group(caller, policy)) return;
  const std::string action_id = polkit_action_id(action);
  std::string fallback = what + " needs root" + (policy.admin_group ? " or the hostnet admin group" : "");
  if (!policy.use_polkit) throw to_bus_error(Error{Errc::PermissionDenied, fallback + " (" + who(uid) + ")"});

  bool interactive = caller.interactive;
  PolkitAnswer answer = ask_polkit(connection, caller.sender, action_id, details, interactive);
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

// Who may change things: root, or members of a configured admin group. Read-only calls are open
// to everyone the bus policy lets through.
#pragma once

#include <sys/types.h>

#include <optional>

#include <sdbus-c++/IObject.h>

namespace hostnet::dbus {

struct AuthPolicy {
  std::optional<gid_t> admin_group;
};

// Throws org.hostnet1.Error.PermissionDenied unless the caller of the message being processed on
// `object` is allowed to mutate. `what` names the action for the message.
void require_admin(const sdbus::IObject& object, const AuthPolicy& policy, const char* what);

// The caller's uid, for per-object checks (a port's owner may open its fds).
uid_t caller_uid(const sdbus::IObject& object);

}  // namespace hostnet::dbus

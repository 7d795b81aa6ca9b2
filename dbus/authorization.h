// Who may change things. Root may; so may members of the configured admin group, and a port's
// owner may open its fds; anyone else is asked of polkit, one action per kind of change (see
// org.hostnet1.policy), as NetworkManager, systemd and libvirt do. With no polkit on the bus,
// only the first three hold (said once in the log). Read-only calls are open to everyone the
// bus policy lets through.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <systemd/sd-bus.h>

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/IObject.h>

namespace hostnet::dbus {

enum class Action { ManageNetworks, ManagePorts, OpenPortFds };

// The polkit action id: org.hostnet1.manage-networks, ...
const char* polkit_action_id(Action action);

struct AuthPolicy {
  std::optional<gid_t> admin_group;
  bool use_polkit = true;
};

// Throws unless the caller of the message being processed on `object` may do `action`:
// org.hostnet1.Error.PermissionDenied naming `what` and the action, or
// org.freedesktop.DBus.Error.InteractiveAuthorizationRequired when polkit would allow it after
// authentication the caller did not allow. `details` go to polkit rules (action.lookup("network")).
void authorize(const sdbus::IObject& object, const AuthPolicy& policy, Action action, const std::string& what,
               const std::map<std::string, std::string>& details = {});

// Who sent a call: what authorization looks at.
struct Caller {
  uid_t uid = 0;
  gid_t gid = static_cast<gid_t>(-1);
  std::vector<gid_t> groups;
  std::string sender;
  bool interactive = false;  // the call allows polkit to ask for a password
};

// Read from the bus's credentials of the call's sender; throws PermissionDenied if it cannot be.
Caller caller_of(sd_bus_message* call);

// authorize() for a call handled by sd-bus directly (no sdbus-c++ object), on `connection`.
void authorize(sdbus::IConnection& connection, const Caller& caller, const AuthPolicy& policy, Action action,
               const std::string& what, const std::map<std::string, std::string>& details = {});

// The caller's uid, for per-object checks (a port's owner may open its fds).
uid_t caller_uid(const sdbus::IObject& object);

}  // namespace hostnet::dbus

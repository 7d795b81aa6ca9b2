#include "dbus/authorization.h"

#include <algorithm>
#include <string>

#include <sdbus-c++/Message.h>

#include "common/result.h"
#include "dbus/bus_error.h"

namespace hostnet::dbus {

uid_t caller_uid(const sdbus::IObject& object) {
  const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
  // No message means a call from inside the daemon, which is root.
  return msg ? msg->getCredsUid() : 0;
}

void require_admin(const sdbus::IObject& object, const AuthPolicy& policy, const char* what) {
  const sdbus::Message* msg = object.getCurrentlyProcessedMessage();
  if (!msg) return;
  uid_t uid = msg->getCredsUid();
  if (uid == 0) return;
  if (policy.admin_group) {
    if (msg->getCredsGid() == *policy.admin_group) return;
    auto groups = msg->getCredsSupplementaryGids();
    if (std::find(groups.begin(), groups.end(), *policy.admin_group) != groups.end()) return;
  }
  throw to_bus_error(Error{Errc::PermissionDenied, std::string(what) + " needs root" +
                                                       (policy.admin_group ? " or the hostnet admin group" : "") +
                                                       " (caller uid " + std::to_string(uid) + ")"});
}

}  // namespace hostnet::dbus

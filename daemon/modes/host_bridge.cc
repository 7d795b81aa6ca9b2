#include "daemon/modes/host_bridge.h"

namespace hostnet {

Result<void> HostBridgeDriver::start(const xml::NetworkDef& def, NetworkHost& host, Reverter&) {
  const auto& name = def.bridge.name;
  auto dev = host.backend.find_device(name);
  if (!dev) return tl::unexpected(dev.error());
  if (!*dev)
    return fail(Errc::NotFound, "host bridge '" + name + "' does not exist; create it first (forward mode "
                                "'bridge' uses an existing bridge and never creates one)");
  if ((*dev)->kind != "bridge")
    return fail(Errc::Conflict, "device '" + name + "' is a " +
                                    ((*dev)->kind.empty() ? std::string("plain device") : (*dev)->kind) +
                                    ", not a bridge");
  return {};
}

Result<void> HostBridgeDriver::stop(const xml::NetworkDef&, NetworkHost&) { return {}; }

}  // namespace hostnet

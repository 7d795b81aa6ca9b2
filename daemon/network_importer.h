// Networks another manager on the host runs that hostnet can take over and give back: libvirt's
// own (its `default` on virbr0 above all). The peer's link (libvirt/) implements it; the D-Bus
// adaptor and hostnetctl reach it through the Manager, which knows no more of it than this.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"

namespace hostnet {

struct Network;

class NetworkImporter {
 public:
  virtual ~NetworkImporter() = default;
  // The other manager's networks, by name, that import_network would take.
  virtual std::vector<std::string> importable() const = 0;
  // Makes the other manager's network hostnet's: same name, uuid, bridge, addresses, DHCP and
  // DNS, its leases and its guests' taps kept. All or nothing: on failure the other manager has
  // its network back as it was.
  using ImportDone = std::function<void(Result<const Network*>)>;
  virtual void import_network(const std::string& name, ImportDone done) = 0;
  // Gives an imported network back to the other manager, as it was before the import, its
  // guests' taps on its bridge again.
  using ReleaseDone = std::function<void(Result<void>)>;
  virtual void release_network(const std::string& name, ReleaseDone done) = 0;
};

}  // namespace hostnet

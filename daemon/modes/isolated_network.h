#pragma once

#include "daemon/modes/mode_driver.h"

namespace hostnet {

// Networks whose bridge hostnet creates and owns. Isolated networks are exactly this; nat, route
// and open networks build on it.
class OwnBridgeDriver : public ModeDriver {
 public:
  Result<void> start(const xml::NetworkDef& def, SwitchBackend& backend, Reverter& undo) override;
  Result<void> stop(const xml::NetworkDef& def, SwitchBackend& backend) override;
};

}  // namespace hostnet

#pragma once

#include "daemon/modes/mode_driver.h"

namespace hostnet {

// forward mode bridge with <bridge name=...>: a bridge the admin made and owns. Starting checks
// it is there and is a bridge; stopping leaves it alone, always.
class HostBridgeDriver : public ModeDriver {
 public:
  Result<void> start(const xml::NetworkDef& def, NetworkHost& host, Reverter& undo) override;
  Result<void> stop(const xml::NetworkDef& def, NetworkHost& host) override;
};

}  // namespace hostnet

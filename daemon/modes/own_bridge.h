#pragma once

#include "daemon/modes/mode_driver.h"

namespace hostnet {

// Networks whose bridge hostnet creates and owns: isolated (none), nat, route and open. They
// differ only in their firewall rules, which PacketFilter derives from the forward mode.
class OwnBridgeDriver : public ModeDriver {
 public:
  Result<void> start(const xml::NetworkDef& def, NetworkHost& host, Reverter& undo) override;
  Result<void> stop(const xml::NetworkDef& def, NetworkHost& host) override;
  Result<void> repair(const xml::NetworkDef& def, NetworkHost& host) override;
};

}  // namespace hostnet

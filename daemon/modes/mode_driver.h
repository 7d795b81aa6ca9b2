// What starting and stopping a network means for one kind of forward mode. One small unit per
// kind (a bridge of hostnet's own, the admin's host bridge), instead of one function switching
// on the mode: each can be read, tested and extended alone.
#pragma once

#include <memory>

#include "common/result.h"
#include "common/reverter.h"
#include "daemon/dhcp/dhcp_service.h"
#include "daemon/firewall/packet_filter.h"
#include "daemon/shaping/traffic_shaper.h"
#include "plugins/switch_backend.h"
#include "xml/network_def.h"

namespace hostnet {

// What a driver works with on the host.
struct NetworkHost {
  SwitchBackend& backend;
  PacketFilter& filter;
  DhcpService& dhcp;
  TrafficShaper* shaper = nullptr;  // null: networks with <bandwidth> cannot start
  // The network's switch when the caller has made it already (asynchronously, so the event loop
  // did not wait for it); start then takes it as ensure_switch's answer.
  const SwitchState* made_switch = nullptr;
};

class ModeDriver {
 public:
  virtual ~ModeDriver() = default;

  // Makes the network real, or adopts what already exists of it (after a daemon restart): never
  // tears down something that is already right. Registers the undo of each step it takes in
  // `undo`, which the caller runs if anything later fails.
  virtual Result<void> start(const xml::NetworkDef& def, NetworkHost& host, Reverter& undo) = 0;

  // Removes what start made. Tolerates parts already gone.
  virtual Result<void> stop(const xml::NetworkDef& def, NetworkHost& host) = 0;

  // Puts back what someone removed behind hostnet's back (an address, the bridge, the firewall
  // rules) without disturbing what is still right. Called for active networks only.
  virtual Result<void> repair(const xml::NetworkDef&, NetworkHost&) { return {}; }
};

// The driver for def's forward mode, or Unsupported naming the mode.
Result<std::unique_ptr<ModeDriver>> mode_driver_for(const xml::NetworkDef& def);

// The switch a network whose bridge hostnet creates should have.
SwitchSpec switch_spec_for(const xml::NetworkDef& def);

}  // namespace hostnet

// hostnetd's presence on the bus: the connection, every exported object, the bus name, and what
// happens when the bus goes away. The core does not know D-Bus, so losing the bus loses nothing
// but the connection: networks, ports, dnsmasq and rules stay as they are while BusService
// reconnects with backoff, exports every object again from the core's state, and takes the name
// again. (systemd's own daemons exit on bus loss and wait for a restart; here a restart would
// cost the reconciling of every network, a reconnect costs nothing.)
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <sdbus-c++/IConnection.h>
#include <systemd/sd-event.h>

#include "common/backoff.h"
#include "common/result.h"
#include "daemon/manager.h"
#include "daemon/ports/port_manager.h"
#include "dbus/authorization.h"

namespace hostnet::dbus {

class BusEventSource;
class ManagerObject;

class BusService {
 public:
  // Serves the system bus (DBUS_SYSTEM_BUS_ADDRESS points it elsewhere).
  BusService(sd_event* loop, Manager& manager, PortManager& ports, AuthPolicy auth);
  ~BusService();
  BusService(const BusService&) = delete;
  BusService& operator=(const BusService&) = delete;

  // The first connection, at startup: an error (no bus, the name owned by another process) is
  // for the caller to report; hostnetd does not start serving without its name.
  Result<void> start();

 private:
  struct Session;
  // Connects, exports every object and takes the name; on any failure leaves nothing behind.
  Result<std::unique_ptr<Session>> open_session();
  void lost(const std::string& why);
  void schedule_retry(std::chrono::milliseconds delay);
  static int on_retry(sd_event_source*, uint64_t, void* self);
  void retry();

  sd_event* loop_;
  Manager& manager_;
  PortManager& ports_;
  AuthPolicy auth_;
  std::unique_ptr<Session> session_;
  // 0.1 s doubling to 2 s: a restarted dbus-daemon or dbus-broker listens again within
  // milliseconds, and a connect() that fails costs next to nothing.
  Backoff backoff_{std::chrono::milliseconds(100), std::chrono::milliseconds(2000)};
  sd_event_source* retry_ = nullptr;
  unsigned attempts_ = 0;
  std::chrono::steady_clock::time_point lost_at_;
};

}  // namespace hostnet::dbus

// The daemon's one loop (sd-event): the D-Bus connection, signals, and later netlink, dnsmasq
// children and the OVSDB socket all register here. One thread; no locks in the core.
#pragma once

#include <functional>
#include <memory>

#include <systemd/sd-event.h>

#include "common/result.h"

namespace hostnet {

class EventLoop {
 public:
  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  sd_event* get() const { return event_; }

  // SIGTERM and SIGINT end run(); SIGCHLD is blocked for child sources; SIGHUP is ignored.
  Result<void> exit_on_signals();

  // Runs until exit(); returns the exit code.
  int run();
  void exit(int code = 0);

 private:
  explicit EventLoop(sd_event* e) : event_(e) {}
  sd_event* event_;
};

}  // namespace hostnet

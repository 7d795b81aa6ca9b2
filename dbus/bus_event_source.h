// Runs an sdbus-c++ connection on the daemon's sd-event loop. sdbus-c++ 1.2 exposes only poll
// data (fd, events, timeout), so before every poll the loop asks it afresh what to wait for.
#pragma once

#include <functional>

#include <sdbus-c++/IConnection.h>
#include <systemd/sd-event.h>

#include "common/result.h"

namespace hostnet::dbus {

class BusEventSource {
 public:
  // before_poll runs before every poll, from the loop thread (deferred clean-ups go there).
  static Result<std::unique_ptr<BusEventSource>> attach(sd_event* loop, sdbus::IConnection& connection,
                                                        std::function<void()> before_poll = {});
  ~BusEventSource();
  BusEventSource(const BusEventSource&) = delete;
  BusEventSource& operator=(const BusEventSource&) = delete;

 private:
  BusEventSource(sdbus::IConnection& c, std::function<void()> before_poll)
      : connection_(c), before_poll_(std::move(before_poll)) {}
  static int on_io(sd_event_source*, int, uint32_t, void* self);
  static int on_time(sd_event_source*, uint64_t, void* self);
  static int on_prepare(sd_event_source*, void* self);
  void process();

  sdbus::IConnection& connection_;
  std::function<void()> before_poll_;
  sd_event_source* io_ = nullptr;
  sd_event_source* timer_ = nullptr;
};

}  // namespace hostnet::dbus

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
  // lost runs once, from the loop thread, when the connection is closed (the bus daemon died or
  // dropped us): the source has stopped watching it by then. It may not destroy the source
  // itself; schedule that.
  static Result<std::unique_ptr<BusEventSource>> attach(sd_event* loop, sdbus::IConnection& connection,
                                                        std::function<void()> before_poll = {},
                                                        std::function<void(const std::string& why)> lost = {});
  ~BusEventSource();
  BusEventSource(const BusEventSource&) = delete;
  BusEventSource& operator=(const BusEventSource&) = delete;

 private:
  BusEventSource(sdbus::IConnection& c, std::function<void()> before_poll,
                 std::function<void(const std::string&)> lost)
      : connection_(c), before_poll_(std::move(before_poll)), lost_(std::move(lost)) {}
  static int on_io(sd_event_source*, int, uint32_t, void* self);
  static int on_time(sd_event_source*, uint64_t, void* self);
  static int on_prepare(sd_event_source*, void* self);
  void process();
  // Asks the connection what to wait for; false (and lose()) when it is closed.
  bool rearm();
  void lose(const std::string& why);

  sdbus::IConnection& connection_;
  std::function<void()> before_poll_;
  std::function<void(const std::string&)> lost_;
  bool closed_ = false;
  sd_event_source* io_ = nullptr;
  sd_event_source* timer_ = nullptr;
};

}  // namespace hostnet::dbus

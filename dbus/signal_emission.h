// Signals are announcements, never part of a reply: one that cannot be sent (the bus is gone, or
// going) must not take a destructor, an observer or the daemon down with it. When the bus is lost
// every object's emission fails at once, so the first failure is logged and the rest counted.
#pragma once

#include <functional>

namespace hostnet::dbus {

// Runs `emit`; an exception from it is logged (the first since the last reset) and swallowed.
void emit_signal(const char* what, const std::function<void()>& emit) noexcept;

// A new connection: the next failure is worth a log line again. Returns how many emissions
// failed since the last reset.
unsigned reset_emission_failures() noexcept;

}  // namespace hostnet::dbus

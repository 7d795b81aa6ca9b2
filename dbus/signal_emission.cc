#include "dbus/signal_emission.h"

#include <exception>
#include <string>

#include "common/log.h"

namespace hostnet::dbus {

namespace {
// The daemon has one loop thread and one connection at a time.
unsigned failures = 0;
}  // namespace

void emit_signal(const char* what, const std::function<void()>& emit) noexcept {
  try {
    emit();
    return;
  } catch (const std::exception& e) {
    if (failures++ == 0)
      log::warning(std::string("D-Bus: cannot emit ") + what + ": " + e.what() +
                   " (further signals that fail on this connection are not logged)");
  } catch (...) {
    if (failures++ == 0) log::warning(std::string("D-Bus: cannot emit ") + what);
  }
}

unsigned reset_emission_failures() noexcept {
  unsigned n = failures;
  failures = 0;
  return n;
}

}  // namespace hostnet::dbus

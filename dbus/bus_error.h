// The boundary between hostnet's errors-as-values and D-Bus: an Error becomes a named
// org.hostnet1.Error.<Code>, and back again in the client.
#pragma once

#include <sdbus-c++/Error.h>

#include "common/log.h"
#include "common/result.h"

namespace hostnet::dbus {

inline constexpr const char* kErrorPrefix = "org.hostnet1.Error.";

sdbus::Error to_bus_error(const Error& error);

// Throws the bus error when r holds an error; returns the value otherwise. For use inside adaptor
// methods, where sdbus-c++ turns the exception into the error reply.
template <class T>
T value_or_throw(Result<T> r) {
  if (!r) throw to_bus_error(r.error());
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

// Sends the reply of an asynchronous method from the event loop, where an exception would have
// no one to catch it (a caller that left the bus makes sending fail): logged instead.
template <class Send>
void send_late_reply(Send send) {
  try {
    send();
  } catch (const sdbus::Error& e) {
    log::warning("could not send a reply: " + e.getMessage());
  }
}

}  // namespace hostnet::dbus

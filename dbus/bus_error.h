// The boundary between hostnet's errors-as-values and D-Bus: an Error becomes a named
// org.hostnet1.Error.<Code>, and back again in the client.
#pragma once

#include <sdbus-c++/Error.h>
#include <sdbus-c++/MethodResult.h>

#include <functional>
#include <memory>
#include <tuple>

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

// The completion of an asynchronous method: sends the error, or the results `make` builds from
// the value (a std::tuple of the method's out arguments). Holds only the pending reply, so it may
// outlive the object whose method it answers.
template <class Value, class... Out, class Make>
std::function<void(Result<Value>)> reply_when_done(sdbus::Result<Out...>&& result, Make make) {
  auto reply = std::make_shared<sdbus::Result<Out...>>(std::move(result));
  return [reply, make](Result<Value> outcome) {
    send_late_reply([&] {
      if (!outcome) return reply->returnError(to_bus_error(outcome.error()));
      std::apply([&](const auto&... out) { reply->returnResults(out...); }, make(*outcome));
    });
  };
}

}  // namespace hostnet::dbus

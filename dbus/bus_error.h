// The boundary between hostnet's errors-as-values and D-Bus: an Error becomes a named
// org.hostnet1.Error.<Code>, and back again in the client.
#pragma once

#include <sdbus-c++/Error.h>
#include <sdbus-c++/IConnection.h>
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
// the value (a std::tuple of the method's out arguments). Holds only the pending reply and the
// connection it came on, so it may outlive the object whose method it answers, and the
// connection, if the bus is lost meanwhile (sdbus-c++ messages point into their connection).
template <class Value, class... Out, class Make>
std::function<void(Result<Value>)> reply_when_done(std::shared_ptr<sdbus::IConnection> connection,
                                                   sdbus::Result<Out...>&& result, Make make) {
  struct Pending {
    std::shared_ptr<sdbus::IConnection> connection;  // declared first: destroyed after the reply
    sdbus::Result<Out...> reply;
  };
  auto pending = std::make_shared<Pending>(Pending{std::move(connection), std::move(result)});
  return [pending, make](Result<Value> outcome) {
    send_late_reply([&] {
      if (!outcome) return pending->reply.returnError(to_bus_error(outcome.error()));
      std::apply([&](const auto&... out) { pending->reply.returnResults(out...); }, make(*outcome));
    });
  };
}

}  // namespace hostnet::dbus

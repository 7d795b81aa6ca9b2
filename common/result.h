// Errors as values. Every fallible operation in hostnet returns Result<T>: either the value or an
// Error carrying a code (which becomes a named D-Bus error at the bus boundary) and a message a
// person can act on. Exceptions are reserved for programming errors.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace hostnet {

enum class Errc {
  InvalidXML,        // the XML text is malformed or violates the schema
  InvalidArgument,   // a value outside the XML (a flag, a name, an option) is wrong
  NotFound,          // the named object does not exist
  Conflict,          // the request collides with something that exists
  Unsupported,       // the host or hostnet lacks what the request needs
  PermissionDenied,  // the caller may not do this
  Failed,            // the system refused (netlink, file system, ...); see the message
};

// The D-Bus error name suffix: org.hostnet1.Error.<name>.
std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::Failed;
  std::string message;
};

template <class T = void>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// Prefixes context to an error as it travels up ("starting network 'x': ...").
inline tl::unexpected<Error> fail_with_context(const Error& e, std::string_view context) {
  return tl::unexpected<Error>(Error{e.code, std::string(context) + ": " + e.message});
}

}  // namespace hostnet

#include "dbus/bus_service.h"

#include <sdbus-c++/sdbus-c++.h>

#include <cstring>

#include "common/log.h"
#include "dbus/bus_event_source.h"
#include "dbus/manager_object.h"
#include "dbus/object_path.h"
#include "dbus/signal_emission.h"

namespace hostnet::dbus {

// Members go in reverse order: the socket is no longer watched first, then the objects go (their
// InterfacesRemoved may fail: logged once), then the connection.
struct BusService::Session {
  // Pending replies keep the connection they belong to (a reply holds pointers into it), so a
  // lost connection lives on until the last of them has been answered or dropped.
  std::shared_ptr<sdbus::IConnection> connection;
  std::unique_ptr<ManagerObject> objects;
  std::unique_ptr<BusEventSource> source;
};

BusService::BusService(sd_event* loop, Manager& manager, PortManager& ports, AuthPolicy auth)
    : loop_(loop), manager_(manager), ports_(ports), auth_(auth) {}

BusService::~BusService() {
  sd_event_source_disable_unref(retry_);
  session_.reset();
}

Result<void> BusService::start() {
  auto s = open_session();
  if (!s) return tl::unexpected(s.error());
  session_ = std::move(*s);
  return {};
}

Result<std::unique_ptr<BusService::Session>> BusService::open_session() {
  auto session = std::make_unique<Session>();
  try {
    session->connection = sdbus::createSystemBusConnection();
  } catch (const sdbus::Error& e) {
    return fail(Errc::Failed, "cannot connect to the system bus: " + e.getMessage());
  }
  reset_emission_failures();
  try {
    session->objects = std::make_unique<ManagerObject>(session->connection, manager_, ports_, auth_);
  } catch (const sdbus::Error& e) {
    return fail(Errc::Failed, "cannot export hostnet's objects: " + e.getMessage());
  }
  auto source = BusEventSource::attach(
      loop_, *session->connection, [objects = session->objects.get()] { objects->collect_garbage(); },
      [this](const std::string& why) { lost(why); });
  if (!source) return tl::unexpected(source.error());
  session->source = std::move(*source);
  // The name comes last: a client that sees org.hostnet1 finds every object already there.
  try {
    session->connection->requestName(kBusName);
  } catch (const sdbus::Error& e) {
    return fail(Errc::Conflict, std::string("cannot own ") + kBusName + ": " + e.getMessage() +
                                    " (is another hostnetd running? does the bus policy allow root to own it?)");
  }
  return session;
}

void BusService::lost(const std::string& why) {
  // Runs inside the event source's callback: the session goes from the retry timer instead.
  log::warning("lost the D-Bus connection (" + why +
               "); networks, ports, dnsmasq and firewall rules stay as they are; reconnecting");
  lost_at_ = std::chrono::steady_clock::now();
  attempts_ = 0;
  backoff_.reset();
  schedule_retry(std::chrono::milliseconds(0));
}

void BusService::schedule_retry(std::chrono::milliseconds delay) {
  sd_event_source_disable_unref(retry_);
  retry_ = nullptr;
  uint64_t usec = static_cast<uint64_t>(delay.count()) * 1000;
  if (int r = sd_event_add_time_relative(loop_, &retry_, CLOCK_MONOTONIC, usec, 0, &BusService::on_retry, this); r < 0)
    log::error("cannot schedule a D-Bus reconnect: " + std::string(std::strerror(-r)));
}

int BusService::on_retry(sd_event_source*, uint64_t, void* self) {
  static_cast<BusService*>(self)->retry();
  return 0;
}

void BusService::retry() {
  if (session_) {
    session_.reset();
    if (unsigned failed = reset_emission_failures(); failed > 1)
      log::info(std::to_string(failed) + " signals could not be sent on the lost connection");
  }
  ++attempts_;
  auto s = open_session();
  if (!s) {
    auto delay = backoff_.next();
    // The first failure says why; later ones only at debug level, the bus may be down for long.
    std::string line = s.error().message + "; retrying in " + std::to_string(delay.count()) + " ms";
    attempts_ == 1 ? log::warning(line) : log::debug(line);
    schedule_retry(delay);
    return;
  }
  session_ = std::move(*s);
  backoff_.reset();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - lost_at_);
  log::notice("reconnected to D-Bus after " + std::to_string(ms.count()) + " ms (" + std::to_string(attempts_) +
              (attempts_ == 1 ? " attempt" : " attempts") + "): " + kBusName + " owned again, " +
              std::to_string(manager_.list().size()) + " networks and " + std::to_string(ports_.list().size()) +
              " ports exported");
}

}  // namespace hostnet::dbus

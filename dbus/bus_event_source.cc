#include "dbus/bus_event_source.h"

#include <poll.h>
#include <sys/epoll.h>

#include <cstring>

#include "common/log.h"

namespace hostnet::dbus {

Result<std::unique_ptr<BusEventSource>> BusEventSource::attach(sd_event* loop, sdbus::IConnection& connection,
                                                               std::function<void()> before_poll,
                                                               std::function<void(const std::string&)> lost) {
  std::unique_ptr<BusEventSource> self(new BusEventSource(connection, std::move(before_poll), std::move(lost)));
  sdbus::IConnection::PollData pd;
  try {
    pd = connection.getEventLoopPollData();
  } catch (const std::exception& e) {
    return fail(Errc::Failed, std::string("the D-Bus connection is closed: ") + e.what());
  }
  int r = sd_event_add_io(loop, &self->io_, pd.fd, pd.events, &BusEventSource::on_io, self.get());
  if (r >= 0) r = sd_event_source_set_prepare(self->io_, &BusEventSource::on_prepare);
  if (r >= 0)
    r = sd_event_add_time(loop, &self->timer_, CLOCK_MONOTONIC, UINT64_MAX, 0, &BusEventSource::on_time,
                          self.get());
  if (r < 0) return fail(Errc::Failed, std::string("cannot attach D-Bus to the event loop: ") + std::strerror(-r));
  return self;
}

BusEventSource::~BusEventSource() {
  sd_event_source_disable_unref(io_);
  sd_event_source_disable_unref(timer_);
}

void BusEventSource::process() {
  if (closed_) return;
  std::string failure;
  try {
    while (connection_.processPendingRequest()) {
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  // A closed connection also makes processing fail; tell it from a broken message of one client,
  // which must not take the daemon down.
  if (!rearm()) return;
  if (!failure.empty()) log::warning("D-Bus processing: " + failure);
}

bool BusEventSource::rearm() {
  sdbus::IConnection::PollData pd;
  try {
    pd = connection_.getEventLoopPollData();
  } catch (const std::exception& e) {
    lose(e.what());
    return false;
  }
  uint32_t events = 0;
  if (pd.events & POLLIN) events |= EPOLLIN;
  if (pd.events & POLLOUT) events |= EPOLLOUT;
  sd_event_source_set_io_events(io_, events);
  // timeout_usec is absolute CLOCK_MONOTONIC: UINT64_MAX means no deadline, 0 means "process
  // now" (messages are already queued), which a timer in the past does.
  if (pd.timeout_usec == UINT64_MAX) {
    sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  } else {
    sd_event_source_set_time(timer_, pd.timeout_usec);
    sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
  }
  return true;
}

void BusEventSource::lose(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  // sd-bus has closed the socket already. Stop watching its number now, before anything else
  // opens a file that gets the same number and registers it with the loop.
  sd_event_source_set_enabled(io_, SD_EVENT_OFF);
  sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  if (lost_) lost_(why);
}

int BusEventSource::on_io(sd_event_source*, int, uint32_t, void* self) {
  static_cast<BusEventSource*>(self)->process();
  return 0;
}

int BusEventSource::on_time(sd_event_source*, uint64_t, void* self) {
  static_cast<BusEventSource*>(self)->process();
  return 0;
}

int BusEventSource::on_prepare(sd_event_source*, void* p) {
  auto* self = static_cast<BusEventSource*>(p);
  if (self->closed_) return 0;
  if (self->before_poll_) self->before_poll_();
  self->rearm();
  return 0;
}

}  // namespace hostnet::dbus

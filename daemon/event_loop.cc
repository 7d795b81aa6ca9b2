#include "daemon/event_loop.h"

#include <signal.h>

#include <cstring>

namespace hostnet {

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  sd_event* e = nullptr;
  if (int r = sd_event_new(&e); r < 0)
    return fail(Errc::Failed, std::string("cannot create event loop: ") + std::strerror(-r));
  return std::unique_ptr<EventLoop>(new EventLoop(e));
}

EventLoop::~EventLoop() { sd_event_unref(event_); }

Result<void> EventLoop::exit_on_signals() {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  // Children (dnsmasq) are reaped through sd-event child sources, which need SIGCHLD blocked.
  sigaddset(&mask, SIGCHLD);
  // sd-event delivers signals through a signalfd, which only sees blocked signals.
  if (sigprocmask(SIG_BLOCK, &mask, nullptr) < 0)
    return fail(Errc::Failed, std::string("sigprocmask: ") + std::strerror(errno));
  for (int sig : {SIGTERM, SIGINT}) {
    if (int r = sd_event_add_signal(event_, nullptr, sig, nullptr, nullptr); r < 0)
      return fail(Errc::Failed, std::string("cannot watch signal: ") + std::strerror(-r));
  }
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  return {};
}

int EventLoop::run() { return sd_event_loop(event_); }

void EventLoop::exit(int code) { sd_event_exit(event_, code); }

}  // namespace hostnet

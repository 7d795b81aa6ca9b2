// Work handed to hostnetd's event loop from another thread. libvirt runs on a thread of its own
// (its calls block, its events come from its own loop); what it learns reaches the core only
// through here, so the core is only ever called from the loop thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <systemd/sd-event.h>

#include "common/result.h"
#include "common/unique_fd.h"

namespace hostnet::libvirt {

class LoopMailbox {
 public:
  static Result<std::unique_ptr<LoopMailbox>> attach(sd_event* loop);
  ~LoopMailbox();
  LoopMailbox(const LoopMailbox&) = delete;
  LoopMailbox& operator=(const LoopMailbox&) = delete;

  // From any thread: `work` runs on the loop thread, in the order posted. Work still queued when
  // the mailbox goes is dropped.
  void post(std::function<void()> work);

 private:
  LoopMailbox() = default;
  static int on_wake(sd_event_source*, int, uint32_t, void* self);

  UniqueFd wake_;
  sd_event_source* source_ = nullptr;
  std::mutex mutex_;
  std::deque<std::function<void()>> queue_;
};

}  // namespace hostnet::libvirt

#include "libvirt/loop_mailbox.h"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace hostnet::libvirt {

Result<std::unique_ptr<LoopMailbox>> LoopMailbox::attach(sd_event* loop) {
  std::unique_ptr<LoopMailbox> self(new LoopMailbox());
  self->wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!self->wake_) return fail(Errc::Failed, std::string("eventfd: ") + std::strerror(errno));
  if (int r = sd_event_add_io(loop, &self->source_, self->wake_.get(), EPOLLIN, &LoopMailbox::on_wake, self.get());
      r < 0)
    return fail(Errc::Failed, std::string("cannot watch the libvirt mailbox: ") + std::strerror(-r));
  return self;
}

LoopMailbox::~LoopMailbox() { sd_event_source_disable_unref(source_); }

void LoopMailbox::post(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

int LoopMailbox::on_wake(sd_event_source*, int, uint32_t, void* p) {
  auto* self = static_cast<LoopMailbox*>(p);
  uint64_t n;
  (void)!::read(self->wake_.get(), &n, sizeof n);
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard lock(self->mutex_);
    batch.swap(self->queue_);
  }
  for (auto& work : batch) work();
  return 0;
}

}  // namespace hostnet::libvirt

#include "libvirt/worker.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>

namespace hostnet::libvirt {

namespace {

// libvirt prints every error to stderr by default; hostnetd reports the ones that matter itself.
void quiet(void*, virErrorPtr) {}

}  // namespace

Result<std::unique_ptr<Worker>> Worker::start() {
  static std::once_flag once;
  static int registered = -1;
  std::call_once(once, [] {
    virSetErrorFunc(nullptr, quiet);
    registered = virEventRegisterDefaultImpl();
  });
  if (registered < 0) return fail(Errc::Failed, "cannot start libvirt's event loop");
  std::unique_ptr<Worker> self(new Worker());
  // A timer that never fires until post() arms it: libvirt's loop is woken by its own timers.
  self->jobs_timer_ = virEventAddTimeout(-1, &Worker::on_jobs, self.get(), nullptr);
  if (self->jobs_timer_ < 0) return fail(Errc::Failed, "cannot add a timer to libvirt's event loop");
  self->thread_ = std::thread([w = self.get()] { w->run(); });
  return self;
}

Worker::~Worker() {
  post([this] { quit_ = true; });
  if (thread_.joinable()) thread_.join();
  for (auto& [id, fn] : timers_) virEventRemoveTimeout(id);
  virEventRemoveTimeout(jobs_timer_);
}

void Worker::run() {
  while (!quit_)
    if (virEventRunDefaultImpl() < 0) break;
}

void Worker::post(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  jobs_.push_back(std::move(job));
  virEventUpdateTimeout(jobs_timer_, 0);
}

void Worker::on_jobs(int, void* p) {
  auto* self = static_cast<Worker*>(p);
  std::deque<std::function<void()>> batch;
  {
    std::lock_guard lock(self->mutex_);
    batch.swap(self->jobs_);
    virEventUpdateTimeout(self->jobs_timer_, -1);
  }
  for (auto& job : batch) job();
}

int Worker::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  int id = virEventAddTimeout(static_cast<int>(delay.count()), &Worker::on_timer, this, nullptr);
  if (id >= 0) timers_[id] = std::move(fn);
  return id;
}

void Worker::cancel(int id) {
  if (timers_.erase(id)) virEventRemoveTimeout(id);
}

void Worker::on_timer(int id, void* p) {
  auto* self = static_cast<Worker*>(p);
  auto it = self->timers_.find(id);
  if (it == self->timers_.end()) return;
  auto fn = std::move(it->second);
  self->timers_.erase(it);
  virEventRemoveTimeout(id);
  fn();
}

}  // namespace hostnet::libvirt

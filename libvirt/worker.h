// The libvirt thread: libvirt's own event loop (virEventRunDefaultImpl) and every libvirt call.
// libvirt's calls block (a first connection to a libvirtd that is starting takes seconds), and
// its callbacks (events, a closed connection) arrive from its loop; both stay on this thread, and
// what they produce goes to hostnetd's loop through a LoopMailbox.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.h"

namespace hostnet::libvirt {

class Worker {
 public:
  // Registers libvirt's default event loop (once a process) and starts the thread.
  static Result<std::unique_ptr<Worker>> start();
  // Runs the jobs already posted, then stops and joins the thread.
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // From any thread: `job` runs on the libvirt thread, in the order posted.
  void post(std::function<void()> job);

  // On the libvirt thread: `fn` runs once after `delay`, unless cancelled. Returns its id.
  int after(std::chrono::milliseconds delay, std::function<void()> fn);
  void cancel(int id);

 private:
  Worker() = default;
  static void on_jobs(int timer, void* self);
  static void on_timer(int timer, void* self);
  void run();

  int jobs_timer_ = -1;
  std::mutex mutex_;
  std::deque<std::function<void()>> jobs_;
  bool quit_ = false;  // set and read on the libvirt thread only
  std::map<int, std::function<void()>> timers_;  // libvirt thread only
  std::thread thread_;
};

}  // namespace hostnet::libvirt

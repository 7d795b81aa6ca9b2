// The two halves of the libvirt thread model: jobs run on the libvirt thread in order, and what
// it posts back runs on hostnetd's loop thread, never on the poster's.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "libvirt/loop_mailbox.h"
#include "libvirt/worker.h"

using namespace hostnet;
using namespace std::chrono_literals;

TEST(Worker, RunsJobsInOrderOnItsOwnThreadAndTheQueuedOnesBeforeItStops) {
  std::vector<int> order;
  std::thread::id worker_thread;
  {
    auto worker = libvirt::Worker::start();
    ASSERT_TRUE(worker) << worker.error().message;
    for (int i = 0; i < 100; ++i)
      (*worker)->post([&, i] {
        order.push_back(i);
        worker_thread = std::this_thread::get_id();
      });
  }  // destroyed: the queued jobs run first
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_NE(worker_thread, std::this_thread::get_id());
}

TEST(Worker, TimersFireOnceAndCancelledOnesNever) {
  auto worker = libvirt::Worker::start();
  ASSERT_TRUE(worker);
  std::promise<void> fired;
  std::atomic<int> cancelled_ran{0}, fired_count{0};
  (*worker)->post([&, w = worker->get()] {
    int id = w->after(10ms, [&] { cancelled_ran++; });
    w->cancel(id);
    w->after(20ms, [&] {
      fired_count++;
      fired.set_value();
    });
  });
  ASSERT_EQ(fired.get_future().wait_for(5s), std::future_status::ready);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(fired_count, 1);
  EXPECT_EQ(cancelled_ran, 0);
}

TEST(LoopMailbox, WorkPostedFromAnotherThreadRunsOnTheLoopThread) {
  sd_event* loop = nullptr;
  ASSERT_GE(sd_event_new(&loop), 0);
  {
    auto mailbox = libvirt::LoopMailbox::attach(loop);
    ASSERT_TRUE(mailbox) << mailbox.error().message;
    std::vector<std::thread::id> ran_on;
    std::thread poster([&] {
      for (int i = 0; i < 10; ++i) (*mailbox)->post([&] { ran_on.push_back(std::this_thread::get_id()); });
    });
    poster.join();
    for (int i = 0; i < 10 && ran_on.size() < 10; ++i) sd_event_run(loop, 100000);
    ASSERT_EQ(ran_on.size(), 10u);
    for (auto id : ran_on) EXPECT_EQ(id, std::this_thread::get_id());
  }
  sd_event_unref(loop);
}

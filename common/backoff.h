// Exponential backoff for reconnecting: the first retry comes quickly (a restarted server is
// usually back in well under a second), later ones spread out so a server that stays down is not
// hammered. Used for ovsdb-server and for the D-Bus daemon.
#pragma once

#include <algorithm>
#include <chrono>

namespace hostnet {

class Backoff {
 public:
  using ms = std::chrono::milliseconds;
  explicit Backoff(ms initial = ms(100), ms max = ms(5000)) : initial_(initial), max_(std::max(initial, max)), next_(initial) {}

  // The wait before the next attempt; each call doubles the following one, up to the maximum.
  ms next() {
    ms d = next_;
    next_ = std::min(next_ * 2, max_);
    return d;
  }
  // After a success: the next failure is retried quickly again.
  void reset() { next_ = initial_; }

 private:
  ms initial_, max_, next_;
};

}  // namespace hostnet

// Runs registered undo steps in reverse order unless the whole operation succeeded. A multi-step
// change (make a bridge, add its addresses, bring it up) registers each step's undo as it goes;
// on any early return the destructor rolls everything back, so a failure leaves nothing half-made.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace hostnet {

class Reverter {
 public:
  Reverter() = default;
  Reverter(const Reverter&) = delete;
  Reverter& operator=(const Reverter&) = delete;
  ~Reverter() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
  }

  void add(std::function<void()> undo) { undo_.push_back(std::move(undo)); }
  // The operation succeeded: keep what it made.
  void commit() { undo_.clear(); }

 private:
  std::vector<std::function<void()>> undo_;
};

}  // namespace hostnet

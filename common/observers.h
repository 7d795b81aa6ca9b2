// The observers of one core object: D-Bus and libvirt both follow networks and ports, neither
// knowing of the other. Notification iterates over a copy, so an observer may remove itself (or
// another) from its callback.
#pragma once

#include <algorithm>
#include <vector>

namespace hostnet {

template <class Observer>
class Observers {
 public:
  void add(Observer* o) {
    if (std::find(list_.begin(), list_.end(), o) == list_.end()) list_.push_back(o);
  }
  void remove(Observer* o) { std::erase(list_, o); }

  template <class F>
  void notify(F&& f) const {
    auto copy = list_;
    for (Observer* o : copy)
      if (std::find(list_.begin(), list_.end(), o) != list_.end()) f(*o);
  }

 private:
  std::vector<Observer*> list_;
};

}  // namespace hostnet

// Notices when someone changes what hostnet made behind its back — a flushed ruleset, hostnet's
// table deleted, a bridge address removed, a bridge deleted — and has the Manager repair it,
// within a fraction of a second. Changes hostnetd makes itself are told apart by the process id
// nftables records with each ruleset generation, so repairs do not chase their own tail.
#pragma once

#include <systemd/sd-event.h>

#include <memory>

#include "common/netlink/event_socket.h"
#include "common/result.h"

namespace hostnet {

class Manager;

class DriftWatcher {
 public:
  static Result<std::unique_ptr<DriftWatcher>> attach(sd_event* loop, Manager& manager);
  ~DriftWatcher();
  DriftWatcher(const DriftWatcher&) = delete;
  DriftWatcher& operator=(const DriftWatcher&) = delete;
  // A repair after the settle time, for drift others notice (a backend's own database).
  void repair_soon();

 private:
  DriftWatcher(sd_event* loop, Manager& manager, netlink::EventSocket nft, netlink::EventSocket rtnl)
      : loop_(loop), manager_(manager), nft_(std::move(nft)), rtnl_(std::move(rtnl)) {}
  static int on_nft(sd_event_source*, int, uint32_t, void* self);
  static int on_rtnl(sd_event_source*, int, uint32_t, void* self);
  static int on_timer(sd_event_source*, uint64_t, void* self);

  sd_event* loop_;
  Manager& manager_;
  netlink::EventSocket nft_;
  netlink::EventSocket rtnl_;
  sd_event_source* nft_source_ = nullptr;
  sd_event_source* rtnl_source_ = nullptr;
  sd_event_source* timer_ = nullptr;
};

}  // namespace hostnet

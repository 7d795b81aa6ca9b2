// Tap devices through /dev/net/tun. A port's tap is persistent: it outlives the fd that made it,
// so it exists before a VM runs and after it stops, and survives a hostnetd restart. A VM manager
// gets one fd per queue; each fd is an open of /dev/net/tun attached to the tap by name.
#pragma once

#include <sys/types.h>

#include <optional>
#include <functional>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace hostnet::tap {

// The kernel's limit on queues of one tap (MAX_TAP_QUEUES).
inline constexpr unsigned kMaxQueues = 256;

struct TapParams {
  std::string name;
  bool multi_queue = false;  // IFF_MULTI_QUEUE: more than one queue fd may attach
  bool vnet_hdr = true;      // IFF_VNET_HDR: frames carry a virtio-net header (checksum/GSO offload)
  std::optional<uid_t> owner;
  std::optional<gid_t> group;
};

// Creates the tap, marks it persistent and returns with no queue attached. The caller checks
// beforehand that no device has the name: given an existing tap, TUNSETIFF would attach to it.
// `mark` runs first, while the tap's one queue is held and before it is persistent: a daemon
// killed before then leaves no tap (the kernel removes a non-persistent tap with its last fd), so
// no tap is ever left without what `mark` gives it (hostnet's alias, by which a restart finds
// leftovers). A failing `mark` fails the creation and leaves no tap.
Result<void> create_persistent(const TapParams& params, const std::function<Result<void>()>& mark = {});

// Attaches one more queue and returns its fd. A single-queue tap whose queue is already open
// elsewhere answers Errc::Conflict.
Result<UniqueFd> open_queue(const TapParams& params);

// Clears (or sets) persistence through an attached queue fd: once cleared, the tap disappears
// when its last queue fd closes.
Result<void> set_persistent(int queue_fd, bool persistent, const std::string& name);

// Enables or disables a queue of a multi-queue tap (TUNSETQUEUE): a disabled queue gets no
// frames, so a VM that asks for fewer queues than the tap has loses nothing to unread ones.
Result<void> set_queue_enabled(int queue_fd, bool enabled, const std::string& name);

}  // namespace hostnet::tap

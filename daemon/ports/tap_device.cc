#include "daemon/ports/tap_device.h"

#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

namespace hostnet::tap {

namespace {

Result<UniqueFd> attach(const TapParams& p, bool creating) {
  UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
  if (!fd) return fail(Errc::Failed, std::string("cannot open /dev/net/tun: ") + std::strerror(errno));
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, p.name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (p.vnet_hdr) ifr.ifr_flags |= IFF_VNET_HDR;
  if (p.multi_queue) ifr.ifr_flags |= IFF_MULTI_QUEUE;
  if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0) {
    int err = errno;
    if (err == EBUSY)
      return fail(Errc::Conflict, "tap " + p.name + ": its only queue is already open in another process");
    if (err == EINVAL && !creating)
      return fail(Errc::Conflict, "tap " + p.name + ": the device is not a tap made as this port (" +
                                      std::string(std::strerror(err)) + ")");
    return fail(Errc::Failed, std::string(creating ? "creating" : "opening") + " tap " + p.name + ": " +
                                  std::strerror(err));
  }
  return fd;
}

}  // namespace

Result<void> create_persistent(const TapParams& params, const std::function<Result<void>()>& mark) {
  auto fd = attach(params, true);
  if (!fd) return tl::unexpected(fd.error());
  if (mark)
    if (auto r = mark(); !r) return r;
  if (params.owner && ::ioctl(fd->get(), TUNSETOWNER, static_cast<unsigned long>(*params.owner)) < 0)
    return fail(Errc::Failed, "tap " + params.name + ": setting the owner: " + std::strerror(errno));
  if (params.group && ::ioctl(fd->get(), TUNSETGROUP, static_cast<unsigned long>(*params.group)) < 0)
    return fail(Errc::Failed, "tap " + params.name + ": setting the group: " + std::strerror(errno));
  return set_persistent(fd->get(), true, params.name);
}

Result<UniqueFd> open_queue(const TapParams& params) { return attach(params, false); }

Result<void> set_persistent(int queue_fd, bool persistent, const std::string& name) {
  if (::ioctl(queue_fd, TUNSETPERSIST, persistent ? 1UL : 0UL) < 0)
    return fail(Errc::Failed, "tap " + name + ": setting persistence: " + std::strerror(errno));
  return {};
}

Result<void> set_queue_enabled(int queue_fd, bool enabled, const std::string& name) {
  struct ifreq ifr {};
  ifr.ifr_flags = enabled ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
  if (::ioctl(queue_fd, TUNSETQUEUE, &ifr) < 0) {
    // Attaching an attached queue (or detaching a detached one) is EINVAL: nothing to do.
    if (errno == EINVAL) return {};
    return fail(Errc::Failed, "tap " + name + ": " + (enabled ? "enabling" : "disabling") + " a queue: " +
                                  std::strerror(errno));
  }
  return {};
}

}  // namespace hostnet::tap

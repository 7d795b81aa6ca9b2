#include "daemon/drift_watcher.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstring>

#include "common/log.h"
#include "common/netlink/attr.h"
#include "daemon/manager.h"

namespace hostnet {

namespace {
// Repairs wait a moment so that a burst of changes (a whole ruleset reload) is answered once.
constexpr uint64_t kSettleUs = 50'000;

// The pid nftables recorded for a new ruleset generation; 0 if unknown.
pid_t generation_pid(const struct nlmsghdr* nlh) {
  pid_t pid = 0;
  netlink::for_each_attr(nlh, sizeof(struct nfgenmsg), [&](const struct nlattr* a) {
    if (mnl_attr_get_type(a) == NFTA_GEN_PROC_PID) pid = static_cast<pid_t>(ntohl(mnl_attr_get_u32(a)));
  });
  return pid;
}
// Whether a removal may have taken something of hostnet's. Every device removal counts (a
// libvirt tap on a hostnet bridge carries no mark of hostnet's, and its end is a port's end); of
// addresses, not the IPv6 link-local ones, which the kernel drops itself whenever a carrier goes
// (every new tap, a moment after it is made: a repair per port made) and hostnet never sets.
bool may_be_ours(const struct nlmsghdr* nlh) {
  if (nlh->nlmsg_type == RTM_DELLINK) return true;
  if (nlh->nlmsg_type == RTM_DELADDR) {
    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg))) return true;
    const auto* ifa = static_cast<const struct ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifa->ifa_family != AF_INET6) return true;
    bool link_local = false;
    netlink::for_each_attr(nlh, sizeof(struct ifaddrmsg), [&](const struct nlattr* a) {
      if (mnl_attr_get_type(a) == IFA_ADDRESS && mnl_attr_get_payload_len(a) == 16) {
        const auto* b = static_cast<const std::uint8_t*>(mnl_attr_get_payload(a));
        link_local = b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
      }
    });
    return !link_local;
  }
  return false;
}
}  // namespace

Result<std::unique_ptr<DriftWatcher>> DriftWatcher::attach(sd_event* loop, Manager& manager) {
  auto nft = netlink::EventSocket::open(NETLINK_NETFILTER, {NFNLGRP_NFTABLES});
  if (!nft) return tl::unexpected(nft.error());
  auto rtnl = netlink::EventSocket::open(NETLINK_ROUTE, {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR});
  if (!rtnl) return tl::unexpected(rtnl.error());
  std::unique_ptr<DriftWatcher> w(new DriftWatcher(loop, manager, std::move(*nft), std::move(*rtnl)));
  int r = sd_event_add_io(loop, &w->nft_source_, w->nft_.fd(), EPOLLIN, &DriftWatcher::on_nft, w.get());
  if (r >= 0) r = sd_event_add_io(loop, &w->rtnl_source_, w->rtnl_.fd(), EPOLLIN, &DriftWatcher::on_rtnl, w.get());
  if (r < 0) return fail(Errc::Failed, std::string("cannot watch for drift: ") + std::strerror(-r));
  return w;
}

DriftWatcher::~DriftWatcher() {
  sd_event_source_disable_unref(nft_source_);
  sd_event_source_disable_unref(rtnl_source_);
  sd_event_source_disable_unref(timer_);
}

void DriftWatcher::repair_soon() {
  if (timer_ && sd_event_source_get_enabled(timer_, nullptr) > 0) return;
  sd_event_source_disable_unref(timer_);
  timer_ = nullptr;
  sd_event_add_time_relative(loop_, &timer_, CLOCK_MONOTONIC, kSettleUs, 0, &DriftWatcher::on_timer, this);
}

int DriftWatcher::on_nft(sd_event_source*, int, uint32_t, void* p) {
  auto* self = static_cast<DriftWatcher*>(p);
  bool foreign = false;
  self->nft_.drain([&](const struct nlmsghdr* nlh) {
    if (!nlh) {
      foreign = true;
      log::debug("drift: nftables events lost (overrun)");
      return;
    }
    if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES || NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN)
      return;
    if (auto pid = generation_pid(nlh); pid != ::getpid()) {
      foreign = true;
      log::debug("drift: nftables generation made by pid " + std::to_string(pid));
    }
  });
  if (foreign) self->repair_soon();
  return 0;
}

int DriftWatcher::on_rtnl(sd_event_source*, int, uint32_t, void* p) {
  auto* self = static_cast<DriftWatcher*>(p);
  bool removal = false;
  self->rtnl_.drain([&](const struct nlmsghdr* nlh) {
    // A lost event (the socket overran) may have been a removal.
    if (!nlh || may_be_ours(nlh)) {
      removal = true;
      log::debug(!nlh ? "drift: link/address events lost (overrun)"
                      : std::string("drift: ") + (nlh->nlmsg_type == RTM_DELLINK ? "a device" : "an address") + " removed");
    }
  });
  if (removal) self->repair_soon();
  return 0;
}

int DriftWatcher::on_timer(sd_event_source*, uint64_t, void* p) {
  static_cast<DriftWatcher*>(p)->manager_.repair();
  return 0;
}

}  // namespace hostnet

// The Open vSwitch backend's ports: taps (and internal ports) added to a bridge in one
// transaction, awaited until ovs-vswitchd has taken them, removed, and counted.
#include <net/if.h>
#include <poll.h>

#include <algorithm>
#include <filesystem>

#include "common/log.h"
#include "common/sysctl.h"
#include "common/netlink/link.h"
#include "plugins/ovs/ovs_backend.h"
#include "plugins/ovs/ovs_rows.h"
#include "plugins/ovs/ovsdb/operations.h"
#include "plugins/ovs/ovsdb/replica.h"

namespace hostnet {

namespace {

constexpr unsigned kPortWaitMs = 5000;

// With the userspace datapath a port is not taken from the host's stack (no rx_handler as in the
// kernel datapath): the host also receives every frame the VM sends on the tap. Left alone it
// answers the VM's ARP for the gateway with the tap's MAC and then routes the VM's packets itself
// from the tap, past the network's firewall and NAT. So the tap must not speak IP at all.
Result<void> keep_out_of_host_stack(const std::string& device) {
  if (auto r = write_sysctl("/proc/sys/net/ipv4/conf/" + device + "/arp_ignore", "8"); !r) return r;
  if (std::filesystem::exists("/proc/sys/net/ipv6/conf/" + device))
    if (auto r = write_sysctl("/proc/sys/net/ipv6/conf/" + device + "/disable_ipv6", "1"); !r) return r;
  return {};
}

}  // namespace

Result<std::optional<OvsBackend::Added>> OvsBackend::add_ports(const std::vector<PortAttachment>& ports) {
  if (ports.empty()) return std::optional<Added>();
  if (auto r = ready_dpdk(); !r) return tl::unexpected(r.error());
  const std::string& switch_name = ports.front().switch_name;
  auto bridge = find_row("Bridge", switch_name);
  if (!bridge) return fail(Errc::NotFound, "Open vSwitch bridge '" + switch_name + "' does not exist");
  std::string bridge_uuid = bridge->uuid;
  auto bridge_ports = ovsdb::column_uuid_set(*bridge->row, "ports");
  std::map<std::string, RowRef> existing;
  for (const auto& [uuid, row] : session_.replica().table("Port"))
    if (auto n = ovsdb::column_string(row, "name"); n) existing.emplace(*n, RowRef{uuid, &row});

  std::vector<PortAttachment> fresh;
  Added added;
  added.bridge_uuid = bridge_uuid;
  for (const auto& port : ports) {
    // A tap must not speak IP on the host; an internal port is the host's own device, made by
    // vswitchd (and brought up by the daemon once it exists).
    if (!port.internal && port.vhost_user_socket.empty()) {
      if (datapath_type_ == "netdev")
        if (auto r = keep_out_of_host_stack(port.port_name); !r) return tl::unexpected(r.error());
      if (auto r = netlink::set_link_up(*sock_, port.ifindex, true, port.port_name); !r) return tl::unexpected(r.error());
    }
    auto it = existing.find(port.port_name);
    if (it == existing.end() && port.foreign)
      return fail(Errc::NotFound, "port " + port.port_name + " is not on Open vSwitch bridge '" + switch_name +
                                      "': the program that made it plugs it in");
    if (it == existing.end()) {
      fresh.push_back(port);
      added.names.push_back(port.port_name);
      if (port.internal) added.internal.push_back(port.port_name);
      continue;
    }
    const RowRef& row = it->second;
    // A foreign port's row is its maker's (libvirt's ovs-vsctl): on this bridge is all it needs.
    bool on_bridge = bridge_ports && bridge_ports->count(row.uuid);
    if (!on_bridge || (!port.foreign && owner_of(*row.row) != port.switch_owner_tag))
      return fail(Errc::Conflict, "Open vSwitch already has a port '" + port.port_name + "' that is not this one");
    auto want = ovs::vlan_columns(port.vlan);
    bool same = true;
    for (const auto& [column, value] : want.items()) same = same && (*row.row)[column] == value;
    if (same) continue;  // adopted as it is: no flap
    if (auto r = transact(ovs::update_port_vlan_ops(row.uuid, port.vlan)); !r) return tl::unexpected(r.error());
  }
  if (fresh.empty()) return std::optional<Added>();

  auto results = transact(ovs::add_ports_ops(fresh, bridge_uuid));
  if (!results) return tl::unexpected(results.error());
  for (size_t i = 0; i < fresh.size(); ++i) added.port_uuids.push_back(ovs::inserted_uuid((*results)[2 * i + 1]));
  // vswitchd reconfigures once for the whole transaction; give a large batch time for it. A
  // vhost-user port costs it more, and more as there are more (bench_dpdk.py: 1000 in one call
  // take ~20 s, 250 ~1.7 s).
  auto vhost_user = std::count_if(fresh.begin(), fresh.end(), [](const auto& p) { return !p.vhost_user_socket.empty(); });
  added.timeout = std::chrono::milliseconds(kPortWaitMs + 20 * fresh.size() + 60 * static_cast<size_t>(vhost_user));
  return std::optional<Added>(std::move(added));
}

void OvsBackend::remove_added(const Added& added) {
  if (auto r = transact(ovs::remove_ports_ops(added.bridge_uuid, added.port_uuids)); !r)
    log::warning("ovs: could not remove the ports of a failed add: " + r.error().message);
}

Result<void> OvsBackend::attach_port(const PortAttachment& port) { return attach_ports({port}); }

Result<void> OvsBackend::attach_ports(const std::vector<PortAttachment>& ports) {
  auto added = add_ports(ports);
  if (!added) return tl::unexpected(added.error());
  if (!*added) return {};
  if (auto r = wait_taken(**added); !r) {
    remove_added(**added);
    return r;
  }
  return {};
}

void OvsBackend::attach_ports_async(const std::vector<PortAttachment>& ports, AttachDone done) {
  if (!loop_) return done(attach_ports(ports));
  auto added = add_ports(ports);
  if (!added) return done(tl::unexpected(added.error()));
  if (!*added) return done({});
  auto deadline = std::chrono::steady_clock::now() + (*added)->timeout;
  waiting_.push_back(Waiting{std::move(**added), deadline, std::move(done)});
  // The replica may show the ports taken already; either way the check runs from the loop, after
  // this call has returned to its caller.
  arm_check(std::chrono::steady_clock::now());
}

Result<bool> OvsBackend::taken(const Added& added) const {
  // The network stopped meanwhile: its bridge, and the ports with it, are gone for good.
  if (!session_.replica().table("Bridge").count(added.bridge_uuid))
    return fail(Errc::Conflict, "the Open vSwitch bridge was deleted before ovs-vswitchd took the " +
                                    std::string(added.names.size() == 1 ? "port" : "ports"));
  std::map<std::string, const nlohmann::json*> by_name;
  for (const auto& [uuid, row] : session_.replica().table("Interface"))
    if (auto n = ovsdb::column_string(row, "name"); n) by_name[*n] = &row;
  for (const auto& name : added.names) {
    auto it = by_name.find(name);
    if (it == by_name.end()) return false;
    auto ofport = ovsdb::column_int(*it->second, "ofport");
    if (!ofport || !*ofport || **ofport == 0) return false;
    if (**ofport < 0) {
      auto error = ovsdb::column_string(*it->second, "error");
      return fail(Errc::Failed, "Open vSwitch could not add port " + name + ": " +
                                    (error && !error->empty() ? *error : std::string("no ofport assigned")));
    }
  }
  // vswitchd makes an internal port's device as it takes the port; it must be there to be set up.
  for (const auto& name : added.internal)
    if (::if_nametoindex(name.c_str()) == 0) return false;
  return true;
}

namespace {
Error vswitchd_timeout(const std::vector<std::string>& names, std::chrono::milliseconds timeout) {
  std::string which = names.size() == 1 ? "port " + names.front() : std::to_string(names.size()) + " ports";
  return Error{Errc::Failed, which + ": ovs-vswitchd did not take " + (names.size() == 1 ? "it" : "them") + " within " +
                                 std::to_string(timeout.count()) + " ms (is ovs-vswitchd running?)"};
}
}  // namespace

Result<void> OvsBackend::wait_taken(const Added& added) {
  auto deadline = std::chrono::steady_clock::now() + added.timeout;
  for (;;) {
    auto done = taken(added);
    if (!done) return tl::unexpected(done.error());
    if (*done) return {};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return tl::unexpected(vswitchd_timeout(added.names, added.timeout));
    struct pollfd pfd {session_.fd(), POLLIN, 0};
    // Short polls: an internal port's device appears without an OVSDB update.
    ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), added.internal.empty() ? 100 : 5)));
    if (auto r = session_.on_readable(); !r) {
      last_error_ = r.error().message;
      schedule_reconnect();
      return fail(Errc::Unsupported, "Open vSwitch: connection lost while adding ports: " + r.error().message);
    }
    if (!waiting_.empty()) arm_check(std::chrono::steady_clock::now());
  }
}

void OvsBackend::arm_check(std::chrono::steady_clock::time_point when) {
  if (!loop_) return;
  auto usec = static_cast<uint64_t>(
      std::max<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count(), 1));
  if (!check_) {
    if (sd_event_add_time(loop_, &check_, CLOCK_MONOTONIC, usec, 0, &OvsBackend::on_check, this) < 0) check_ = nullptr;
    return;
  }
  uint64_t armed = 0;
  int enabled = SD_EVENT_OFF;
  sd_event_source_get_enabled(check_, &enabled);
  // Keep an earlier time already armed.
  if (enabled != SD_EVENT_OFF && sd_event_source_get_time(check_, &armed) >= 0 && armed <= usec) return;
  sd_event_source_set_time(check_, usec);
  sd_event_source_set_enabled(check_, SD_EVENT_ONESHOT);
}

int OvsBackend::on_check(sd_event_source*, uint64_t, void* p) {
  static_cast<OvsBackend*>(p)->check_waiting();
  return 0;
}

void OvsBackend::check_waiting() {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<AttachDone, Result<void>>> finished;
  std::optional<std::chrono::steady_clock::time_point> next;
  bool devices_pending = false;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    // While disconnected the replica is stale: wait for the reconnect (or the deadline).
    auto done = session_.connected() ? taken(it->added) : Result<bool>(false);
    if (done && !*done && now < it->deadline) {
      next = next ? std::min(*next, it->deadline) : it->deadline;
      devices_pending = devices_pending || !it->added.internal.empty();
      ++it;
      continue;
    }
    Result<void> outcome;
    if (!done) outcome = tl::unexpected(done.error());
    else if (!*done) outcome = tl::unexpected(vswitchd_timeout(it->added.names, it->added.timeout));
    if (!outcome) remove_added(it->added);
    finished.emplace_back(std::move(it->done), std::move(outcome));
    it = waiting_.erase(it);
  }
  // Devices vswitchd makes or removes show in no OVSDB update: they are looked for every 5 ms.
  std::vector<std::pair<std::function<void(Result<int>)>, Result<int>>> devices_done;
  for (auto it = device_waits_.begin(); it != device_waits_.end();) {
    auto reached = device_reached(it->name, it->present, it->deadline, it->timeout);
    if (!reached) {
      devices_pending = true;
      ++it;
      continue;
    }
    devices_done.emplace_back(std::move(it->then), std::move(*reached));
    it = device_waits_.erase(it);
  }
  if (devices_pending) next = next ? std::min(*next, now + std::chrono::milliseconds(5)) : now + std::chrono::milliseconds(5);
  if (next) arm_check(*next);
  // Last: a completion may start another add or wait, which changes the lists.
  for (auto& [done, outcome] : finished) done(std::move(outcome));
  for (auto& [then, outcome] : devices_done) then(std::move(outcome));
}

Result<void> OvsBackend::detach_port(const PortAttachment& port) {
  if (auto r = ready(); !r) return r;
  auto existing = find_row("Port", port.port_name);
  if (!existing) return {};
  if (owner_of(*existing->row) != port.switch_owner_tag)
    return fail(Errc::Conflict, "refusing to remove Open vSwitch port '" + port.port_name + "': not hostnet's for this network");
  for (const auto& [uuid, row] : session_.replica().table("Bridge")) {
    auto ports = ovsdb::column_uuid_set(row, "ports");
    if (ports && ports->count(existing->uuid)) {
      auto r = transact(ovs::remove_ports_ops(uuid, {existing->uuid}));
      if (!r) return tl::unexpected(r.error());
    }
  }
  return {};
}

Result<std::map<std::string, std::uint64_t>> OvsBackend::port_statistics(const PortAttachment& port) {
  if (auto r = ready(); !r) return tl::unexpected(r.error());
  // Read on demand: monitoring the column would stream every port's counters every few seconds.
  nlohmann::json ops = nlohmann::json::array(
      {ovsdb::op::select("Interface", {ovsdb::column_is("name", port.port_name)}, {"statistics"})});
  auto r = transact(ops);
  if (!r) return tl::unexpected(r.error());
  const auto& rows = (*r)[0]["rows"];
  if (rows.empty()) return fail(Errc::NotFound, "Open vSwitch has no interface " + port.port_name);
  std::map<std::string, std::uint64_t> out;
  const auto& stats = rows[0]["statistics"];
  if (stats.is_array() && stats.size() == 2 && stats[0] == "map")
    for (const auto& kv : stats[1])
      if (kv[1].is_number_integer() && kv[1].get<std::int64_t>() >= 0) out[kv[0].get<std::string>()] = kv[1].get<std::uint64_t>();
  return out;
}

}  // namespace hostnet

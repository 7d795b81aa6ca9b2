#include "plugins/ovs/ovs_backend.h"

#include <net/if.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/log.h"
#include "common/sysctl.h"
#include "common/netlink/address.h"
#include "common/netlink/link.h"
#include "common/reverter.h"
#include "plugins/ovs/ovs_rows.h"
#include "plugins/ovs/ovsdb/operations.h"
#include "plugins/ovs/ovsdb/replica.h"

namespace hostnet {

namespace {

constexpr const char* kDefaultSocket = "/var/run/openvswitch/db.sock";
constexpr unsigned kPortWaitMs = 5000;
constexpr std::chrono::seconds kDeviceTimeout{30};
constexpr std::chrono::seconds kDeviceGoneTimeout{10};
constexpr uint64_t kKeepaliveTick = 1'000'000;  // usec between keepalive checks
constexpr std::chrono::milliseconds kAttemptWait{200};

std::string option(const PluginContext& c, const std::string& key, const std::string& fallback) {
  for (const auto& [k, v] : c.options)
    if (k == key) return v;
  return fallback;
}

// The kernel datapath needs the openvswitch module; without it the userspace (netdev) datapath
// does the switching in ovs-vswitchd.
std::string detect_datapath() { return ::access("/sys/module/openvswitch", F_OK) == 0 ? "system" : "netdev"; }

ovsdb::MonitorSpec monitored() {
  ovsdb::MonitorSpec spec;
  spec.tables = {{"Open_vSwitch", {"bridges"}},
                 {"Bridge", {"name", "ports", "external_ids", "datapath_type"}},
                 {"Port", {"name", "interfaces", "tag", "trunks", "vlan_mode", "external_ids"}},
                 {"Interface", {"name", "type", "ofport", "error", "external_ids"}}};
  return spec;
}

std::string inserted_uuid(const nlohmann::json& result) {
  if (result.contains("uuid") && result["uuid"].is_array() && result["uuid"].size() == 2)
    return result["uuid"][1].get<std::string>();
  return "";
}

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

std::unique_ptr<SwitchBackend> OvsBackend::create(const PluginContext& context) {
  ovsdb::SessionOptions options;
  options.socket_path = option(context, "ovsdb-socket", kDefaultSocket);
  options.monitor = monitored();
  std::string datapath = option(context, "ovs-datapath", detect_datapath());
  auto backend = std::unique_ptr<OvsBackend>(new OvsBackend(std::move(options), datapath, context.event_loop));
  // One try: hostnetd must come up at once even when ovsdb-server does not; the event loop keeps
  // trying in the background, with backoff.
  if (auto r = backend->session_.connect_once(); !r) {
    backend->last_error_ = r.error().message;
    backend->schedule_reconnect();
  } else {
    backend->watch();
  }
  backend->start_keepalive();
  return backend;
}

OvsBackend::OvsBackend(ovsdb::SessionOptions options, std::string datapath_type, sd_event* loop)
    : session_(std::move(options)), datapath_type_(std::move(datapath_type)), loop_(loop) {
  if (auto sock = netlink::RtnlSocket::open(); sock) sock_ = std::move(*sock);
  if (loop_) sd_event_ref(loop_);
}

OvsBackend::~OvsBackend() {
  // Adds still waiting for vswitchd at shutdown: their callers never hear back and the daemon
  // rolls their taps back, so their rows go too.
  for (const auto& w : waiting_)
    if (session_.connected()) remove_added(w.added);
  sd_event_source_disable_unref(io_);
  sd_event_source_disable_unref(timer_);
  sd_event_source_disable_unref(check_);
  sd_event_source_disable_unref(keepalive_);
  if (loop_) sd_event_unref(loop_);
}

BackendInfo OvsBackend::info() const {
  BackendInfo info;
  info.name = "ovs";
  info.available = session_.connected() && sock_.has_value();
  if (!info.available)
    info.unavailable_reason = "Open vSwitch is not reachable: " + (last_error_.empty() ? std::string("no rtnetlink socket") : last_error_);
  info.capabilities = {cap::kMtu, cap::kVlanFiltering, cap::kPorts, cap::kTunnelVxlan, cap::kTunnelGre, cap::kTunnelGeneve};
  return info;
}

void OvsBackend::watch() {
  if (!loop_ || (!session_.connected() && !session_.connecting())) return;
  sd_event_source_disable_unref(io_);
  io_ = nullptr;
  if (sd_event_add_io(loop_, &io_, session_.fd(), EPOLLIN, &OvsBackend::on_io, this) < 0) io_ = nullptr;
}

void OvsBackend::schedule_reconnect() {
  if (!loop_) return;
  sd_event_source_disable_unref(io_);
  io_ = nullptr;
  sd_event_source_disable_unref(timer_);
  timer_ = nullptr;
  auto due = std::chrono::duration_cast<std::chrono::microseconds>(session_.next_attempt().time_since_epoch()).count();
  sd_event_add_time(loop_, &timer_, CLOCK_MONOTONIC, static_cast<uint64_t>(std::max<int64_t>(due, 0)), 0,
                    &OvsBackend::on_timer, this);
}

void OvsBackend::start_keepalive() {
  if (!loop_) return;
  if (sd_event_add_time_relative(loop_, &keepalive_, CLOCK_MONOTONIC, kKeepaliveTick, 0, &OvsBackend::on_keepalive, this) < 0)
    keepalive_ = nullptr;
}

void OvsBackend::pump(bool was_connected) {
  if (auto r = session_.on_readable(); !r) {
    last_error_ = r.error().message;
    if (was_connected) log::warning("ovs: lost ovsdb-server: " + r.error().message + "; reconnecting");
    schedule_reconnect();
    return;
  }
  if (!was_connected && session_.connected()) {
    last_error_.clear();
    log::info("ovs: connected to ovsdb-server (schema " + session_.schema_version().text + "), replica rebuilt");
  }
}

int OvsBackend::on_io(sd_event_source*, int, uint32_t, void* p) {
  auto* self = static_cast<OvsBackend*>(p);
  self->pump(self->session_.connected());
  if (self->session_.connected() && (!self->waiting_.empty() || !self->device_waits_.empty())) self->check_waiting();
  return 0;
}

int OvsBackend::on_timer(sd_event_source*, uint64_t, void* p) {
  auto* self = static_cast<OvsBackend*>(p);
  // The handshake follows in on_io once ovsdb-server has answered the attempt's echo: a server
  // that takes connections without answering (stopped, wedged) never holds the loop.
  if (auto r = self->session_.begin_connect(); !r) {
    self->last_error_ = r.error().message;
    self->schedule_reconnect();
    return 0;
  }
  self->watch();
  return 0;
}

int OvsBackend::on_keepalive(sd_event_source* source, uint64_t usec, void* p) {
  auto* self = static_cast<OvsBackend*>(p);
  if (auto r = self->session_.keepalive(std::chrono::steady_clock::now()); !r) {
    self->last_error_ = r.error().message;
    log::warning("ovs: " + r.error().message);
    self->schedule_reconnect();
  }
  sd_event_source_set_time(source, usec + kKeepaliveTick);
  sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
  return 0;
}

Result<void> OvsBackend::ready() {
  if (!sock_) return fail(Errc::Unsupported, info().unavailable_reason);
  if (session_.connected()) pump(true);
  if (!session_.connected() && !session_.connecting() && std::chrono::steady_clock::now() >= session_.next_attempt()) {
    if (auto r = session_.begin_connect(); r) {
      watch();
    } else {
      last_error_ = r.error().message;
      schedule_reconnect();
    }
  }
  // An attempt under way: a server that is there answers its echo within milliseconds, so the
  // caller may wait that long for it, and no longer.
  auto deadline = std::chrono::steady_clock::now() + kAttemptWait;
  while (session_.connecting() && std::chrono::steady_clock::now() < deadline) {
    struct pollfd pfd {session_.fd(), POLLIN, 0};
    ::poll(&pfd, 1, 10);
    pump(false);
  }
  if (!waiting_.empty()) arm_check(std::chrono::steady_clock::now());
  if (!session_.connected()) return fail(Errc::Unsupported, info().unavailable_reason);
  return {};
}

Result<std::vector<nlohmann::json>> OvsBackend::transact(const nlohmann::json& ops) {
  auto r = session_.transact(ops);
  if (!session_.connected()) {
    last_error_ = r ? std::string("connection lost") : r.error().message;
    schedule_reconnect();
  }
  if (!r) return fail_with_context(r.error(), "Open vSwitch");
  // What the transaction changed reaches the replica as an update; read it now so the next
  // lookup sees it.
  if (session_.connected()) (void)session_.on_readable();
  if (!waiting_.empty()) arm_check(std::chrono::steady_clock::now());
  return r;
}

std::optional<OvsBackend::RowRef> OvsBackend::find_row(const std::string& table, const std::string& name) const {
  for (const auto& [uuid, row] : session_.replica().table(table)) {
    auto n = ovsdb::column_string(row, "name");
    if (n && *n == name) return RowRef{uuid, &row};
  }
  return std::nullopt;
}

std::string OvsBackend::owner_of(const nlohmann::json& row) const {
  auto ids = ovsdb::column_string_map(row, "external_ids");
  if (!ids) return "";
  auto it = ids->find(ovs::kOwnerKey);
  return it == ids->end() ? "" : it->second;
}

namespace {
Error device_timeout(const std::string& name, bool present, std::chrono::seconds timeout) {
  return Error{Errc::Failed, "ovs-vswitchd did not " + std::string(present ? "create" : "remove") + " device " + name +
                                 " within " + std::to_string(timeout.count()) + " s (is it running?)"};
}
}  // namespace

std::optional<Result<int>> OvsBackend::device_reached(const std::string& name, bool present,
                                                      std::chrono::steady_clock::time_point deadline,
                                                      std::chrono::seconds timeout) {
  auto link = netlink::get_link(*sock_, name);
  if (!link) return Result<int>(tl::unexpected(link.error()));
  if (present == link->has_value()) return Result<int>(present ? (*link)->ifindex : 0);
  if (std::chrono::steady_clock::now() > deadline) return Result<int>(tl::unexpected(device_timeout(name, present, timeout)));
  return std::nullopt;
}

Result<int> OvsBackend::wait_for_device(const std::string& name, bool present, std::chrono::seconds timeout) {
  // vswitchd makes and removes the devices of bridges and internal ports after it has read the
  // committed rows (a vswitchd busy reconfiguring a thousand ports can take seconds).
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto reached = device_reached(name, present, deadline, timeout)) return std::move(*reached);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Result<void> OvsBackend::configure_bridge_device(const SwitchSpec& spec, int ifindex) {
  auto have = netlink::list_addresses(*sock_, ifindex);
  if (!have) return tl::unexpected(have.error());
  for (const auto& want : spec.addresses) {
    netlink::Address a;
    a.family = want.family;
    a.bytes = want.address;
    a.prefix = want.prefix;
    if (std::find(have->begin(), have->end(), a) != have->end()) continue;
    if (auto r = netlink::add_address(*sock_, ifindex, a, spec.name); !r) return r;
  }
  return netlink::set_link_up(*sock_, ifindex, true, spec.name);
}

Result<OvsBackend::BridgePlan> OvsBackend::plan_bridge(const SwitchSpec& spec) {
  if (auto r = ready(); !r) return tl::unexpected(r.error());
  if (auto existing = find_row("Bridge", spec.name)) {
    std::string owner = owner_of(*existing->row);
    if (owner != spec.owner_tag)
      return fail(Errc::Conflict, "Open vSwitch bridge '" + spec.name + "' already exists and is not hostnet's bridge for this network" +
                                      (owner.empty() ? std::string() : " (it belongs to " + owner + ")"));
    std::vector<TunnelSpec> missing;
    for (const auto& t : spec.tunnels)
      if (!find_row("Port", tunnel_port_name(spec.owner_tag, t))) missing.push_back(t);
    if (!missing.empty())
      if (auto r = transact(ovs::add_tunnels_ops(spec, missing, existing->uuid)); !r) return tl::unexpected(r.error());
    return BridgePlan::Adopt;
  }
  // The bridge of that name was just deleted: the old device must be gone before the new one is
  // made, or the addresses would go onto the old one.
  if (being_removed(spec.name)) return BridgePlan::WaitOldGone;
  if (auto link = netlink::get_link(*sock_, spec.name); link && *link)
    return fail(Errc::Conflict, "device '" + spec.name + "' already exists and is not an Open vSwitch bridge of hostnet's");
  return BridgePlan::Create;
}

Result<std::string> OvsBackend::commit_bridge(const SwitchSpec& spec) {
  auto results = transact(ovs::create_bridge_ops(spec, datapath_type_));
  if (!results) return tl::unexpected(results.error());
  return inserted_uuid((*results)[2 + 2 * spec.tunnels.size()]);
}

Result<SwitchState> OvsBackend::finish_bridge(const SwitchSpec& spec, Result<int> ifindex, const std::string& made_uuid) {
  Result<void> r = ifindex ? configure_bridge_device(spec, *ifindex) : Result<void>(tl::unexpected(ifindex.error()));
  if (!r) {
    if (!made_uuid.empty()) (void)transact(ovs::delete_bridge_ops(made_uuid));
    return tl::unexpected(r.error());
  }
  return SwitchState{spec.name, *ifindex, spec.owner_tag, true, !made_uuid.empty()};
}

Result<SwitchState> OvsBackend::ensure_switch(const SwitchSpec& spec) {
  auto plan = plan_bridge(spec);
  if (!plan) return tl::unexpected(plan.error());
  if (*plan == BridgePlan::WaitOldGone) {
    auto gone = wait_for_device(spec.name, false, kDeviceGoneTimeout);
    if (!gone) return tl::unexpected(gone.error());
    removing_.erase(spec.name);
    plan = plan_bridge(spec);
    if (!plan) return tl::unexpected(plan.error());
  }
  std::string made_uuid;
  if (*plan == BridgePlan::Create) {
    auto uuid = commit_bridge(spec);
    if (!uuid) return tl::unexpected(uuid.error());
    made_uuid = *uuid;
  }
  return finish_bridge(spec, wait_for_device(spec.name, true, kDeviceTimeout), made_uuid);
}

void OvsBackend::ensure_switch_async(const SwitchSpec& spec, SwitchDone done) {
  if (!loop_) return done(ensure_switch(spec));
  auto plan = plan_bridge(spec);
  if (!plan) return done(tl::unexpected(plan.error()));
  auto made = [this, spec, done](BridgePlan plan) {
    std::string made_uuid;
    if (plan == BridgePlan::Create) {
      auto uuid = commit_bridge(spec);
      if (!uuid) return done(tl::unexpected(uuid.error()));
      made_uuid = *uuid;
    }
    wait_for_device_async(spec.name, true, kDeviceTimeout, [this, spec, done, made_uuid](Result<int> ifindex) {
      done(finish_bridge(spec, std::move(ifindex), made_uuid));
    });
  };
  if (*plan != BridgePlan::WaitOldGone) return made(*plan);
  wait_for_device_async(spec.name, false, kDeviceGoneTimeout, [this, spec, done, made](Result<int> gone) {
    if (!gone) return done(tl::unexpected(gone.error()));
    removing_.erase(spec.name);
    auto again = plan_bridge(spec);
    if (!again) return done(tl::unexpected(again.error()));
    made(*again == BridgePlan::WaitOldGone ? BridgePlan::Create : *again);
  });
}

void OvsBackend::wait_for_device_async(const std::string& name, bool present, std::chrono::seconds timeout,
                                       std::function<void(Result<int>)> then) {
  device_waits_.push_back(DeviceWait{name, present, std::chrono::steady_clock::now() + timeout, timeout, std::move(then)});
  arm_check(std::chrono::steady_clock::now());
}

Result<void> OvsBackend::delete_switch(const std::string& name, const std::string& owner_tag) {
  if (auto r = ready(); !r) return r;
  auto row = find_row("Bridge", name);
  if (!row) return fail(Errc::NotFound, "Open vSwitch bridge '" + name + "' does not exist");
  if (owner_of(*row->row) != owner_tag)
    return fail(Errc::Conflict, "refusing to delete Open vSwitch bridge '" + name + "': not made by hostnet for this network");
  auto r = transact(ovs::delete_bridge_ops(row->uuid));
  if (!r) return tl::unexpected(r.error());
  // vswitchd removes the device when it next reconfigures: seconds for a bridge that had a
  // thousand ports. Nothing waits for that here; the name counts as free meanwhile, and only a
  // switch made under that name waits for the old device to go (see ensure_switch).
  if (auto link = netlink::get_link(*sock_, name); link && *link)
    removing_[name] = std::chrono::steady_clock::now() + kDeviceGoneTimeout;
  return {};
}

bool OvsBackend::being_removed(const std::string& name) {
  auto it = removing_.find(name);
  if (it == removing_.end()) return false;
  auto link = netlink::get_link(*sock_, name);
  bool present = link && *link;
  // Past the deadline a device still there is what it is: no longer excused.
  if (!present || std::chrono::steady_clock::now() > it->second) {
    if (present) log::warning("ovs: ovs-vswitchd has not removed the device of deleted bridge " + name);
    removing_.erase(it);
    return false;
  }
  return true;
}

Result<std::vector<SwitchState>> OvsBackend::list_switches() {
  if (auto r = ready(); !r) return tl::unexpected(r.error());
  std::vector<SwitchState> out;
  for (const auto& [uuid, row] : session_.replica().table("Bridge")) {
    std::string owner = owner_of(row);
    if (!owner.starts_with("hostnet:")) continue;
    auto name = ovsdb::column_string(row, "name");
    if (!name) continue;
    auto link = netlink::get_link(*sock_, *name);
    bool present = link && *link;
    out.push_back(SwitchState{*name, present ? (*link)->ifindex : 0, owner, present && (*link)->up(), false});
  }
  return out;
}

Result<std::optional<DeviceInfo>> OvsBackend::find_device(const std::string& name) {
  if (!sock_) return fail(Errc::Unsupported, info().unavailable_reason);
  auto link = netlink::get_link(*sock_, name);
  if (!link) return tl::unexpected(link.error());
  if (ready()) {
    if (auto row = find_row("Bridge", name)) {
      std::string owner = owner_of(*row->row);
      return std::optional<DeviceInfo>(DeviceInfo{name, *link ? (*link)->ifindex : 0, "openvswitch",
                                                  owner.starts_with("hostnet:") ? owner : "", *link && (*link)->up()});
    }
  }
  if (!*link || being_removed(name)) return std::optional<DeviceInfo>();
  const auto& l = **link;
  return std::optional<DeviceInfo>(DeviceInfo{l.name, l.ifindex, l.kind, "", l.up()});
}

Result<std::optional<OvsBackend::Added>> OvsBackend::add_ports(const std::vector<PortAttachment>& ports) {
  if (ports.empty()) return std::optional<Added>();
  if (auto r = ready(); !r) return tl::unexpected(r.error());
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
    if (!port.internal) {
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
  for (size_t i = 0; i < fresh.size(); ++i) added.port_uuids.push_back(inserted_uuid((*results)[2 * i + 1]));
  // vswitchd reconfigures once for the whole transaction; give a large batch time for it.
  added.timeout = std::chrono::milliseconds(kPortWaitMs + 20 * fresh.size());
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

#include "plugins/ovs/ovs_backend.h"

#include <net/if.h>
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
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
constexpr std::chrono::seconds kDeviceTimeout{30};
constexpr std::chrono::seconds kDeviceGoneTimeout{10};
// DPDK probes a device as vswitchd takes its port: a PCI NIC can take seconds.
constexpr std::chrono::milliseconds kUplinkTimeout{15000};
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

ovsdb::MonitorSpec monitored(bool dpdk) {
  ovsdb::MonitorSpec spec;
  std::vector<std::string> root = {"bridges"};
  if (dpdk) root.insert(root.end(), {"dpdk_initialized", "dpdk_version", "iface_types", "other_config"});
  spec.tables = {{"Open_vSwitch", root},
                 {"Bridge", {"name", "ports", "external_ids", "datapath_type", "controller", "fail_mode", "protocols"}},
                 {"Controller", {"target", "is_connected", "role"}},
                 {"Port", {"name", "interfaces", "tag", "trunks", "vlan_mode", "external_ids"}},
                 {"Interface", {"name", "type", "ofport", "error", "external_ids"}}};
  return spec;
}



// What an admin tuning OVS-DPDK looks at, as vswitchd has it: hostnet reads, never sets them.
std::vector<std::pair<std::string, std::string>> dpdk_details(const ovsdb::Replica& replica) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto& root = replica.table("Open_vSwitch");
  if (root.empty()) return out;
  const auto& row = root.begin()->second;
  if (auto v = ovsdb::column_string(row, "dpdk_version"); v && !v->empty()) out.emplace_back("dpdk-version", *v);
  if (auto config = ovsdb::column_string_map(row, "other_config"); config)
    for (const char* key : {"dpdk-init", "pmd-cpu-mask", "dpdk-lcore-mask", "dpdk-socket-mem", "per-port-memory",
                            "pmd-maxsleep", "dpdk-extra"})
      if (auto it = config->find(key); it != config->end()) out.emplace_back(key, it->second);
  return out;
}

// DPDK's net_tap refuses a configuration with fewer rx than tx queues, and vswitchd gives a
// DPDK port a tx queue per PMD thread plus one for its other threads; left at n_rxq=1 it fails
// (EINVAL) and vswitchd retries it in a tight loop. Counted from pmd-cpu-mask (one PMD thread
// per core in it); without a mask vswitchd makes one PMD thread per NUMA node, taken here as one.
unsigned net_tap_rx_queues(const ovsdb::Replica& replica) {
  unsigned pmds = 1;
  const auto& root = replica.table("Open_vSwitch");
  if (!root.empty())
    if (auto config = ovsdb::column_string_map(root.begin()->second, "other_config"); config)
      if (auto it = config->find("pmd-cpu-mask"); it != config->end()) {
        int bits = 0;
        std::string_view mask = it->second;
        if (mask.rfind("0x", 0) == 0 || mask.rfind("0X", 0) == 0) mask.remove_prefix(2);
        for (char c : mask) {
          auto u = static_cast<unsigned char>(c);
          if (std::isxdigit(u)) bits += std::popcount(static_cast<unsigned>(std::isdigit(u) ? u - '0' : std::tolower(u) - 'a' + 10));
        }
        if (bits > 0) pmds = static_cast<unsigned>(bits);
      }
  return pmds + 1;
}

}  // namespace

std::unique_ptr<SwitchBackend> OvsBackend::create(const PluginContext& context) {
  return create(context, Flavor{"ovs", option(context, "ovs-datapath", detect_datapath()), false});
}

std::unique_ptr<SwitchBackend> OvsBackend::create_dpdk(const PluginContext& context) {
  // DPDK ports (vhost-user, dpdk) live only in the userspace datapath.
  return create(context, Flavor{"ovs-dpdk", "netdev", true});
}

std::unique_ptr<SwitchBackend> OvsBackend::create(const PluginContext& context, Flavor flavor) {
  ovsdb::SessionOptions options;
  options.socket_path = option(context, "ovsdb-socket", kDefaultSocket);
  options.monitor = monitored(flavor.dpdk);
  auto backend = std::unique_ptr<OvsBackend>(new OvsBackend(std::move(options), std::move(flavor), context.event_loop));
  backend->changed_behind_ = context.changed_behind;
  // One try: hostnetd must come up at once even when ovsdb-server does not; the event loop keeps
  // trying in the background, with backoff.
  if (auto r = backend->session_.connect_once(); !r) {
    backend->last_error_ = r.error().message;
    backend->schedule_reconnect();
  } else {
    backend->watch();
    backend->note_owned_rows(false);  // what is there at start is the baseline drift is seen against
  }
  backend->start_keepalive();
  return backend;
}

OvsBackend::OvsBackend(ovsdb::SessionOptions options, Flavor flavor, sd_event* loop)
    : session_(std::move(options)), flavor_(std::move(flavor)), loop_(loop) {
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
  info.name = flavor_.name;
  info.available = session_.connected() && sock_.has_value();
  if (!info.available)
    info.unavailable_reason = "Open vSwitch is not reachable: " + (last_error_.empty() ? std::string("no rtnetlink socket") : last_error_);
  info.capabilities = {cap::kMtu, cap::kVlanFiltering, cap::kPorts, cap::kTunnelVxlan, cap::kTunnelGre, cap::kTunnelGeneve};
  if (flavor_.dpdk) info.capabilities.push_back(cap::kVhostUser);
  if (flavor_.dpdk && info.available) {
    info.unavailable_reason = dpdk_problem();
    info.available = info.unavailable_reason.empty();
    info.details = dpdk_details(session_.replica());
  }
  return info;
}

std::string OvsBackend::dpdk_problem() const {
  const auto& root = session_.replica().table("Open_vSwitch");
  if (root.empty()) return "Open vSwitch has no Open_vSwitch row yet (ovs-vsctl init has not run)";
  const nlohmann::json& row = root.begin()->second;
  // A DPDK build says its DPDK version ("none" otherwise) before DPDK is initialised; the DPDK
  // port types appear only once it is.
  auto version = ovsdb::column_string(row, "dpdk_version");
  if (!version || version->empty() || *version == "none")
    return "ovs-vswitchd has no DPDK (dpdk_version is none): install openvswitch-switch-dpdk and run its "
           "ovs-vswitchd (update-alternatives --set ovs-vswitchd /usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk)";
  auto initialised = ovsdb::column_bool(row, "dpdk_initialized");
  if (!initialised || !initialised->value_or(false))
    return "DPDK (" + *version + ") is not initialised in ovs-vswitchd: set other_config:dpdk-init=true "
           "(ovs-vsctl set Open_vSwitch . other_config:dpdk-init=true, with hugepages or "
           "dpdk-extra=\"--no-huge --legacy-mem\") and restart ovs-vswitchd";
  auto types = ovsdb::column_string_set(row, "iface_types");
  if (!types || !types->count("dpdkvhostuserclient"))
    return "ovs-vswitchd initialised DPDK but offers no dpdkvhostuserclient interfaces (iface_types)";
  return "";
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

std::set<std::string> OvsBackend::owned_rows() const {
  std::set<std::string> out;
  for (const char* table : {"Bridge", "Port"})
    for (const auto& [uuid, row] : session_.replica().table(table))
      if (!owner_of(row).empty()) out.insert(uuid);
  return out;
}

void OvsBackend::note_owned_rows(bool tell) {
  auto now = owned_rows();
  bool lost = std::any_of(owned_.begin(), owned_.end(), [&](const std::string& uuid) { return !now.count(uuid); });
  owned_ = std::move(now);
  if (lost && tell && changed_behind_) {
    log::info("ovs: rows hostnet made were deleted by someone else; repairing");
    changed_behind_();
  }
}

int OvsBackend::on_io(sd_event_source*, int, uint32_t, void* p) {
  auto* self = static_cast<OvsBackend*>(p);
  self->pump(self->session_.connected());
  // What arrives here was not asked for by hostnet's transactions (transact reads their updates
  // itself): a row of hostnet's gone now was deleted by an admin or a fresh database.
  if (self->session_.connected()) self->note_owned_rows(true);
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

Result<void> OvsBackend::ready_dpdk() {
  if (auto r = ready(); !r) return r;
  if (!flavor_.dpdk) return {};
  if (auto why = dpdk_problem(); !why.empty()) return fail(Errc::Unsupported, why);
  return {};
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
  // Updates read since the last look (ready() pumps the socket too) are someone else's: told
  // now, before this transaction's own deletions are taken in as hostnet's.
  if (session_.connected()) note_owned_rows(true);
  auto r = session_.transact(ops);
  if (!session_.connected()) {
    last_error_ = r ? std::string("connection lost") : r.error().message;
    schedule_reconnect();
  }
  if (!r) return fail_with_context(r.error(), "Open vSwitch");
  // What the transaction changed reaches the replica as an update; read it now so the next
  // lookup sees it.
  if (session_.connected()) (void)session_.on_readable();
  note_owned_rows(false);
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

std::vector<ControllerState> OvsBackend::controllers(const std::string& switch_name) {
  std::vector<ControllerState> out;
  auto bridge = find_row("Bridge", switch_name);
  if (!bridge) return out;
  auto uuids = ovsdb::column_uuid_set(*bridge->row, "controller");
  if (!uuids) return out;
  const auto& rows = session_.replica().table("Controller");
  for (const auto& uuid : *uuids) {
    auto it = rows.find(uuid);
    if (it == rows.end()) continue;
    ControllerState c;
    c.target = ovsdb::column_string(it->second, "target").value_or("");
    c.connected = ovsdb::column_bool(it->second, "is_connected").value_or(std::nullopt).value_or(false);
    c.role = ovsdb::column_string(it->second, "role").value_or("");
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.target < b.target; });
  return out;
}

Result<void> OvsBackend::set_openflow(const std::string& switch_name, const std::string& owner_tag,
                                      const OpenFlowSpec& openflow) {
  if (!session_.connected()) return fail(Errc::Unsupported, info().unavailable_reason);
  auto bridge = find_row("Bridge", switch_name);
  if (!bridge) return fail(Errc::NotFound, "Open vSwitch bridge '" + switch_name + "' does not exist");
  if (owner_of(*bridge->row) != owner_tag)
    return fail(Errc::Conflict, "Open vSwitch bridge '" + switch_name + "' is not hostnet's bridge for this network");
  if (openflow_matches(*bridge->row, openflow)) return {};
  SwitchSpec spec;
  spec.name = switch_name;
  spec.owner_tag = owner_tag;
  spec.openflow = openflow;
  auto r = transact(ovs::set_openflow_ops(spec, bridge->uuid));
  if (!r) return tl::unexpected(r.error());
  return {};
}

bool OvsBackend::openflow_matches(const nlohmann::json& bridge, const OpenFlowSpec& want) const {
  auto fail_mode = ovsdb::column_string(bridge, "fail_mode");
  auto protocols = ovsdb::column_string_set(bridge, "protocols");
  auto controllers = ovsdb::column_uuid_set(bridge, "controller");
  if (!fail_mode || !protocols || !controllers) return false;
  if (*fail_mode != want.fail_mode || *protocols != std::set<std::string>(want.protocols.begin(), want.protocols.end()))
    return false;
  std::set<std::string> targets;
  const auto& rows = session_.replica().table("Controller");
  for (const auto& uuid : *controllers) {
    auto it = rows.find(uuid);
    if (it == rows.end()) return false;
    auto target = ovsdb::column_string(it->second, "target");
    if (!target) return false;
    targets.insert(*target);
  }
  return targets == std::set<std::string>(want.controllers.begin(), want.controllers.end()) &&
         targets.size() == controllers->size();
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
  if (auto r = ready_dpdk(); !r) return tl::unexpected(r.error());
  if (auto existing = find_row("Bridge", spec.name)) {
    std::string owner = owner_of(*existing->row);
    if (owner != spec.owner_tag)
      return fail(Errc::Conflict, "Open vSwitch bridge '" + spec.name + "' already exists and is not hostnet's bridge for this network" +
                                      (owner.empty() ? std::string() : " (it belongs to " + owner + ")"));
    // The switch's own ports that went missing (an admin's del-port) are made again; an uplink
    // vswitchd refuses shows in its Interface's error, as when the network started.
    std::vector<TunnelSpec> tunnels;
    for (const auto& t : spec.tunnels)
      if (!find_row("Port", tunnel_port_name(spec.owner_tag, t))) tunnels.push_back(t);
    std::vector<UplinkSpec> uplinks;
    for (const auto& u : spec.uplinks)
      if (!find_row("Port", u.name)) uplinks.push_back(u);
    if (!tunnels.empty() || !uplinks.empty())
      if (auto r = transact(ovs::add_switch_ports_ops(spec, tunnels, uplinks, existing->uuid)); !r)
        return tl::unexpected(r.error());
    if (spec.openflow && !openflow_matches(*existing->row, *spec.openflow))
      if (auto r = transact(ovs::set_openflow_ops(spec, existing->uuid)); !r) return tl::unexpected(r.error());
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
  size_t controllers = spec.openflow ? spec.openflow->controllers.size() : 0;
  return ovs::inserted_uuid((*results)[2 + 2 * (spec.tunnels.size() + spec.uplinks.size()) + controllers]);
}

Result<SwitchState> OvsBackend::finish_bridge(const SwitchSpec& spec, Result<int> ifindex, const std::string& made_uuid) {
  Result<void> r = ifindex ? configure_bridge_device(spec, *ifindex) : Result<void>(tl::unexpected(ifindex.error()));
  if (!r) {
    if (!made_uuid.empty()) (void)transact(ovs::delete_bridge_ops(made_uuid));
    return tl::unexpected(r.error());
  }
  return SwitchState{spec.name, *ifindex, spec.owner_tag, true, !made_uuid.empty()};
}

Result<SwitchSpec> OvsBackend::prepared(const SwitchSpec& spec) const {
  if (spec.uplinks.empty()) return spec;
  if (!flavor_.dpdk)
    return fail(Errc::Unsupported, "uplink " + spec.uplinks.front().name + ": DPDK uplinks need the ovs-dpdk backend");
  SwitchSpec out = spec;
  for (auto& u : out.uplinks)
    if (!u.rx_queues && u.devargs.rfind("net_tap", 0) == 0) u.rx_queues = net_tap_rx_queues(session_.replica());
  return out;
}

OvsBackend::Added OvsBackend::uplinks_of(const SwitchSpec& spec, const std::string& bridge_uuid) {
  Added added;
  added.bridge_uuid = bridge_uuid;
  for (const auto& u : spec.uplinks) added.names.push_back(u.name);
  added.timeout = kUplinkTimeout;
  return added;
}

Error OvsBackend::uplink_failure(const SwitchSpec& spec, const Error& error) {
  // The error names the port vswitchd refused (taken()); a timeout names them all.
  std::string devargs;
  for (const auto& u : spec.uplinks)
    if (error.message.find("port " + u.name + ":") != std::string::npos) devargs = "'" + u.devargs + "'";
  if (devargs.empty())
    for (const auto& u : spec.uplinks) devargs += (devargs.empty() ? "'" : ", '") + u.devargs + "'";
  return Error{error.code, "DPDK uplink (dpdk-devargs " + devargs + "): " + error.message +
                               "; ovs-vswitchd's log has DPDK's reason"};
}

Result<SwitchState> OvsBackend::ensure_switch(const SwitchSpec& asked) {
  auto prepared_spec = prepared(asked);
  if (!prepared_spec) return tl::unexpected(prepared_spec.error());
  const SwitchSpec& spec = *prepared_spec;
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
  auto ifindex = wait_for_device(spec.name, true, kDeviceTimeout);
  // A bridge made now starts only with its uplinks working; an adopted one keeps them as they are.
  if (ifindex && !made_uuid.empty() && !spec.uplinks.empty())
    if (auto r = wait_taken(uplinks_of(spec, made_uuid)); !r) ifindex = tl::unexpected(uplink_failure(spec, r.error()));
  return finish_bridge(spec, std::move(ifindex), made_uuid);
}

void OvsBackend::ensure_switch_async(const SwitchSpec& asked, SwitchDone done) {
  if (!loop_) return done(ensure_switch(asked));
  auto prepared_spec = prepared(asked);
  if (!prepared_spec) return done(tl::unexpected(prepared_spec.error()));
  const SwitchSpec& spec = *prepared_spec;
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
      if (!ifindex || made_uuid.empty() || spec.uplinks.empty()) return done(finish_bridge(spec, std::move(ifindex), made_uuid));
      auto added = uplinks_of(spec, made_uuid);
      auto deadline = std::chrono::steady_clock::now() + added.timeout;
      waiting_.push_back(Waiting{std::move(added), deadline, [this, spec, done, made_uuid, ifindex](Result<void> taken) {
                                   Result<int> outcome = ifindex;
                                   if (!taken) outcome = tl::unexpected(uplink_failure(spec, taken.error()));
                                   done(finish_bridge(spec, std::move(outcome), made_uuid));
                                 }});
      arm_check(std::chrono::steady_clock::now());
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

}  // namespace hostnet

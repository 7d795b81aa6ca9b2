// The Open vSwitch backend: bridges, ports and VLANs kept in OVSDB by hostnet's own OVSDB client
// (RFC 7047 JSON-RPC on ovsdb-server's unix socket; no ovs-vsctl). Rows it creates carry
// external_ids:hostnet-owner, and it changes or deletes no row without that mark.
//
// The connection survives ovsdb-server restarts: on the daemon's event loop (PluginContext) the
// socket is watched, a loss is followed by reconnects with backoff, and each reconnect rebuilds
// the replica of the Bridge/Port/Interface tables from the server. An echo keepalive drops a
// server that keeps its socket open but stopped answering (stopped, wedged), and an attempt does
// its handshake only after the server answered an echo, so a hung ovsdb-server never holds the
// loop for longer than one request's timeout. While disconnected the backend reports itself
// unavailable with the reason, and calls answer Unsupported with it. Nothing waits on the loop for
// ovs-vswitchd: port adds and bridge devices are awaited from it (attach_ports_async,
// ensure_switch_async).
#pragma once

#include <systemd/sd-event.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "common/netlink/rtnl_socket.h"
#include "plugins/ovs/ovsdb/session.h"
#include "plugins/switch_backend.h"

namespace hostnet {

class OvsBackend final : public SwitchBackend {
 public:
  // The two plugins over this one backend: Open vSwitch as it is (the kernel datapath where the
  // openvswitch module exists, else the userspace one), and OVS-DPDK (the userspace datapath of
  // a vswitchd that has DPDK initialised; hostnet checks it, never starts or configures DPDK).
  static std::unique_ptr<SwitchBackend> create(const PluginContext& context);
  static std::unique_ptr<SwitchBackend> create_dpdk(const PluginContext& context);
  ~OvsBackend() override;

  BackendInfo info() const override;
  Result<SwitchState> ensure_switch(const SwitchSpec& spec) override;
  void ensure_switch_async(const SwitchSpec& spec, SwitchDone done) override;
  Result<void> delete_switch(const std::string& name, const std::string& owner_tag) override;
  Result<std::vector<SwitchState>> list_switches() override;
  Result<std::optional<DeviceInfo>> find_device(const std::string& name) override;
  Result<void> attach_port(const PortAttachment& port) override;
  Result<void> attach_ports(const std::vector<PortAttachment>& ports) override;
  void attach_ports_async(const std::vector<PortAttachment>& ports, AttachDone done) override;
  Result<void> detach_port(const PortAttachment& port) override;
  Result<std::map<std::string, std::uint64_t>> port_statistics(const PortAttachment& port) override;
  std::vector<ControllerState> controllers(const std::string& switch_name) override;
  Result<void> set_openflow(const std::string& switch_name, const std::string& owner_tag,
                            const OpenFlowSpec& openflow) override;

 private:
  struct Flavor {
    std::string name;           // the backend's name: "ovs" | "ovs-dpdk"
    std::string datapath_type;  // of the bridges it makes
    bool dpdk = false;          // needs a vswitchd with DPDK initialised
  };
  static std::unique_ptr<SwitchBackend> create(const PluginContext& context, Flavor flavor);
  OvsBackend(ovsdb::SessionOptions options, Flavor flavor, sd_event* loop);
  // For OVS-DPDK: why the connected vswitchd cannot run its bridges (no DPDK, DPDK not
  // initialised), in words an admin can act on; "" when it can.
  std::string dpdk_problem() const;

  // Connected, with everything the server sent so far applied to the replica; else Unsupported
  // with the reason (and a reconnect attempt when one is due).
  Result<void> ready();
  // ready, and for OVS-DPDK a vswitchd with DPDK initialised: what making a bridge needs.
  Result<void> ready_dpdk();
  Result<std::vector<nlohmann::json>> transact(const nlohmann::json& ops);
  struct RowRef {
    std::string uuid;
    const nlohmann::json* row;
  };
  std::optional<RowRef> find_row(const std::string& table, const std::string& name) const;
  std::string owner_of(const nlohmann::json& row) const;
  // Whether the Bridge row's controller, fail_mode and protocols are what `want` says.
  bool openflow_matches(const nlohmann::json& bridge, const OpenFlowSpec& want) const;
  // Until vswitchd has made (present) or removed the device; its ifindex, or 0 once gone.
  Result<int> wait_for_device(const std::string& name, bool present, std::chrono::seconds timeout);
  // One look for wait_for_device and its asynchronous twin: the outcome once the device is as
  // wanted (or the deadline passed), nullopt while it is not yet.
  std::optional<Result<int>> device_reached(const std::string& name, bool present,
                                            std::chrono::steady_clock::time_point deadline, std::chrono::seconds timeout);
  // Ports committed to OVSDB that vswitchd has yet to take.
  struct Added {
    std::string bridge_uuid;
    std::vector<std::string> port_uuids;
    std::vector<std::string> names;     // their interfaces
    std::vector<std::string> internal;  // the ones whose device vswitchd makes
    std::chrono::milliseconds timeout{0};
  };
  // Everything of attach_ports up to and including the transaction; nullopt when every port
  // was there already.
  Result<std::optional<Added>> add_ports(const std::vector<PortAttachment>& ports);
  void remove_added(const Added& added);
  // Whether vswitchd has taken the ports: done (true), not yet (false), or the Interface error
  // it reported for one of them.
  Result<bool> taken(const Added& added) const;
  // Blocking: until taken, failed or timed out.
  Result<void> wait_taken(const Added& added);

  // Asynchronous adds waiting for vswitchd, checked whenever the replica changes and at their
  // deadline. They outlive a reconnect (the rows were committed; the new replica shows them).
  struct Waiting {
    Added added;
    std::chrono::steady_clock::time_point deadline;
    AttachDone done;
  };
  void check_waiting();
  void arm_check(std::chrono::steady_clock::time_point when);
  static int on_check(sd_event_source*, uint64_t usec, void* self);
  Result<void> configure_bridge_device(const SwitchSpec& spec, int ifindex);
  // ensure_switch in steps around its waits for vswitchd: what to do (after the ownership check
  // and adding missing tunnels to an adopted bridge), the create transaction (the Bridge's
  // uuid), and the device's configuration once it exists (deleting the rows made on failure).
  enum class BridgePlan { Adopt, WaitOldGone, Create };
  // The spec as this backend makes it: uplinks refused without DPDK, their n_rxq chosen where
  // the device needs one (net_tap).
  Result<SwitchSpec> prepared(const SwitchSpec& spec) const;
  // A made bridge's uplinks, awaited as port adds are; the error they end in, said as theirs.
  static Added uplinks_of(const SwitchSpec& spec, const std::string& bridge_uuid);
  static Error uplink_failure(const SwitchSpec& spec, const Error& error);
  Result<BridgePlan> plan_bridge(const SwitchSpec& spec);
  Result<std::string> commit_bridge(const SwitchSpec& spec);
  Result<SwitchState> finish_bridge(const SwitchSpec& spec, Result<int> ifindex, const std::string& made_uuid);
  // wait_for_device from the loop (checked every 5 ms): `then` gets the ifindex, 0 once gone.
  void wait_for_device_async(const std::string& name, bool present, std::chrono::seconds timeout,
                             std::function<void(Result<int>)> then);
  struct DeviceWait {
    std::string name;
    bool present;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::seconds timeout;
    std::function<void(Result<int>)> then;
  };
  // A deleted bridge whose device vswitchd has yet to remove (until a deadline).
  bool being_removed(const std::string& name);

  // Drift: the uuids of the Bridge and Port rows hostnet owns, as last seen. A row missing from
  // a later look outside hostnet's own transactions is reported through changed_behind_. A look
  // walks both tables: once per transaction and per update received.
  std::set<std::string> owned_rows() const;
  void note_owned_rows(bool tell);

  // Event-loop plumbing: watch the socket, reconnect on a timer after a loss.
  void watch();
  void schedule_reconnect();
  static int on_io(sd_event_source*, int fd, uint32_t revents, void* self);
  static int on_timer(sd_event_source*, uint64_t usec, void* self);
  // Reads what arrived; finishes a connection attempt, or reports a loss and schedules a retry.
  void pump(bool was_connected);
  // Every second: the session's echo keepalive, which drops a hung ovsdb-server.
  void start_keepalive();
  static int on_keepalive(sd_event_source*, uint64_t usec, void* self);

  ovsdb::OvsdbSession session_;
  Flavor flavor_;
  const std::string& datapath_type_ = flavor_.datapath_type;
  std::string last_error_;
  std::optional<netlink::RtnlSocket> sock_;
  sd_event* loop_ = nullptr;
  sd_event_source* io_ = nullptr;
  sd_event_source* timer_ = nullptr;
  sd_event_source* check_ = nullptr;
  sd_event_source* keepalive_ = nullptr;
  std::vector<Waiting> waiting_;
  std::set<std::string> owned_;
  std::function<void()> changed_behind_;
  std::vector<DeviceWait> device_waits_;
  std::map<std::string, std::chrono::steady_clock::time_point> removing_;  // bridge name -> deadline
};

}  // namespace hostnet

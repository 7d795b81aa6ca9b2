// SwitchBackend: the one interface every switching plugin implements (kernel bridge, Open vSwitch,
// OVS-DPDK, the fake used by tests). The daemon decides *what* must exist; a backend makes a
// switch exist and reports what is there. Backends know nothing of D-Bus, XML, firewalls or DHCP.
//
// Threading: every member is called from the daemon's single event-loop thread. Members may block
// only for a bounded kernel round trip (netlink); anything slower must be asynchronous.
//
// Ownership: a backend marks every switch it creates with the owner tag it was given (the kernel
// bridge plugin uses the interface alias, OVS an external_ids key). It never deletes or alters a
// switch whose tag is not its own, and reports such a switch with owner_tag empty.
#pragma once

#include <array>
#include <cstdio>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/hash.h"
#include "common/result.h"

struct sd_event;  // systemd's event loop (sd-event.h)

namespace hostnet {

using MacAddress = std::array<std::uint8_t, 6>;

struct IpAssignment {
  int family = 0;                       // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> address{};
  unsigned prefix = 0;
  bool operator==(const IpAssignment&) const = default;
};

// A tunnel to another host carrying the switch's traffic (VXLAN, GRE, Geneve).
struct TunnelSpec {
  std::string type;                  // "vxlan" | "gre" | "geneve"
  std::array<std::uint8_t, 4> remote{};  // the other host's underlay IPv4 address
  unsigned key = 0;                  // VNI or GRE key
  unsigned dst_port = 0;             // 0: the type's default
  bool operator==(const TunnelSpec&) const = default;
};

// The device (or OVS port) name of a tunnel: "hnt" and a hash of the switch's owner tag and the
// tunnel, so it is stable across restarts and unique per network and remote.
std::string tunnel_port_name(const std::string& owner_tag, const TunnelSpec& tunnel);

// A port of the switch driven by DPDK that reaches the LAN without the kernel (OVS-DPDK only).
struct UplinkSpec {
  std::string name;     // the OVS port's
  std::string devargs;  // DPDK's device arguments
  unsigned rx_queues = 0;  // n_rxq; 0: the backend's choice
  bool operator==(const UplinkSpec&) const = default;
};

// What the daemon wants to exist.
// OpenFlow control of the switch (<hostnet:openflow>): the controllers it connects to, what it
// does while none is connected, the versions it speaks. A backend without OpenFlow refuses a
// spec that has one; a backend with it owns these settings only while the spec has them.
struct OpenFlowSpec {
  std::string fail_mode;                 // "" (the switch's default), "secure" or "standalone"
  std::vector<std::string> protocols;    // "OpenFlow13", ...; empty: the switch's default
  std::vector<std::string> controllers;  // OVS targets: tcp:IP[:PORT], ssl:IP[:PORT], unix:PATH
  bool operator==(const OpenFlowSpec&) const = default;
};

// One of a switch's OpenFlow controllers as the switch sees it now.
struct ControllerState {
  std::string target;
  bool connected = false;
  std::string role;  // "master", "slave", "other" (OpenFlow 1.2+ roles), "" when not connected
};

struct SwitchSpec {
  std::string name;       // interface name, at most 15 bytes
  std::string owner_tag;  // "hostnet:<network>": recorded on the switch, checked before changes
  bool stp = true;
  unsigned forward_delay_s = 0;
  std::optional<unsigned> mtu;
  std::optional<MacAddress> mac;
  std::vector<IpAssignment> addresses;
  std::vector<TunnelSpec> tunnels;
  std::vector<UplinkSpec> uplinks;  // a backend without DPDK refuses a spec that has any
  std::optional<OpenFlowSpec> openflow;
};

// What exists.
struct SwitchState {
  std::string name;
  int ifindex = 0;
  std::string owner_tag;  // empty when not made by hostnet
  bool up = false;
  bool created = false;   // ensure_switch made it now (false: it was adopted)
};

// A device that exists on the host but is not necessarily a switch of this backend.
struct DeviceInfo {
  std::string name;
  int ifindex = 0;
  std::string kind;       // rtnetlink IFLA_INFO_KIND ("bridge", "veth", ...), empty for plain devices
  std::string owner_tag;  // hostnet's mark, if any
  bool up = false;
};

// VLAN settings of a port, as libvirt's <vlan> gives them.
struct VlanSettings {
  std::vector<unsigned> tags;          // access port: exactly one; trunk: the allowed tags
  bool trunk = false;
  std::optional<unsigned> native_tag;  // trunk only: untagged frames from the VM join this VLAN
  bool native_tagged = false;          // nativeMode='tagged': native frames also go to the VM tagged
  bool operator==(const VlanSettings&) const = default;
};

// A device (a tap hostnet made) to plug into a switch.
struct PortAttachment {
  std::string switch_name;
  std::string switch_owner_tag;
  std::string port_name;
  int ifindex = 0;
  bool fresh = false;  // made just now: nothing to compare against, plug it in
  // The device as the daemon has just read it (a restart's one dump of every link), so a backend
  // that compares against the kernel need not ask again for each of 10,000 ports; unset, the
  // backend reads it itself.
  struct DeviceState {
    int master = 0;  // ifindex of the switch it is plugged into, 0 for none
    bool up = false;
    bool isolated = false;
  };
  std::optional<DeviceState> current;
  bool internal = false;  // an OVS internal port: the switch makes the device (for the host's use)
  // Plugged in by another program (libvirt, for its domains' taps): the backend makes sure it is
  // on the switch with the attachment's settings, but takes no ownership of it (OVS: the Port row
  // is that program's) and never removes it.
  bool foreign = false;
  // A vhost-user port (OVS-DPDK): no device, ifindex 0; the switch connects as the client to
  // this unix socket, which the VM's QEMU serves.
  std::string vhost_user_socket;
  std::optional<unsigned> mtu;  // the switch's MTU for a port without a device (mtu_request)
  std::optional<VlanSettings> vlan;
  bool isolated = false;  // libvirt <port isolated='yes'/>: reaches the uplink, not other isolated ports
  // Backend-specific identity (OVS external_ids such as iface-id, vm-uuid), in a stable order.
  std::vector<std::pair<std::string, std::string>> external_ids;
};

// Capability names reported in the daemon's Backends property and checked before a call.
namespace cap {
inline constexpr const char* kStp = "stp";
inline constexpr const char* kMtu = "mtu";
inline constexpr const char* kVlanFiltering = "vlan-filtering";
inline constexpr const char* kPortIsolation = "port-isolation";
inline constexpr const char* kHostBridge = "host-bridge";  // can use an existing host bridge
inline constexpr const char* kPorts = "ports";              // attach_port / detach_port
inline constexpr const char* kVhostUser = "vhost-user";     // PortAttachment::vhost_user_socket
inline constexpr const char* kTunnelVxlan = "tunnel-vxlan";
inline constexpr const char* kTunnelGre = "tunnel-gre";
inline constexpr const char* kTunnelGeneve = "tunnel-geneve";
inline std::string tunnel_capability(const std::string& type) { return "tunnel-" + type; }
}  // namespace cap

struct BackendInfo {
  std::string name;                        // "bridge", "ovs", "ovs-dpdk", "fake"
  bool available = true;                   // false: present but unusable on this host
  std::string unavailable_reason;          // why, in words a person can act on
  std::vector<std::string> capabilities;   // cap:: names
  // Settings of the switch the backend reads and reports but does not own (OVS-DPDK: its PMD
  // and lcore masks), as key and value.
  std::vector<std::pair<std::string, std::string>> details;
  bool has(std::string_view capability) const {
    for (const auto& c : capabilities)
      if (c == capability) return true;
    return false;
  }
};

class SwitchBackend {
 public:
  virtual ~SwitchBackend() = default;

  // Name, availability and capabilities. Cheap; never fails.
  virtual BackendInfo info() const = 0;

  // Makes the switch described by spec exist, up, with spec's addresses and tunnels, and returns it.
  // A tunnel type the backend cannot make here (see capabilities) is Errc::Unsupported naming it.
  // If a switch of that name already exists with the same owner_tag it is adopted, not recreated
  // (same ifindex): settings that differ are corrected, missing addresses added. If a device of
  // that name exists without our tag: Errc::Conflict naming it. On failure nothing it made
  // remains. Idempotent.
  virtual Result<SwitchState> ensure_switch(const SwitchSpec& spec) = 0;

  // ensure_switch for the daemon's event loop: `done` gets the outcome once the switch exists (OVS:
  // once vswitchd made its device), before this returns for backends that finish at once (the
  // default). On failure nothing it made remains. `done` does not run if the backend is
  // destroyed first.
  using SwitchDone = std::function<void(Result<SwitchState>)>;
  virtual void ensure_switch_async(const SwitchSpec& spec, SwitchDone done) { done(ensure_switch(spec)); }

  // Deletes the switch if its owner tag is owner_tag; NotFound if absent; Conflict if not ours.
  // A switch whose device goes later (OVS: when vswitchd gets to it) may return first: until
  // then find_device reports the name free, and ensure_switch of that name waits for the device.
  virtual Result<void> delete_switch(const std::string& name, const std::string& owner_tag) = 0;

  // Every switch of this backend whose owner tag starts with "hostnet:", for reconcile.
  virtual Result<std::vector<SwitchState>> list_switches() = 0;

  // Looks up any host device by name (for conflict checks and host-bridge validation).
  // Returns nullopt when absent.
  virtual Result<std::optional<DeviceInfo>> find_device(const std::string& name) = 0;

  // Plugs an existing device into a switch this backend made, with the attachment's VLAN and
  // isolation settings, and brings it up. Idempotent: a port already plugged in as asked is left
  // alone (no link flap: a daemon restart must not interrupt a VM's traffic); a setting that
  // differs is corrected. A setting the host cannot give (VLANs without VLAN filtering) is
  // Errc::Unsupported naming the missing feature, checked before anything changes. Blocks for
  // kernel (or OVSDB) round trips only. Optional: backends without ports answer Unsupported.
  virtual Result<void> attach_port(const PortAttachment& port) {
    return fail(Errc::Unsupported, "backend " + info().name + " cannot attach ports to " + port.switch_name);
  }

  // Many new ports of one switch at once, all or none (on failure the ones plugged in are
  // unplugged again). Backends with transactions (OVSDB) make it one; the default plugs them in
  // one by one.
  virtual Result<void> attach_ports(const std::vector<PortAttachment>& ports) {
    for (size_t i = 0; i < ports.size(); ++i) {
      if (auto r = attach_port(ports[i]); !r) {
        for (size_t j = 0; j < i; ++j) (void)detach_port(ports[j]);
        return r;
      }
    }
    return {};
  }

  // attach_ports for the daemon's event loop: `done` gets the outcome once the switch has taken
  // the ports, so a switch that is slow to take them (ovs-vswitchd reconfiguring) holds up only
  // this call, not the loop. `done` may run before this returns (backends that finish at once,
  // which is the default) or later from the loop; it runs exactly once, unless the backend is
  // destroyed first. On failure the ports are unplugged again, as attach_ports does.
  using AttachDone = std::function<void(Result<void>)>;
  virtual void attach_ports_async(const std::vector<PortAttachment>& ports, AttachDone done) {
    done(attach_ports(ports));
  }

  // The switch's own counters of a port (OVS: Interface.statistics, as "rx_bytes" etc. from the
  // switch's side). NotFound when the backend keeps none; the daemon then reads the device's.
  virtual Result<std::map<std::string, std::uint64_t>> port_statistics(const PortAttachment& port) {
    return fail(Errc::NotFound, "backend " + info().name + " keeps no counters of " + port.port_name);
  }

  // Sets a running switch's OpenFlow settings to `openflow` (empty: no controllers, the
  // switch's own defaults), leaving its ports and their traffic alone. Conflict when the switch
  // is not owner_tag's; Unsupported for a backend without OpenFlow.
  virtual Result<void> set_openflow(const std::string& switch_name, const std::string& owner_tag,
                                    const OpenFlowSpec& openflow) {
    (void)owner_tag;
    (void)openflow;
    return fail(Errc::Unsupported, "backend " + info().name + " has no OpenFlow: " + switch_name +
                                       " cannot have controllers (they need an Open vSwitch network)");
  }

  // The switch's OpenFlow controllers and their connections, as the switch reports them: none
  // for a switch without any, or a backend without OpenFlow. Cheap (no round trip).
  virtual std::vector<ControllerState> controllers(const std::string& switch_name) {
    (void)switch_name;
    return {};
  }

  // Unplugs the port from its switch; the device itself stays (the daemon deletes it). A port
  // already gone is not an error.
  virtual Result<void> detach_port(const PortAttachment& port) {
    return fail(Errc::Unsupported, "backend " + info().name + " cannot detach ports from " + port.switch_name);
  }
};

// Passed to a plugin's factory.
struct PluginContext {
  std::string state_dir;  // the daemon's runtime dir, for plugin files (sockets, pid files)
  // Options from the daemon's command line meant for plugins ("ovsdb-socket" -> path).
  std::vector<std::pair<std::string, std::string>> options;
  // The daemon's event loop, for plugins with sockets of their own to watch (OVSDB); null in unit
  // tests, where such plugins poll when called instead.
  sd_event* event_loop = nullptr;
  // For a backend that notices changes made behind its back (rows an admin deleted from OVSDB):
  // the daemon repairs what its networks and ports need soon after (debounced). May be empty.
  std::function<void()> changed_behind;
};

inline std::string tunnel_port_name(const std::string& owner_tag, const TunnelSpec& t) {
  std::uint32_t h = fnv1a(owner_tag + "|" + t.type);
  h = fnv1a(std::string_view(reinterpret_cast<const char*>(t.remote.data()), t.remote.size()), h);
  for (int i = 0; i < 4; ++i) h = fnv1a(std::string(1, static_cast<char>(t.key >> (8 * i))), h);
  char buf[16];
  std::snprintf(buf, sizeof buf, "hnt%08x", h);
  return buf;
}

}  // namespace hostnet

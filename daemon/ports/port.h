// A VM port as hostnetd holds it: a tap on a network's switch, with the settings it was made with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "plugins/switch_backend.h"
#include "xml/network_def.h"

namespace hostnet {

// What a port is, fully resolved (the network's and the portgroup's settings applied).
struct PortSettings {
  // "tap" (hostnet makes it, VMs get its fds) | "internal" (OVS makes it, for the host) |
  // "vhost-user" (OVS-DPDK: no device, a unix socket the VM's QEMU serves) |
  // "libvirt" (libvirt made the tap for a domain it runs; hostnet follows it, never deletes it)
  std::string kind = "tap";
  std::string name;  // the device
  MacAddress mac{};  // the guest's MAC
  unsigned queues = 1;
  std::optional<std::uint32_t> owner;  // uid allowed to open the port's fds (root always is)
  std::optional<std::uint32_t> group;
  std::optional<unsigned> mtu;
  std::string portgroup;
  std::optional<VlanSettings> vlan;
  bool isolated = false;
  std::optional<xml::BandwidthDef> bandwidth;
  std::string interface_id;  // OVS/OVN external_ids:iface-id
  std::string vm_uuid;
  std::string vm_name;    // the domain, for ports another program made
  std::string peer_port;  // that program's own id of the port (libvirt's network port uuid)
  bool operator==(const PortSettings&) const = default;
};

struct Port {
  std::string id;       // short hex id: the D-Bus path and the default device name
  std::string network;
  PortSettings settings;
  int ifindex = 0;
  std::string ifb;      // the device shaping what the VM sends, "" when unshaped
  std::string socket;   // vhost-user: the socket's path (in a directory of the port's own)
  // Why the port does not forward, "" when it does: a port hostnet did not make whose settings
  // this host cannot give (a VLAN without bridge VLAN filtering) is unplugged, never left
  // forwarding untagged.
  std::string problem;
};

// Made by another program (libvirt): hostnet adopts, shapes and shows it, but its device, its
// fds and its life are that program's.
inline bool is_foreign_port(const PortSettings& s) {
  return s.kind != "tap" && s.kind != "internal" && s.kind != "vhost-user";
}
// A port without a kernel device of its own (the switch talks to the VM over a socket).
inline bool is_vhost_user(const PortSettings& s) { return s.kind == "vhost-user"; }

// Device aliases mark what hostnet made, so a restart finds its ports and nothing else.
inline constexpr const char* kPortAliasPrefix = "hostnet-port:";
inline constexpr const char* kIfbAliasPrefix = "hostnet-ifb:";
std::string port_alias(const Port& port);  // "hostnet-port:<id>:<network>"
std::string ifb_alias(const Port& port);

}  // namespace hostnet

// What a caller asks for when it creates a port (D-Bus a{sv} options, CLI flags), and how that
// becomes PortSettings: checked field by field, with the portgroup's and network's settings
// filled in where the request is silent.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "daemon/ports/port.h"
#include "xml/network_def.h"

namespace hostnet {

struct PortRequest {
  std::optional<std::string> kind, name, mac, portgroup, interface_id, vm_uuid;
  std::optional<std::uint32_t> queues, owner, group, mtu;
  std::optional<std::string> vlan;         // "10" (access) or "10,20,30" (trunk)
  std::optional<bool> trunk;               // a trunk even with one tag
  std::optional<std::uint32_t> native_vlan;
  std::optional<std::string> native_mode;  // "untagged" (default) | "tagged"
  std::optional<bool> isolated;
  std::optional<std::string> inbound, outbound;  // virsh's "average[,peak[,burst]]" (KiB/s, KiB)
};

// Sets one request field from an option name and its text (the CLI, and port records), or
// InvalidArgument naming the option.
Result<void> set_request_option(PortRequest& request, const std::string& key, const std::string& value);

// The most ports one CreatePorts call makes: each is a tap (or OVSDB rows) made before the reply,
// so an unbounded batch would hold the daemon and its memory for as long as the caller likes.
inline constexpr std::size_t kMaxPortsPerCall = 4096;

struct ResolveContext {
  const xml::NetworkDef& network;
  // Tells whether a uid / gid exists on this host.
  std::function<bool(std::uint32_t)> uid_exists, gid_exists;
  // A MAC to use when the request has none.
  std::function<MacAddress()> random_mac;
};

// The port the request describes on this network, or the first problem with it
// (InvalidArgument / NotFound naming the option and the reason).
Result<PortSettings> resolve_port_request(const PortRequest& request, const ResolveContext& context);

// "average[,peak[,burst]]" -> rate; the text of a rate back.
Result<xml::BandwidthRate> parse_rate_option(const std::string& option, const std::string& text);
std::string format_rate_option(const xml::BandwidthRate& rate);
std::string format_vlan_option(const VlanSettings& vlan);

}  // namespace hostnet

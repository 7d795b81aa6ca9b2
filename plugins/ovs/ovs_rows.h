// The OVSDB transactions the Open vSwitch backend sends, as pure functions of what it is asked
// for, so they can be compared with golden JSON (as libvirt's firewall tests compare commands).
// Every row hostnet creates carries external_ids:hostnet-owner; rows without it are the admin's.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plugins/switch_backend.h"

namespace hostnet::ovs {

inline constexpr const char* kOwnerKey = "hostnet-owner";

// A bridge with its internal port (the device the host's addresses go on), added to
// Open_vSwitch.bridges in the same transaction (a Bridge nobody references is garbage-collected).
nlohmann::json create_bridge_ops(const SwitchSpec& spec, const std::string& datapath_type);
nlohmann::json delete_bridge_ops(const std::string& bridge_uuid);
// The Bridge's OpenFlow columns (controller, fail_mode, protocols) set to the spec's: new
// Controller rows (the old ones, referenced by nothing then, go with OVSDB's garbage collection).
nlohmann::json set_openflow_ops(const SwitchSpec& spec, const std::string& bridge_uuid);
// The switch's own ports added to an existing bridge: tunnels (type vxlan/gre/geneve, options
// remote_ip/key/dst_port) and DPDK uplinks (type dpdk, options dpdk-devargs and n_rxq).
// create_bridge_ops includes the spec's already.
nlohmann::json add_switch_ports_ops(const SwitchSpec& spec, const std::vector<TunnelSpec>& tunnels,
                                    const std::vector<UplinkSpec>& uplinks, const std::string& bridge_uuid);

// An existing device as a port of the bridge: Interface + Port inserted, Bridge.ports grown by a
// mutate "insert" (never rewritten: that costs seconds per port at ~1000 ports).
// Many ports go in one transaction with one mutate: vswitchd then reconfigures once for all.
nlohmann::json add_ports_ops(const std::vector<PortAttachment>& ports, const std::string& bridge_uuid);
nlohmann::json remove_ports_ops(const std::string& bridge_uuid, const std::vector<std::string>& port_uuids);
nlohmann::json update_port_vlan_ops(const std::string& port_uuid, const std::optional<VlanSettings>& vlan);

// Port columns for libvirt's <vlan>: tag (access, or the native VLAN of a trunk), trunks and
// vlan_mode, as libvirt's own Open vSwitch code sets them. Empty sets when there is no VLAN.
nlohmann::json vlan_columns(const std::optional<VlanSettings>& vlan);

// The uuid of the row an "insert" operation made, from its result; "" when it made none.
std::string inserted_uuid(const nlohmann::json& result);

}  // namespace hostnet::ovs

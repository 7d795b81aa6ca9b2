#include "plugins/ovs/ovs_rows.h"

#include <algorithm>
#include <cstdio>

#include "common/mac.h"
#include "plugins/ovs/ovsdb/operations.h"

namespace hostnet::ovs {

using nlohmann::json;
namespace o = ovsdb;

namespace {

// Sorted, as OVSDB holds (and the replica compares) sets.
json int_set(std::vector<unsigned> values) {
  std::sort(values.begin(), values.end());
  std::vector<json> out;
  for (unsigned v : values) out.push_back(v);
  return o::set_of(std::move(out));
}

std::string ipv4_text(const std::array<std::uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." + std::to_string(a[3]);
}

// One Interface + Port pair of the switch itself (a tunnel, an uplink), owned by its network.
// Named KIND_ifaceN and KINDN in the transaction.
json own_port(const SwitchSpec& spec, const std::string& name, json interface, const std::string& kind, size_t n,
              json& ops) {
  interface["name"] = name;
  std::string iface = kind + "_iface" + std::to_string(n), port = kind + std::to_string(n);
  ops.push_back(o::op::insert("Interface", std::move(interface), iface));
  ops.push_back(o::op::insert("Port", {{"name", name}, {"interfaces", o::named_uuid(iface)},
                                       {"external_ids", o::string_map({{kOwnerKey, spec.owner_tag}})}}, port));
  return o::named_uuid(port);
}

// The rows of the switch's tunnels and DPDK uplinks; returns the Port named-uuids.
std::vector<json> switch_port_rows(const SwitchSpec& spec, const std::vector<TunnelSpec>& tunnels,
                                   const std::vector<UplinkSpec>& uplinks, json& ops) {
  std::vector<json> ports;
  for (size_t i = 0; i < tunnels.size(); ++i) {
    const auto& t = tunnels[i];
    std::map<std::string, std::string> options = {{"remote_ip", ipv4_text(t.remote)}, {"key", std::to_string(t.key)}};
    if (t.dst_port) options["dst_port"] = std::to_string(t.dst_port);
    ports.push_back(own_port(spec, tunnel_port_name(spec.owner_tag, t),
                             {{"type", t.type}, {"options", o::string_map(options)}}, "tunnel", i, ops));
  }
  for (size_t i = 0; i < uplinks.size(); ++i) {
    const auto& u = uplinks[i];
    std::map<std::string, std::string> options = {{"dpdk-devargs", u.devargs}};
    if (u.rx_queues) options["n_rxq"] = std::to_string(u.rx_queues);
    ports.push_back(own_port(spec, u.name, {{"type", "dpdk"}, {"options", o::string_map(options)}}, "uplink", i, ops));
  }
  return ports;
}

// The Bridge columns of spec.openflow, with the Controller rows they reference inserted into ops
// (named ctlN). Empty when the spec has no OpenFlow: the columns are then left as they are.
json openflow_columns(const SwitchSpec& spec, json& ops) {
  if (!spec.openflow) return json::object();
  const auto& of = *spec.openflow;
  std::vector<json> controllers;
  for (size_t i = 0; i < of.controllers.size(); ++i) {
    std::string name = "ctl" + std::to_string(i);
    ops.push_back(o::op::insert("Controller", {{"target", of.controllers[i]},
                                               {"external_ids", o::string_map({{kOwnerKey, spec.owner_tag}})}},
                                name));
    controllers.push_back(o::named_uuid(name));
  }
  std::vector<json> protocols(of.protocols.begin(), of.protocols.end());
  std::sort(protocols.begin(), protocols.end());
  return {{"controller", o::set_of(std::move(controllers))},
          {"fail_mode", of.fail_mode.empty() ? o::set_of({}) : json(of.fail_mode)},
          {"protocols", o::set_of(std::move(protocols))}};
}

}  // namespace

json vlan_columns(const std::optional<VlanSettings>& vlan) {
  json cols = {{"tag", o::set_of({})}, {"trunks", o::set_of({})}, {"vlan_mode", o::set_of({})}};
  if (!vlan || vlan->tags.empty()) return cols;
  if (!vlan->trunk) {
    cols["tag"] = vlan->tags.front();
    cols["vlan_mode"] = "access";
    return cols;
  }
  cols["trunks"] = int_set(vlan->tags);
  if (vlan->native_tag) {
    cols["tag"] = *vlan->native_tag;
    cols["vlan_mode"] = vlan->native_tagged ? "native-tagged" : "native-untagged";
  } else {
    cols["vlan_mode"] = "trunk";
  }
  return cols;
}

json create_bridge_ops(const SwitchSpec& spec, const std::string& datapath_type) {
  json iface = {{"name", spec.name}, {"type", "internal"}};
  if (spec.mtu) iface["mtu_request"] = *spec.mtu;
  json ops = json::array();
  ops.push_back(o::op::insert("Interface", iface, "iface"));
  ops.push_back(o::op::insert("Port", {{"name", spec.name}, {"interfaces", o::named_uuid("iface")},
                                       {"external_ids", o::string_map({{kOwnerKey, spec.owner_tag}})}}, "port"));
  auto ports = switch_port_rows(spec, spec.tunnels, spec.uplinks, ops);
  ports.insert(ports.begin(), o::named_uuid("port"));
  json bridge = {{"name", spec.name},
                 {"ports", o::set_of(std::move(ports))},
                 {"datapath_type", datapath_type},
                 {"external_ids", o::string_map({{kOwnerKey, spec.owner_tag}})}};
  if (spec.mac) bridge["other_config"] = o::string_map({{"hwaddr", format_mac(*spec.mac)}});
  bridge.update(openflow_columns(spec, ops));
  ops.push_back(o::op::insert("Bridge", bridge, "bridge"));
  ops.push_back(o::op::mutate("Open_vSwitch", {}, {o::set_insert("bridges", {o::named_uuid("bridge")})}));
  ops.push_back(o::op::comment("hostnet: create bridge " + spec.name));
  return ops;
}

json add_switch_ports_ops(const SwitchSpec& spec, const std::vector<TunnelSpec>& tunnels,
                          const std::vector<UplinkSpec>& uplinks, const std::string& bridge_uuid) {
  json ops = json::array();
  auto ports = switch_port_rows(spec, tunnels, uplinks, ops);
  ops.push_back(o::op::mutate("Bridge", {o::uuid_is(bridge_uuid)}, {o::set_insert("ports", std::move(ports))}));
  return ops;
}

json set_openflow_ops(const SwitchSpec& spec, const std::string& bridge_uuid) {
  json ops = json::array();
  json columns = openflow_columns(spec, ops);
  ops.push_back(o::op::update("Bridge", {o::uuid_is(bridge_uuid)}, std::move(columns)));
  ops.push_back(o::op::comment("hostnet: OpenFlow settings of bridge " + spec.name));
  return ops;
}

json delete_bridge_ops(const std::string& bridge_uuid) {
  // Its ports and interfaces are referenced by nothing else and go with it (garbage collection).
  return json::array({
      o::op::mutate("Open_vSwitch", {}, {o::set_delete("bridges", {o::uuid(bridge_uuid)})}),
      o::op::comment("hostnet: delete bridge"),
  });
}

json add_ports_ops(const std::vector<PortAttachment>& ports, const std::string& bridge_uuid) {
  json ops = json::array();
  std::vector<json> new_ports;
  for (size_t i = 0; i < ports.size(); ++i) {
    const auto& port = ports[i];
    std::string iface = "iface" + std::to_string(i), name = "port" + std::to_string(i);
    std::map<std::string, std::string> iface_ids(port.external_ids.begin(), port.external_ids.end());
    iface_ids["iface-status"] = "active";
    json port_row = vlan_columns(port.vlan);
    port_row["name"] = port.port_name;
    port_row["interfaces"] = o::named_uuid(iface);
    port_row["external_ids"] = o::string_map({{kOwnerKey, port.switch_owner_tag}});
    json iface_row = {{"name", port.port_name}, {"external_ids", o::string_map(iface_ids)}};
    if (port.internal) iface_row["type"] = "internal";
    if (!port.vhost_user_socket.empty()) {
      // dpdkvhostuserclient: QEMU is the server, so OVS reconnects when QEMU restarts.
      iface_row["type"] = "dpdkvhostuserclient";
      iface_row["options"] = o::string_map({{"vhost-server-path", port.vhost_user_socket}});
    }
    if (port.mtu) iface_row["mtu_request"] = static_cast<std::int64_t>(*port.mtu);
    ops.push_back(o::op::insert("Interface", iface_row, iface));
    ops.push_back(o::op::insert("Port", port_row, name));
    new_ports.push_back(o::named_uuid(name));
  }
  ops.push_back(o::op::mutate("Bridge", {o::uuid_is(bridge_uuid)}, {o::set_insert("ports", std::move(new_ports))}));
  ops.push_back(o::op::comment("hostnet: add " + (ports.size() == 1 ? "port " + ports[0].port_name
                                                                       : std::to_string(ports.size()) + " ports") +
                               (ports.empty() ? "" : " to " + ports[0].switch_name)));
  return ops;
}

json remove_ports_ops(const std::string& bridge_uuid, const std::vector<std::string>& port_uuids) {
  std::vector<json> uuids;
  for (const auto& u : port_uuids) uuids.push_back(o::uuid(u));
  return json::array({
      o::op::mutate("Bridge", {o::uuid_is(bridge_uuid)}, {o::set_delete("ports", std::move(uuids))}),
      o::op::comment("hostnet: remove ports"),
  });
}

json update_port_vlan_ops(const std::string& port_uuid, const std::optional<VlanSettings>& vlan) {
  return json::array({o::op::update("Port", {o::uuid_is(port_uuid)}, vlan_columns(vlan))});
}

std::string inserted_uuid(const nlohmann::json& result) {
  if (result.contains("uuid") && result["uuid"].is_array() && result["uuid"].size() == 2)
    return result["uuid"][1].get<std::string>();
  return "";
}

}  // namespace hostnet::ovs

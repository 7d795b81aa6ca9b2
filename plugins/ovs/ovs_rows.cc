#include "plugins/ovs/ovs_rows.h"

#include <algorithm>
#include <cstdio>

#include "plugins/ovs/ovsdb/operations.h"

namespace hostnet::ovs {

using nlohmann::json;
namespace o = ovsdb;

namespace {

std::string mac_text(const MacAddress& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return buf;
}

// Sorted, as OVSDB holds (and the replica compares) sets.
json int_set(std::vector<unsigned> values) {
  std::sort(values.begin(), values.end());
  std::vector<json> out;
  for (unsigned v : values) out.push_back(v);
  return o::set_of(std::move(out));
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
  json bridge = {{"name", spec.name},
                 {"ports", o::named_uuid("port")},
                 {"datapath_type", datapath_type},
                 {"external_ids", o::string_map({{kOwnerKey, spec.owner_tag}})}};
  if (spec.mac) bridge["other_config"] = o::string_map({{"hwaddr", mac_text(*spec.mac)}});
  return json::array({
      o::op::insert("Interface", iface, "iface"),
      o::op::insert("Port", {{"name", spec.name}, {"interfaces", o::named_uuid("iface")},
                             {"external_ids", o::string_map({{kOwnerKey, spec.owner_tag}})}}, "port"),
      o::op::insert("Bridge", bridge, "bridge"),
      o::op::mutate("Open_vSwitch", {}, {o::set_insert("bridges", {o::named_uuid("bridge")})}),
      o::op::comment("hostnet: create bridge " + spec.name),
  });
}

json delete_bridge_ops(const std::string& bridge_uuid) {
  // Its ports and interfaces are referenced by nothing else and go with it (garbage collection).
  return json::array({
      o::op::mutate("Open_vSwitch", {}, {o::set_delete("bridges", {o::uuid(bridge_uuid)})}),
      o::op::comment("hostnet: delete bridge"),
  });
}

json add_port_ops(const PortAttachment& port, const std::string& bridge_uuid) {
  std::map<std::string, std::string> iface_ids(port.external_ids.begin(), port.external_ids.end());
  iface_ids["iface-status"] = "active";
  json port_row = vlan_columns(port.vlan);
  port_row["name"] = port.port_name;
  port_row["interfaces"] = o::named_uuid("iface");
  port_row["external_ids"] = o::string_map({{kOwnerKey, port.switch_owner_tag}});
  return json::array({
      o::op::insert("Interface", {{"name", port.port_name}, {"external_ids", o::string_map(iface_ids)}}, "iface"),
      o::op::insert("Port", port_row, "port"),
      o::op::mutate("Bridge", {o::uuid_is(bridge_uuid)}, {o::set_insert("ports", {o::named_uuid("port")})}),
      o::op::comment("hostnet: add port " + port.port_name + " to " + port.switch_name),
  });
}

json wait_port_ops(const std::string& port_name, unsigned timeout_ms) {
  return json::array({
      o::op::wait("Interface", {o::column_is("name", port_name)}, {"ofport"}, "!=", {json{{"ofport", o::set_of({})}}},
                  std::chrono::milliseconds(timeout_ms)),
      o::op::select("Interface", {o::column_is("name", port_name)}, {"ofport", "error"}),
  });
}

json remove_port_ops(const std::string& bridge_uuid, const std::string& port_uuid) {
  return json::array({
      o::op::mutate("Bridge", {o::uuid_is(bridge_uuid)}, {o::set_delete("ports", {o::uuid(port_uuid)})}),
      o::op::comment("hostnet: remove port"),
  });
}

json update_port_vlan_ops(const std::string& port_uuid, const std::optional<VlanSettings>& vlan) {
  return json::array({o::op::update("Port", {o::uuid_is(port_uuid)}, vlan_columns(vlan))});
}

}  // namespace hostnet::ovs

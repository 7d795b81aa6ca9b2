// The columns hostnet's OVS backends monitor (plugins/ovs/ovs_backend.cc, monitored()), with
// their types as /usr/share/openvswitch/vswitch.ovsschema 8.3.1 declares them, for the OVSDB
// fuzz targets' replicas.
#pragma once

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "plugins/ovs/ovsdb/schema.h"

namespace hostnet::fuzz {

inline const ovsdb::SchemaColumns& monitored_columns() {
  static const ovsdb::SchemaColumns columns = [] {
    auto c = ovsdb::schema_columns(nlohmann::json::parse(R"({
  "name": "Open_vSwitch", "version": "8.3.1",
  "tables": {
    "Open_vSwitch": {"columns": {
      "bridges": {"type": {"key": {"type": "uuid", "refTable": "Bridge"}, "min": 0, "max": "unlimited"}},
      "dpdk_initialized": {"type": "boolean"},
      "dpdk_version": {"type": {"key": {"type": "string"}, "min": 0, "max": 1}},
      "iface_types": {"type": {"key": {"type": "string"}, "min": 0, "max": "unlimited"}},
      "other_config": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}}},
    "Bridge": {"columns": {
      "name": {"type": "string"},
      "ports": {"type": {"key": {"type": "uuid", "refTable": "Port"}, "min": 0, "max": "unlimited"}},
      "external_ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
      "datapath_type": {"type": "string"}}},
    "Port": {"columns": {
      "name": {"type": "string"},
      "interfaces": {"type": {"key": {"type": "uuid", "refTable": "Interface"}, "min": 1, "max": "unlimited"}},
      "tag": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 1}},
      "trunks": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 4096}},
      "vlan_mode": {"type": {"key": {"type": "string", "enum": ["set", ["trunk", "access", "native-tagged", "native-untagged", "dot1q-tunnel"]]}, "min": 0, "max": 1}},
      "external_ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}}},
    "Interface": {"columns": {
      "name": {"type": "string"},
      "type": {"type": "string"},
      "ofport": {"type": {"key": "integer", "min": 0, "max": 1}},
      "error": {"type": {"key": "string", "min": 0, "max": 1}},
      "external_ids": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}}}}}})"));
    if (!c) std::abort();
    return *c;
  }();
  return columns;
}

}  // namespace hostnet::fuzz

// What hostnet needs from an OVSDB schema: its version (to refuse a server whose Open_vSwitch
// schema it was not written for) and each column's type (to apply update2 diffs, which mean
// different things for sets and maps than for single values, and to know a column's default,
// which initial and insert updates leave out).
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace hostnet::ovsdb {

struct SchemaVersion {
  int major = 0, minor = 0, patch = 0;
  std::string text;  // as the schema states it: "8.3.1"
};

// The schema's "version" member ("x.y.z").
Result<SchemaVersion> schema_version(const nlohmann::json& schema);

// hostnet is written against Open_vSwitch schema 8.x (OVS 2.x and 3.x); a major version change
// renames or removes columns it uses. Unsupported error naming the version otherwise.
inline constexpr int kOpenVswitchSchemaMajor = 8;
Result<SchemaVersion> check_open_vswitch_schema(const nlohmann::json& schema);

struct ColumnType {
  // How update2 "modify" changes the column: a Set (max > 1) or Map (max > 1, with a value
  // type) by a diff, anything else (a single value, or an optional one: min 0, max 1) by the
  // new value. This is OVSDB's ovsdb_type_is_composite().
  enum class Kind { Scalar, Set, Map } kind = Kind::Scalar;
  // The column's value when a row leaves it out: [] for sets, maps and optional values, else
  // the key type's zero (0, 0.0, false, "", the all-zero uuid), in wire form.
  nlohmann::json default_value;
};

// Parses a column's "type" member (RFC 7047 <type>).
Result<ColumnType> column_type(const nlohmann::json& type);

// table -> column -> type, for every table of a database schema.
using SchemaColumns = std::map<std::string, std::map<std::string, ColumnType>>;
Result<SchemaColumns> schema_columns(const nlohmann::json& schema);

}  // namespace hostnet::ovsdb

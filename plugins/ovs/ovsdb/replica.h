// An in-memory copy of the monitored tables of one OVSDB database: table -> row uuid -> row,
// a row being a JSON object of column values in OVSDB's wire form (atoms, ["uuid",U],
// ["set",[...]], ["map",[[k,v],...]]).
//
// Fed by monitor replies and notifications: update2 (monitor_cond: initial/insert/modify/delete,
// modify carrying diffs) and update (monitor: old/new). The replica holds what the server last
// said and nothing else: clear() it before applying a new initial state, or rows deleted while
// disconnected would linger.
//
// Stored rows are complete and canonical, so two replicas of the same database compare equal
// however they were built (update2 or update, initial rows or a history of diffs): every column
// with a known type is present (initial/insert rows leave out columns at their default, and the
// replica puts the default back, so a reader can tell an empty optional from a 0); sets are
// ["set",[...]] and maps ["map",[...]], sorted, even with one element; an optional value is its
// bare atom or ["set",[]]. set_columns() names the monitored columns and their types; OvsdbClient
// passes exactly the columns it monitors. A column without a known type is kept as received, and
// a modify of it is applied by its wire form (["set"] and ["map"] as diffs, anything else
// replaced), which is wrong for a one-element set diff (sent as a bare atom).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "plugins/ovs/ovsdb/schema.h"

namespace hostnet::ovsdb {

using Row = nlohmann::json;
using Table = std::map<std::string, Row>;  // row uuid -> row

class Replica {
 public:
  // table -> column -> type of the monitored columns (see above).
  void set_columns(SchemaColumns columns) { columns_ = std::move(columns); }
  void clear() { tables_.clear(); }

  // A <table-updates2> object: a monitor_cond reply or an update2 notification's second param.
  // An Error (a malformed update, a modify of a row the replica does not have) means the replica
  // no longer matches the server: clear it and monitor again. A delete of an unknown row is not
  // an error: the end state is right.
  Result<void> apply_update2(const nlohmann::json& table_updates);
  // A <table-updates> object (old/new): a monitor reply or an update notification's params[1].
  Result<void> apply_update(const nlohmann::json& table_updates);

  const std::map<std::string, Table>& tables() const { return tables_; }
  // The rows of one table; an empty table when none are known.
  const Table& table(const std::string& name) const;
  const Row* row(const std::string& table, const std::string& uuid) const;
  std::size_t size(const std::string& table) const { return this->table(table).size(); }

 private:
  const ColumnType* type_of(const std::string& table, const std::string& column) const;
  Result<Row> canonical_row(const std::string& table, const nlohmann::json& columns) const;
  Result<void> apply_modify(const std::string& table, Row& row, const nlohmann::json& diff) const;

  SchemaColumns columns_;
  std::map<std::string, Table> tables_;
};

// Column readers. A column the row does not have (not monitored) or of another type than asked
// for is an Error naming it.
// A string; an empty optional string reads as "".
Result<std::string> column_string(const Row& row, const std::string& column);
// An integer; nullopt for an empty optional (Port.tag unset, Interface.ofport not assigned yet),
// which is not the same as 0.
Result<std::optional<std::int64_t>> column_int(const Row& row, const std::string& column);
// A set of uuids (Bridge.ports): ["uuid",U] alone or ["set",[["uuid",U],...]].
Result<std::set<std::string>> column_uuid_set(const Row& row, const std::string& column);
// A set of strings (Open_vSwitch.iface_types): "x" alone or ["set",["x",...]].
Result<std::set<std::string>> column_string_set(const Row& row, const std::string& column);
// A boolean; nullopt for an empty optional (Open_vSwitch.dpdk_initialized before vswitchd set it).
Result<std::optional<bool>> column_bool(const Row& row, const std::string& column);
// A string->string map (external_ids, other_config, options).
Result<std::map<std::string, std::string>> column_string_map(const Row& row, const std::string& column);

}  // namespace hostnet::ovsdb

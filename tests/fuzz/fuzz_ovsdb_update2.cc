// libFuzzer target for Replica::apply_update2, which turns what ovsdb-server sends (monitor_cond
// replies and update2 notifications: <table-updates2> with initial/insert/modify/delete) into
// hostnet's copy of the Bridge, Port, Interface and Open_vSwitch rows it monitors, with those
// columns' real types. The input is one JSON <table-updates2>, or an array of them applied in
// order (so modify and delete find rows to change). Invariants: no exception escapes, a failed
// update is an Error; and the replica's rows, sent as one "initial" update to a fresh replica,
// rebuild exactly the same tables (stored rows are complete and canonical).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "plugins/ovs/ovsdb/replica.h"
#include "tests/fuzz/ovs_schema.h"

using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json input = json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (input.is_discarded()) return 0;
  hostnet::ovsdb::Replica replica;
  replica.set_columns(hostnet::fuzz::monitored_columns());
  if (input.is_array()) {
    for (const auto& update : input)
      if (!replica.apply_update2(update)) return 0;  // hostnetd clears the replica and monitors again
  } else if (!replica.apply_update2(input)) {
    return 0;
  }

  json initial = json::object();
  for (const auto& [table, rows] : replica.tables())
    for (const auto& [uuid, row] : rows) initial[table][uuid] = {{"initial", row}};
  hostnet::ovsdb::Replica rebuilt;
  rebuilt.set_columns(hostnet::fuzz::monitored_columns());
  if (!rebuilt.apply_update2(initial)) std::abort();
  // Tables the update named but left empty are not rebuilt; compare the rows.
  for (const auto& [table, rows] : replica.tables())
    if (rows != rebuilt.table(table)) std::abort();
  for (const auto& [table, rows] : rebuilt.tables())
    if (rows != replica.table(table)) std::abort();
  return 0;
}

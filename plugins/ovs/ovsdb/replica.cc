#include "plugins/ovs/ovsdb/replica.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace hostnet::ovsdb {

using nlohmann::json;

namespace {

bool is_tagged(const json& v, const char* tag) {
  return v.is_array() && v.size() == 2 && v[0].is_string() && v[0] == tag;
}

// The elements of a set in wire form: ["set",[...]] or a bare atom (a set of one).
Result<std::vector<json>> set_elements(const json& v) {
  if (is_tagged(v, "set")) {
    if (!v[1].is_array()) return fail(Errc::Failed, "malformed OVSDB set " + v.dump());
    return v[1].get<std::vector<json>>();
  }
  if (v.is_array() && !is_tagged(v, "uuid") && !is_tagged(v, "named-uuid"))
    return fail(Errc::Failed, "malformed OVSDB value " + v.dump());
  return std::vector<json>{v};
}

Result<std::vector<std::pair<json, json>>> map_pairs(const json& v) {
  if (!is_tagged(v, "map") || !v[1].is_array()) return fail(Errc::Failed, "malformed OVSDB map " + v.dump());
  std::vector<std::pair<json, json>> out;
  for (const auto& kv : v[1]) {
    if (!kv.is_array() || kv.size() != 2) return fail(Errc::Failed, "malformed OVSDB map pair " + kv.dump());
    out.emplace_back(kv[0], kv[1]);
  }
  return out;
}

json make_set(const std::set<json>& elems) { return json::array({"set", json(elems)}); }

json make_map(const std::map<json, json>& m) {
  json pairs = json::array();
  for (const auto& [k, v] : m) pairs.push_back(json::array({k, v}));
  return json::array({"map", std::move(pairs)});
}

Result<json> canonical(const json& v, const ColumnType& type) {
  switch (type.kind) {
    case ColumnType::Kind::Set: {
      auto elems = set_elements(v);
      if (!elems) return tl::unexpected(elems.error());
      return make_set(std::set<json>(elems->begin(), elems->end()));
    }
    case ColumnType::Kind::Map: {
      auto pairs = map_pairs(v);
      if (!pairs) return tl::unexpected(pairs.error());
      return make_map(std::map<json, json>(pairs->begin(), pairs->end()));
    }
    case ColumnType::Kind::Scalar:
      // A client may write an optional value as ["set",[x]]; the server sends x.
      if (is_tagged(v, "set") && v[1].is_array() && v[1].size() == 1) return v[1][0];
      return v;
  }
  return v;
}

// update2's diff of a set: every element in it changes membership (symmetric difference).
// `elements` is a canonical (sorted, unique) set's array, changed in place: a one-port diff to a
// bridge of 1000 ports costs a binary search and a move of pointers, not a rebuilt set.
void toggle(json& elements, const std::vector<json>& diff) {
  for (const auto& e : diff) {
    auto it = std::lower_bound(elements.begin(), elements.end(), e);
    if (it != elements.end() && *it == e)
      elements.erase(it);
    else
      elements.insert(it, e);
  }
}

// update2's diff of a map: a pair equal to the current one removes the key, any other pair sets
// the key to its value (new key, or a changed value). `pairs` is a canonical map's array (sorted
// by key), changed in place.
void merge(json& pairs, const std::vector<std::pair<json, json>>& diff) {
  for (const auto& [k, v] : diff) {
    auto it = std::lower_bound(pairs.begin(), pairs.end(), k, [](const json& pair, const json& key) { return pair[0] < key; });
    if (it != pairs.end() && (*it)[0] == k) {
      if ((*it)[1] == v)
        pairs.erase(it);
      else
        (*it)[1] = v;
    } else {
      pairs.insert(it, json::array({k, v}));
    }
  }
}

std::string where(const std::string& table, const std::string& uuid) {
  return "OVSDB update of " + table + " row " + uuid;
}

}  // namespace

const ColumnType* Replica::type_of(const std::string& table, const std::string& column) const {
  auto t = columns_.find(table);
  if (t == columns_.end()) return nullptr;
  auto c = t->second.find(column);
  return c == t->second.end() ? nullptr : &c->second;
}

Result<Row> Replica::canonical_row(const std::string& table, const json& columns) const {
  if (!columns.is_object()) return fail(Errc::Failed, "row is not an object: " + columns.dump());
  Row row = json::object();
  if (auto t = columns_.find(table); t != columns_.end())
    for (const auto& [name, type] : t->second) {
      auto d = canonical(type.default_value, type);
      if (!d) return tl::unexpected(d.error());
      row[name] = std::move(*d);
    }
  for (const auto& [name, value] : columns.items()) {
    const ColumnType* type = type_of(table, name);
    if (!type) {
      row[name] = value;
      continue;
    }
    auto c = canonical(value, *type);
    if (!c) return fail_with_context(c.error(), "column " + name);
    row[name] = std::move(*c);
  }
  return row;
}

Result<void> Replica::apply_modify(const std::string& table, Row& row, const json& diff) const {
  if (!diff.is_object()) return fail(Errc::Failed, "modify is not an object: " + diff.dump());
  for (const auto& [name, d] : diff.items()) {
    const ColumnType* type = type_of(table, name);
    ColumnType guessed;
    if (!type) {
      // No schema for this column: judge by the wire form (see replica.h for when that is wrong).
      guessed.kind = is_tagged(d, "map")   ? ColumnType::Kind::Map
                     : is_tagged(d, "set") ? ColumnType::Kind::Set
                                           : ColumnType::Kind::Scalar;
      guessed.default_value = json::array({guessed.kind == ColumnType::Kind::Map ? "map" : "set", json::array()});
      type = &guessed;
    }
    // Columns with a known type are stored canonical; others are made so before a diff applies.
    auto cur = row.find(name);
    if (type->kind != ColumnType::Kind::Scalar && (cur == row.end() || type == &guessed)) {
      auto c = canonical(cur != row.end() ? *cur : type->default_value, *type);
      if (!c) return fail_with_context(c.error(), "column " + name);
      row[name] = std::move(*c);
    }
    switch (type->kind) {
      case ColumnType::Kind::Set: {
        auto delta = set_elements(d);
        if (!delta) return fail_with_context(delta.error(), "column " + name);
        toggle(row[name][1], *delta);
        break;
      }
      case ColumnType::Kind::Map: {
        auto delta = map_pairs(d);
        if (!delta) return fail_with_context(delta.error(), "column " + name);
        merge(row[name][1], *delta);
        break;
      }
      case ColumnType::Kind::Scalar: {
        auto c = canonical(d, *type);
        if (!c) return fail_with_context(c.error(), "column " + name);
        row[name] = std::move(*c);
        break;
      }
    }
  }
  return {};
}

Result<void> Replica::apply_update2(const json& table_updates) {
  if (!table_updates.is_object()) return fail(Errc::Failed, "OVSDB table-updates2 is not an object");
  try {
    for (const auto& [table, rows] : table_updates.items()) {
      if (!rows.is_object()) return fail(Errc::Failed, "OVSDB table-update2 of " + table + " is not an object");
      Table& t = tables_[table];
      for (const auto& [uuid, update] : rows.items()) {
        if (!update.is_object() || update.size() != 1)
          return fail(Errc::Failed, where(table, uuid) + ": not one of initial/insert/modify/delete");
        const std::string& kind = update.begin().key();
        const json& content = update.begin().value();
        if (kind == "initial" || kind == "insert") {
          auto row = canonical_row(table, content);
          if (!row) return fail_with_context(row.error(), where(table, uuid));
          t[uuid] = std::move(*row);
        } else if (kind == "delete") {
          t.erase(uuid);
        } else if (kind == "modify") {
          auto it = t.find(uuid);
          if (it == t.end()) return fail(Errc::Failed, where(table, uuid) + ": modify of a row the replica does not have");
          if (auto r = apply_modify(table, it->second, content); !r) return fail_with_context(r.error(), where(table, uuid));
        } else {
          return fail(Errc::Failed, where(table, uuid) + ": unknown kind '" + kind + "'");
        }
      }
    }
  } catch (const json::exception& e) {
    return fail(Errc::Failed, std::string("malformed OVSDB update2: ") + e.what());
  }
  return {};
}

Result<void> Replica::apply_update(const json& table_updates) {
  if (!table_updates.is_object()) return fail(Errc::Failed, "OVSDB table-updates is not an object");
  try {
    for (const auto& [table, rows] : table_updates.items()) {
      if (!rows.is_object()) return fail(Errc::Failed, "OVSDB table-update of " + table + " is not an object");
      Table& t = tables_[table];
      for (const auto& [uuid, update] : rows.items()) {
        if (!update.is_object()) return fail(Errc::Failed, where(table, uuid) + ": not an object");
        // "new" holds every monitored column (initial, insert and modify alike); only "old"
        // means the row is gone.
        auto n = update.find("new");
        if (n == update.end()) {
          t.erase(uuid);
          continue;
        }
        auto row = canonical_row(table, *n);
        if (!row) return fail_with_context(row.error(), where(table, uuid));
        t[uuid] = std::move(*row);
      }
    }
  } catch (const json::exception& e) {
    return fail(Errc::Failed, std::string("malformed OVSDB update: ") + e.what());
  }
  return {};
}

const Table& Replica::table(const std::string& name) const {
  static const Table kEmpty;
  auto it = tables_.find(name);
  return it == tables_.end() ? kEmpty : it->second;
}

const Row* Replica::row(const std::string& table, const std::string& uuid) const {
  const Table& t = this->table(table);
  auto it = t.find(uuid);
  return it == t.end() ? nullptr : &it->second;
}

namespace {

Result<const json*> column(const Row& row, const std::string& name) {
  auto it = row.is_object() ? row.find(name) : row.end();
  if (!row.is_object() || it == row.end()) return fail(Errc::NotFound, "OVSDB row has no column '" + name + "'");
  return &*it;
}

bool is_empty_set(const json& v) { return is_tagged(v, "set") && v[1].is_array() && v[1].empty(); }

}  // namespace

Result<std::string> column_string(const Row& row, const std::string& name) {
  auto v = column(row, name);
  if (!v) return tl::unexpected(v.error());
  if ((*v)->is_string()) return (*v)->get<std::string>();
  if (is_empty_set(**v)) return std::string();
  return fail(Errc::Failed, "OVSDB column '" + name + "' is not a string: " + (*v)->dump());
}

Result<std::optional<std::int64_t>> column_int(const Row& row, const std::string& name) {
  auto v = column(row, name);
  if (!v) return tl::unexpected(v.error());
  if ((*v)->is_number_integer()) return std::optional<std::int64_t>((*v)->get<std::int64_t>());
  if (is_empty_set(**v)) return std::optional<std::int64_t>();
  return fail(Errc::Failed, "OVSDB column '" + name + "' is not an integer: " + (*v)->dump());
}

namespace {

// A set column's elements as strings, each read by `text` (nullptr: not an element of this set).
Result<std::set<std::string>> string_elements(const Row& row, const std::string& name, const char* what,
                                              const json* (*text)(const json&)) {
  auto v = column(row, name);
  if (!v) return tl::unexpected(v.error());
  auto elems = set_elements(**v);
  std::set<std::string> out;
  if (elems)
    for (const auto& e : *elems) {
      const json* t = text(e);
      if (!t) {
        elems = fail(Errc::Failed, "");
        break;
      }
      out.insert(t->get<std::string>());
    }
  if (!elems) return fail(Errc::Failed, "OVSDB column '" + name + "' is not a set of " + what + ": " + (*v)->dump());
  return out;
}

}  // namespace

Result<std::set<std::string>> column_uuid_set(const Row& row, const std::string& name) {
  return string_elements(row, name, "uuids", [](const json& e) -> const json* {
    return is_tagged(e, "uuid") && e[1].is_string() ? &e[1] : nullptr;
  });
}

Result<std::set<std::string>> column_string_set(const Row& row, const std::string& name) {
  return string_elements(row, name, "strings", [](const json& e) -> const json* { return e.is_string() ? &e : nullptr; });
}

Result<std::optional<bool>> column_bool(const Row& row, const std::string& name) {
  auto v = column(row, name);
  if (!v) return tl::unexpected(v.error());
  if ((*v)->is_boolean()) return std::optional<bool>((*v)->get<bool>());
  if (is_empty_set(**v)) return std::optional<bool>();
  return fail(Errc::Failed, "OVSDB column '" + name + "' is not a boolean: " + (*v)->dump());
}

Result<std::map<std::string, std::string>> column_string_map(const Row& row, const std::string& name) {
  auto v = column(row, name);
  if (!v) return tl::unexpected(v.error());
  auto pairs = map_pairs(**v);
  std::map<std::string, std::string> out;
  if (pairs)
    for (const auto& [k, val] : *pairs) {
      if (!k.is_string() || !val.is_string()) {
        pairs = fail(Errc::Failed, "");
        break;
      }
      out[k.get<std::string>()] = val.get<std::string>();
    }
  if (!pairs) return fail(Errc::Failed, "OVSDB column '" + name + "' is not a string map: " + (*v)->dump());
  return out;
}

}  // namespace hostnet::ovsdb

#include "plugins/ovs/ovsdb/schema.h"

#include <charconv>

namespace hostnet::ovsdb {

using nlohmann::json;

Result<SchemaVersion> schema_version(const json& schema) {
  auto v = schema.is_object() ? schema.find("version") : schema.end();
  if (!schema.is_object() || v == schema.end() || !v->is_string())
    return fail(Errc::Failed, "OVSDB schema has no version");
  SchemaVersion out;
  out.text = v->get<std::string>();
  const char* p = out.text.data();
  const char* end = p + out.text.size();
  int* parts[] = {&out.major, &out.minor, &out.patch};
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    bool last = i == 2;
    if (ec != std::errc() || next == p || (last ? next != end : (next == end || *next != '.')))
      return fail(Errc::Failed, "OVSDB schema version '" + out.text + "' is not x.y.z");
    p = next + (last ? 0 : 1);
  }
  return out;
}

Result<SchemaVersion> check_open_vswitch_schema(const json& schema) {
  auto v = schema_version(schema);
  if (!v) return v;
  if (v->major != kOpenVswitchSchemaMajor)
    return fail(Errc::Unsupported, "Open_vSwitch schema version " + v->text + " is not supported (hostnet needs " +
                                       std::to_string(kOpenVswitchSchemaMajor) + ".x)");
  return v;
}

namespace {

Result<json> atom_default(const json& base) {
  // <base-type> is either the atomic type's name or an object with a "type" member.
  const json* t = &base;
  if (base.is_object()) {
    auto it = base.find("type");
    if (it == base.end()) return fail(Errc::Failed, "OVSDB base type without \"type\"");
    t = &*it;
  }
  if (!t->is_string()) return fail(Errc::Failed, "OVSDB base type is not a string");
  const auto& name = t->get_ref<const std::string&>();
  if (name == "integer") return json(0);
  if (name == "real") return json(0.0);
  if (name == "boolean") return json(false);
  if (name == "string") return json("");
  if (name == "uuid") return json::array({"uuid", "00000000-0000-0000-0000-000000000000"});
  return fail(Errc::Failed, "unknown OVSDB atomic type '" + name + "'");
}

Result<long long> bound(const json& type, const char* member, long long absent) {
  auto it = type.find(member);
  if (it == type.end()) return absent;
  if (it->is_string() && *it == "unlimited") return -1;
  if (it->is_number_integer()) return it->get<long long>();
  return fail(Errc::Failed, std::string("OVSDB type has a malformed \"") + member + "\"");
}

}  // namespace

Result<ColumnType> column_type(const json& type) {
  ColumnType out;
  if (type.is_string()) {  // a bare atomic type: exactly one value
    auto d = atom_default(type);
    if (!d) return tl::unexpected(d.error());
    out.default_value = std::move(*d);
    return out;
  }
  if (!type.is_object() || !type.contains("key")) return fail(Errc::Failed, "malformed OVSDB column type");
  auto min = bound(type, "min", 1);
  auto max = bound(type, "max", 1);
  if (!min) return tl::unexpected(min.error());
  if (!max) return tl::unexpected(max.error());
  auto key_default = atom_default(type["key"]);
  if (!key_default) return tl::unexpected(key_default.error());
  const bool is_map = type.contains("value");
  const bool composite = *max == -1 || *max > 1;
  if (composite)
    out.kind = is_map ? ColumnType::Kind::Map : ColumnType::Kind::Set;
  if (*min == 0) {
    out.default_value = json::array({is_map ? "map" : "set", json::array()});
  } else if (is_map) {
    auto value_default = type.contains("value") ? atom_default(type["value"]) : Result<json>(json());
    if (!value_default) return tl::unexpected(value_default.error());
    out.default_value = json::array({"map", json::array({json::array({*key_default, *value_default})})});
  } else {
    out.default_value = std::move(*key_default);
  }
  return out;
}

Result<SchemaColumns> schema_columns(const json& schema) {
  SchemaColumns out;
  auto tables = schema.is_object() ? schema.find("tables") : schema.end();
  if (!schema.is_object() || tables == schema.end() || !tables->is_object())
    return fail(Errc::Failed, "OVSDB schema has no tables");
  for (const auto& [table, def] : tables->items()) {
    auto cols = def.is_object() ? def.find("columns") : def.end();
    if (!def.is_object() || cols == def.end() || !cols->is_object())
      return fail(Errc::Failed, "OVSDB schema table '" + table + "' has no columns");
    for (const auto& [column, cdef] : cols->items()) {
      auto t = cdef.is_object() ? cdef.find("type") : cdef.end();
      if (!cdef.is_object() || t == cdef.end())
        return fail(Errc::Failed, "OVSDB schema column " + table + "." + column + " has no type");
      auto ct = column_type(*t);
      if (!ct) return fail_with_context(ct.error(), table + "." + column);
      out[table][column] = std::move(*ct);
    }
  }
  return out;
}

}  // namespace hostnet::ovsdb

#include "plugins/ovs/ovsdb/operations.h"

#include <utility>

namespace hostnet::ovsdb {

json uuid(const std::string& u) { return json::array({"uuid", u}); }
json named_uuid(const std::string& name) { return json::array({"named-uuid", name}); }
json set_of(std::vector<json> elements) { return json::array({"set", json(std::move(elements))}); }

json string_map(const std::map<std::string, std::string>& m) {
  json pairs = json::array();
  for (const auto& [k, v] : m) pairs.push_back(json::array({k, v}));
  return json::array({"map", std::move(pairs)});
}

json condition(const std::string& column, const std::string& function, json value) {
  return json::array({column, function, std::move(value)});
}
json uuid_is(const std::string& u) { return condition("_uuid", "==", uuid(u)); }
json column_is(const std::string& column, json value) { return condition(column, "==", std::move(value)); }

json mutation(const std::string& column, const std::string& mutator, json value) {
  return json::array({column, mutator, std::move(value)});
}
json set_insert(const std::string& column, std::vector<json> elements) {
  return mutation(column, "insert", set_of(std::move(elements)));
}
json set_delete(const std::string& column, std::vector<json> elements) {
  return mutation(column, "delete", set_of(std::move(elements)));
}
json map_insert(const std::string& column, const std::map<std::string, std::string>& pairs) {
  return mutation(column, "insert", string_map(pairs));
}
json map_delete_keys(const std::string& column, const std::vector<std::string>& keys) {
  std::vector<json> k(keys.begin(), keys.end());
  return mutation(column, "delete", set_of(std::move(k)));
}

namespace op {

json insert(const std::string& table, json row, const std::string& uuid_name) {
  json o = {{"op", "insert"}, {"table", table}, {"row", std::move(row)}};
  if (!uuid_name.empty()) o["uuid-name"] = uuid_name;
  return o;
}

json select(const std::string& table, Conditions where, const std::vector<std::string>& columns) {
  json o = {{"op", "select"}, {"table", table}, {"where", json(std::move(where))}};
  if (!columns.empty()) o["columns"] = columns;
  return o;
}

json update(const std::string& table, Conditions where, json row) {
  return {{"op", "update"}, {"table", table}, {"where", json(std::move(where))}, {"row", std::move(row)}};
}

json mutate(const std::string& table, Conditions where, std::vector<json> mutations) {
  return {{"op", "mutate"}, {"table", table}, {"where", json(std::move(where))}, {"mutations", json(std::move(mutations))}};
}

json delete_rows(const std::string& table, Conditions where) {
  return {{"op", "delete"}, {"table", table}, {"where", json(std::move(where))}};
}

json wait(const std::string& table, Conditions where, const std::vector<std::string>& columns, const std::string& until,
          std::vector<json> rows, std::optional<std::chrono::milliseconds> timeout) {
  json o = {{"op", "wait"},        {"table", table},  {"where", json(std::move(where))},
            {"columns", columns}, {"until", until}, {"rows", json(std::move(rows))}};
  if (timeout) o["timeout"] = timeout->count();
  return o;
}

json comment(const std::string& text) { return {{"op", "comment"}, {"comment", text}}; }

}  // namespace op

}  // namespace hostnet::ovsdb

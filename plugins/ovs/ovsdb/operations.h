// Builders for the JSON of OVSDB transact operations (RFC 7047 section 5.2), values and
// conditions. They only build JSON: nothing here checks a table or column name against a schema;
// the server does that and its error comes back from transact().
//
// Grow sets with mutate "insert" rather than writing the whole set with update: a Bridge with
// 1000 ports would otherwise resend (and the server recheck) 1000 references per added port.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hostnet::ovsdb {

using nlohmann::json;
using Conditions = std::vector<json>;  // a "where": conditions that must all hold

// Values in wire form.
json uuid(const std::string& u);               // ["uuid",U]
json named_uuid(const std::string& name);      // ["named-uuid",N]: a row inserted by the same transaction
json set_of(std::vector<json> elements);       // ["set",[...]]
json string_map(const std::map<std::string, std::string>& m);  // ["map",[[k,v],...]]

// Conditions.
json condition(const std::string& column, const std::string& function, json value);  // [c,f,v]
json uuid_is(const std::string& u);  // ["_uuid","==",["uuid",U]]
json column_is(const std::string& column, json value);  // [c,"==",v]

// Mutations (for op::mutate).
json mutation(const std::string& column, const std::string& mutator, json value);  // [c,m,v]
json set_insert(const std::string& column, std::vector<json> elements);  // [c,"insert",["set",[...]]]
json set_delete(const std::string& column, std::vector<json> elements);  // [c,"delete",["set",[...]]]
// Adds pairs whose keys are not there yet: OVSDB's map "insert" leaves existing keys as they are.
json map_insert(const std::string& column, const std::map<std::string, std::string>& pairs);
json map_delete_keys(const std::string& column, const std::vector<std::string>& keys);  // [c,"delete",["set",[k...]]]

namespace op {

// uuid_name lets later operations of the transaction refer to the new row as ["named-uuid",N].
json insert(const std::string& table, json row, const std::string& uuid_name = {});
json select(const std::string& table, Conditions where, const std::vector<std::string>& columns = {});
json update(const std::string& table, Conditions where, json row);
json mutate(const std::string& table, Conditions where, std::vector<json> mutations);
json delete_rows(const std::string& table, Conditions where);
// Blocks the transaction (up to timeout, or forever without one) until the rows matching `where`,
// projected to `columns`, are (until "==") or are not (until "!=") exactly `rows`; after the
// timeout the transaction fails with "timed out".
json wait(const std::string& table, Conditions where, const std::vector<std::string>& columns, const std::string& until,
          std::vector<json> rows, std::optional<std::chrono::milliseconds> timeout = std::nullopt);
// Logged by ovsdb-server with the transaction (ovsdb-tool show-log): who changed what.
json comment(const std::string& text);

}  // namespace op

}  // namespace hostnet::ovsdb

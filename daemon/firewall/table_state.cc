#include "daemon/firewall/table_state.h"

#include <vector>

#include "daemon/firewall/ruleset.h"

namespace hostnet::firewall {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view word(std::string_view& s) {
  s = trim(s);
  auto end = s.find_first_of(" \t");
  auto w = s.substr(0, end);
  s.remove_prefix(end == std::string_view::npos ? s.size() : end);
  return w;
}

// An element's text inside a set's body, as a whole item (not the tail of a longer one).
bool has_item(const std::string& body, std::string_view item) {
  for (auto at = body.find(item); at != std::string::npos; at = body.find(item, at + 1)) {
    char before = at == 0 ? ' ' : body[at - 1];
    char after = at + item.size() < body.size() ? body[at + item.size()] : ' ';
    bool starts = before == ' ' || before == '\t' || before == '{' || before == '\n';
    bool ends = after == ',' || after == ' ' || after == '}' || after == '\n';
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

TableListing::TableListing(std::string_view listing) {
  std::string* current = nullptr;
  for (auto line : lines_of(listing)) {
    auto t = trim(line);
    if (t.rfind("table inet ", 0) == 0) {
      table_ = true;
      continue;
    }
    // Objects open at one tab and close at one tab; their bodies are indented deeper.
    if (line.size() > 1 && line[0] == '\t' && line[1] != '\t') {
      if (t == "}") {
        current = nullptr;
        continue;
      }
      std::string_view rest = t;
      auto kind = word(rest);
      auto name = word(rest);
      if (kind == "chain" || kind == "map" || kind == "set") current = &blocks_[std::string(kind) + " " + std::string(name)];
      continue;
    }
    if (current) *current += std::string(t) + "\n";
  }
}

bool TableListing::holds(std::string_view commands) const {
  if (!table_) return false;
  const std::string prefix = std::string(" inet ") + kTable + " ";
  std::map<std::string, std::size_t> rules;  // chain -> rules the commands leave in it
  std::map<std::string, std::string> comments;
  for (auto line : lines_of(commands)) {
    std::string_view rest = line;
    auto verb = word(rest);
    auto kind = word(rest);
    if (verb == "flush") continue;
    if (verb != "add") return false;  // not a state-building command: nothing to compare
    if (kind == "table") continue;
    word(rest);  // family
    word(rest);  // table
    auto name = std::string(word(rest));
    if (kind == "chain" || kind == "map" || kind == "set") {
      if (!blocks_.count(std::string(kind) + " " + name)) return false;
      if (kind == "chain") {
        rules.emplace(name, 0);
        if (auto c = rest.find("comment \""); c != std::string_view::npos) {
          auto text = rest.substr(c + 9);
          comments[name] = std::string(text.substr(0, text.find('"')));
        }
      }
    } else if (kind == "rule") {
      ++rules[name];
    } else if (kind == "element") {
      auto open = rest.find('{'), close = rest.rfind('}');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
      auto item = trim(rest.substr(open + 1, close - open - 1));
      auto map = blocks_.find("map " + name);
      if (map == blocks_.end()) map = blocks_.find("set " + name);
      if (map == blocks_.end() || !has_item(map->second, item)) return false;
    } else {
      return false;
    }
  }
  for (const auto& [chain, count] : rules) {
    auto it = blocks_.find("chain " + chain);
    if (it == blocks_.end()) return false;
    std::size_t have = 0;
    std::string comment;
    for (auto line : lines_of(it->second)) {
      if (line.empty() || line.rfind("type ", 0) == 0) continue;
      if (line.rfind("comment \"", 0) == 0) {
        comment = std::string(line.substr(9, line.size() - 10));
        continue;
      }
      ++have;
    }
    if (have != count) return false;
    if (auto c = comments.find(chain); c != comments.end() && c->second != comment) return false;
  }
  return true;
}

std::vector<std::string> TableListing::items(const std::string& kind_and_name) const {
  std::vector<std::string> out;
  auto it = blocks_.find(kind_and_name);
  if (it == blocks_.end()) return out;
  const std::string& body = it->second;
  auto open = body.find("elements = {");
  if (open == std::string::npos) return out;
  auto close = body.find('}', open);
  std::string_view list(body);
  list = list.substr(open + 12, close == std::string::npos ? std::string_view::npos : close - open - 12);
  // Items are comma-separated; none of hostnet's keys or values holds a comma.
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    std::string clean;
    for (char c : item) clean += c == '\n' || c == '\t' ? ' ' : c;
    if (auto t = trim(clean); !t.empty()) out.emplace_back(t);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<std::string> TableListing::chains() const {
  std::vector<std::string> out;
  for (const auto& [key, body] : blocks_)
    if (key.rfind("chain ", 0) == 0) out.push_back(key.substr(6));
  return out;
}

}  // namespace hostnet::firewall

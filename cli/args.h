// A verb's arguments: positionals and --flags (boolean or with a value), checked against what
// the verb accepts so a typo is an error, not a silently ignored flag.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hostnet::cli {

struct Args {
  std::vector<std::string> positional;
  std::set<std::string> flags;                  // --all
  std::map<std::string, std::string> options;   // --mac VALUE

  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::optional<std::string> option(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
};

struct ArgSpec {
  std::set<std::string> flags;
  std::set<std::string> options;
  size_t min_positional = 0;
  size_t max_positional = 0;
};

// Throws UsageError on an unknown flag, a missing value or a wrong number of positionals.
struct UsageError {
  std::string message;
};
Args parse_args(const std::vector<std::string>& argv, const ArgSpec& spec);

}  // namespace hostnet::cli

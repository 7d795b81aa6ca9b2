#include "daemon/firewall/docker_user.h"

#include "common/log.h"
#include "common/run_command.h"

#include <sstream>

namespace hostnet {

namespace {

constexpr const char* kChain = "DOCKER-USER";

// The rules one bridge gets: everything into and out of it is left to hostnet's own table.
std::vector<std::vector<std::string>> rules_for(const xml::NetworkDef& def) {
  const std::string comment = "hostnet network " + def.name;
  return {{"-i", def.bridge.name, "-m", "comment", "--comment", comment, "-j", "ACCEPT"},
          {"-o", def.bridge.name, "-m", "comment", "--comment", comment, "-j", "ACCEPT"}};
}

std::vector<std::string> command(const std::string& iptables, const char* op, const std::vector<std::string>& rule) {
  std::vector<std::string> argv{iptables, "-w", op, kChain};
  argv.insert(argv.end(), rule.begin(), rule.end());
  return argv;
}

// `iptables -S` prints a rule as the words that made it, a comment with spaces in quotes.
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

}  // namespace

// Whether Docker's chain is there: no iptables, no table or no chain all mean no Docker to make
// room with. iptables-nft reads the whole ruleset to answer (hostnet's table with every network
// in it), so the answer is kept until the next repair pass asks again; Docker starting writes
// its rules, a foreign nftables change, which sets off that repair.
bool DockerUserFilter::has_chain(const std::string& iptables) {
  if (auto it = known_chains_.find(iptables); it != known_chains_.end()) return it->second;
  bool has = bool(run_command({iptables, "-w", "-S", kChain}));
  known_chains_[iptables] = has;
  return has;
}

void DockerUserFilter::begin_pass() {
  known_chains_.clear();
  inner_.begin_pass();
}


Result<void> DockerUserFilter::add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous) {
  if (auto r = inner_.add_network(def, previous); !r) return r;
  if (previous && (previous->bridge.name != def.bridge.name || previous->name != def.name)) withdraw(*previous);
  admit(def);
  return {};
}

Result<void> DockerUserFilter::remove_network(const xml::NetworkDef& def) {
  withdraw(def);
  return inner_.remove_network(def);
}

void DockerUserFilter::admit(const xml::NetworkDef& def) {
  if (def.bridge.name.empty()) return;
  for (const auto& iptables : iptables_) {
    if (!has_chain(iptables)) continue;
    for (const auto& rule : rules_for(def)) {
      if (run_command(command(iptables, "-C", rule))) continue;  // there already: nothing changes
      // Docker's own rules in the chain (its final RETURN) come after hostnet's.
      if (auto r = run_command(command(iptables, "-I", rule)); !r)
        log::warning("network " + def.name + ": cannot let its bridge through Docker's " + kChain + " chain (" +
                     iptables + "): " + r.error().message);
      else
        log::info("network " + def.name + ": bridge " + def.bridge.name + " let through Docker's " + kChain +
                  " chain (" + iptables + ")");
    }
  }
}

void DockerUserFilter::withdraw(const xml::NetworkDef& def) {
  if (def.bridge.name.empty()) return;
  for (const auto& iptables : iptables_) {
    if (!has_chain(iptables)) continue;
    for (const auto& rule : rules_for(def))
      while (run_command(command(iptables, "-C", rule))) {
        if (!run_command(command(iptables, "-D", rule))) break;
      }
  }
}

void DockerUserFilter::prune(const std::vector<const xml::NetworkDef*>& active) {
  inner_.prune(active);
  std::set<std::string> names;
  for (const auto* def : active) names.insert(def->name);
  const std::string tag = "hostnet network ";
  for (const auto& iptables : iptables_) {
    if (!has_chain(iptables)) continue;
    auto listing = run_command_output({iptables, "-w", "-S", kChain});
    if (!listing) continue;
    std::istringstream lines(*listing);
    for (std::string line; std::getline(lines, line);) {
      auto words = words_of(line);
      // "-A DOCKER-USER <rule>": the rule is the words after the chain.
      if (words.size() < 3 || words[0] != "-A" || words[1] != kChain) continue;
      std::string network;
      for (std::size_t i = 0; i + 1 < words.size(); ++i)
        if (words[i] == "--comment" && words[i + 1].rfind(tag, 0) == 0) network = words[i + 1].substr(tag.size());
      if (network.empty() || names.count(network)) continue;
      std::vector<std::string> rule(words.begin() + 2, words.end());
      if (auto r = run_command(command(iptables, "-D", rule)); !r)
        log::warning("cannot remove the " + std::string(kChain) + " rule of network " + network + ", not active: " + r.error().message);
      else
        log::info("removed the " + std::string(kChain) + " rule of network " + network + " (" + iptables + "): not active");
    }
  }
}

}  // namespace hostnet

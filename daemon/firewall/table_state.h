// What the kernel holds of hostnet's table, read from one `list table` (nft's text listing), and
// whether it already holds what a network's commands would make: a restart or a repair then
// leaves a network's rules alone instead of rewriting them (no nftables transaction, no moved
// generation for other daemons to react to). The check is of structure — every chain there with
// as many rules as the commands add, the "-to" chain's fingerprint comment, every map and set
// element present — not of each rule's text, which nft prints in its own canonical form.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hostnet::firewall {

class TableListing {
 public:
  // `listing`: what `list table inet hostnet` prints; empty when there is no table.
  explicit TableListing(std::string_view listing);
  // True when every object, rule count and element `commands` (add table/map/set/chain/rule/
  // element lines, as ruleset.h builds them) would leave is there already.
  bool holds(std::string_view commands) const;
  // The elements of one map or set ("map to_bridge"), each as nft prints it
  // ("\"virbr0\" : jump br-virbr0-to"); none when it is missing or empty.
  std::vector<std::string> items(const std::string& kind_and_name) const;
  // Every chain's name.
  std::vector<std::string> chains() const;
  bool has_table() const { return table_; }

 private:
  // "chain NAME", "map NAME", "set NAME" -> the lines of its body.
  std::map<std::string, std::string> blocks_;
  bool table_ = false;
};

}  // namespace hostnet::firewall

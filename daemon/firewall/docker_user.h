// Hosts that run Docker: dockerd sets iptables' FORWARD policy to DROP (docker/for-linux#949), so
// a VM's forwarded packets die in the `ip filter` table whatever hostnet's own table allows — and
// with br_netfilter loaded (Docker loads it) even frames between two ports of one bridge. Docker
// documents one way for others to let traffic through: rules in its DOCKER-USER chain, which it
// runs first and never rewrites. This filter wraps the real one and, for each network's bridge,
// keeps two ACCEPT rules there (in and out of the bridge, tagged "hostnet network NAME") while the
// network's rules are in place; hostnet's own `inet hostnet` table still decides what passes.
// Nothing is done on hosts without a DOCKER-USER chain; a repair re-adds rules someone removed,
// and adds them when Docker started after the network.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/firewall/packet_filter.h"

namespace hostnet {

class DockerUserFilter final : public PacketFilterDecorator {
 public:
  // `iptables`: the programs whose DOCKER-USER chains to keep (iptables, and ip6tables for
  // Docker's IPv6 mode), run as Docker's documentation shows them.
  explicit DockerUserFilter(PacketFilter& inner, std::vector<std::string> iptables = {"iptables", "ip6tables"})
      : PacketFilterDecorator(inner), iptables_(std::move(iptables)) {}

  Result<void> add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous = nullptr) override;
  Result<void> remove_network(const xml::NetworkDef& def) override;
  void begin_pass() override;
  void prune(const std::vector<const xml::NetworkDef*>& active) override;

 private:
  void admit(const xml::NetworkDef& def);
  // Whether this iptables has Docker's chain; asked again at each repair pass only.
  bool has_chain(const std::string& iptables);
  void withdraw(const xml::NetworkDef& def);

  std::vector<std::string> iptables_;
  std::map<std::string, bool> known_chains_;
};

}  // namespace hostnet

#include "daemon/firewall/ruleset.h"

#include <sys/socket.h>

#include <cctype>
#include <cstdio>
#include <set>
#include <vector>

#include "common/hash.h"
#include "daemon/firewall/table_state.h"

namespace hostnet::firewall {

namespace {

using xml::ForwardMode;
using xml::NetworkDef;

struct Subnet {
  bool v6;
  std::string text;  // "192.168.122.0/24"
};

std::vector<Subnet> subnets(const NetworkDef& def) {
  std::vector<Subnet> out;
  for (const auto& ip : def.ips) {
    xml::IpAddress net = ip.address;
    unsigned prefix = ip.prefix_length();
    size_t len = ip.is_ipv6() ? 16 : 4;
    for (size_t i = 0; i < len; ++i) {
      unsigned bits = prefix > i * 8 ? std::min(8u, prefix - static_cast<unsigned>(i * 8)) : 0;
      net.bytes[i] &= static_cast<std::uint8_t>(bits == 0 ? 0 : 0xff << (8 - bits));
    }
    out.push_back({ip.is_ipv6(), net.str() + "/" + std::to_string(prefix)});
  }
  return out;
}

std::string q(const std::string& s) { return "\"" + s + "\""; }

// nft takes chain names as bare identifiers (letters, digits, '_', '.', '-'), so a bridge name
// with anything else is hex-escaped; the "br-" prefix keeps them from starting with a digit.
std::string chain_base(const std::string& bridge) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "br-";
  for (unsigned char c : bridge) {
    if (std::isalnum(c) || c == '.' || c == '-') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '_';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

struct Names {
  std::string to, from, nat, bridge;
  explicit Names(const NetworkDef& def)
      : to(chain_base(def.bridge.name) + "-to"),
        from(chain_base(def.bridge.name) + "-from"),
        nat(chain_base(def.bridge.name) + "-nat"),
        bridge(q(def.bridge.name)) {}
};

class Batch {
 public:
  void cmd(const std::string& line) { text_ += line + "\n"; }
  void rule(const std::string& chain, const std::string& body) {
    cmd("add rule inet " + std::string(kTable) + " " + chain + " " + body);
  }
  void chain(const std::string& name, const std::string& comment = {}) {
    cmd("add chain inet " + std::string(kTable) + " " + name + (comment.empty() ? "" : " { comment " + q(comment) + "; }"));
  }
  void flush(const std::string& name) { cmd("flush chain inet " + std::string(kTable) + " " + name); }
  void del_chain(const std::string& name) { cmd("delete chain inet " + std::string(kTable) + " " + name); }
  void element(const char* verb, const char* set, const std::string& elem) {
    cmd(std::string(verb) + " element inet " + kTable + " " + set + " { " + elem + " }");
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

bool nat_ipv6(const NetworkDef& def) {
  return def.forward.mode == ForwardMode::Nat && def.forward.nat && def.forward.nat->ipv6.value_or(false);
}

// Everything a network may have, as "add" commands that are no-ops when present: the first half
// of both replacing and removing, so either works whatever state the table is in.
// One map element per forwarded host port: adding the 1000th forward is one element, not a
// rewritten chain.
std::set<std::pair<std::string, std::string>> forward_keys(const std::vector<xml::PortForward>& forwards,
                                                          bool with_data) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& f : forwards) {
    for (unsigned port = f.port_start; port <= f.port_end; ++port) {
      std::string key = f.proto + " . " + std::to_string(port);
      if (!f.host_address.empty()) key = f.host_address + " . " + key;
      if (with_data) key += " : " + f.target + " . " + std::to_string(f.target_port_for(port));
      out.emplace(f.host_address.empty() ? "forward_any" : "forward_addr", key);
    }
  }
  return out;
}

void declare_network(Batch& b, const NetworkDef& def, const Names& n, const std::string& fingerprint = {}) {
  b.chain(n.to, fingerprint);
  b.chain(n.from);
  b.chain(n.nat);
  b.element("add", "to_bridge", n.bridge + " : jump " + n.to);
  b.element("add", "from_bridge", n.bridge + " : jump " + n.from);
  b.element("add", "nat_from_bridge", n.bridge + " : jump " + n.nat);
  b.element("add", "service_bridges", n.bridge);
  for (const auto& [map, elem] : forward_keys(def.port_forwards, true)) b.element("add", map.c_str(), elem);
}

void undeclare_network(Batch& b, const NetworkDef& def, const Names& n) {
  b.element("delete", "to_bridge", n.bridge);
  b.element("delete", "from_bridge", n.bridge);
  b.element("delete", "nat_from_bridge", n.bridge);
  b.element("delete", "service_bridges", n.bridge);
  for (const auto& [map, key] : forward_keys(def.port_forwards, false)) b.element("delete", map.c_str(), key);
  for (const auto* c : {&n.to, &n.from, &n.nat}) {
    b.flush(*c);
    b.del_chain(*c);
  }
}

void nat_rules(Batch& b, const NetworkDef& def, const Names& n) {
  const auto& f = def.forward;
  std::string out_dev = f.dev.empty() ? "" : "oifname != " + q(f.dev) + " return";
  // libvirt's exceptions: multicast and broadcast leave unmasqueraded, and so does traffic that
  // stays inside the network.
  if (!out_dev.empty()) b.rule(n.nat, out_dev);
  // Hairpin: a VM reaching another VM of the same network through a forwarded host port gets
  // the reply back through the host, not straight from the other VM.
  for (const auto& s : subnets(def))
    if (!s.v6) b.rule(n.nat, "ct status dnat ip saddr " + s.text + " ip daddr " + s.text + " masquerade");
  b.rule(n.nat, "ip daddr 224.0.0.0/24 return");
  b.rule(n.nat, "ip daddr 255.255.255.255 return");
  for (const auto& s : subnets(def))
    b.rule(n.nat, std::string(s.v6 ? "ip6" : "ip") + " daddr " + s.text + " return");
  std::string ports;
  if (f.nat && f.nat->port && f.nat->port->start) {
    ports = ":" + std::to_string(f.nat->port->start);
    if (f.nat->port->end) ports += "-" + std::to_string(f.nat->port->end);
  }
  for (const auto& s : subnets(def)) {
    if (s.v6) continue;
    std::string from = "ip saddr " + s.text + " ";
    if (f.nat && f.nat->address) {
      std::string range = f.nat->address->start + (f.nat->address->end.empty() ? "" : "-" + f.nat->address->end);
      if (!ports.empty()) b.rule(n.nat, from + "meta l4proto { tcp, udp } snat ip to " + range + ports);
      b.rule(n.nat, from + "snat ip to " + range);
    } else {
      if (!ports.empty()) b.rule(n.nat, from + "meta l4proto { tcp, udp } masquerade to " + ports);
      b.rule(n.nat, from + "masquerade");
    }
  }
  if (nat_ipv6(def)) {
    b.rule(n.nat, "ip6 daddr ff00::/8 return");
    for (const auto& s : subnets(def))
      if (s.v6) b.rule(n.nat, "ip6 saddr " + s.text + " masquerade");
  }
}

void filter_rules(Batch& b, const NetworkDef& def, const Names& n) {
  const auto mode = def.forward.mode;
  // Frames between two ports of the bridge pass the forward hook too (br_netfilter).
  b.rule(n.to, "iifname " + n.bridge + " return");
  b.rule(n.from, "oifname " + n.bridge + " return");
  std::string out_dev = def.forward.dev.empty() ? "" : " oifname " + q(def.forward.dev);
  std::string in_dev = def.forward.dev.empty() ? "" : " iifname " + q(def.forward.dev);
  if (mode == ForwardMode::Nat || mode == ForwardMode::Route) {
    for (const auto& s : subnets(def)) {
      const char* fam = s.v6 ? "ip6" : "ip";
      // A nat network takes in only replies; its IPv6 subnet is routed unless <nat ipv6='yes'>,
      // as in libvirt.
      bool natted = mode == ForwardMode::Nat && (!s.v6 || nat_ipv6(def));
      b.rule(n.to, std::string(fam) + " daddr " + s.text + in_dev +
                       (natted ? " ct state established,related return" : " return"));
      b.rule(n.from, std::string(fam) + " saddr " + s.text + out_dev + " return");
    }
  }
  // Connections the host's port forwards send in.
  if (mode == ForwardMode::Nat) b.rule(n.to, "ct status dnat return");
  b.rule(n.to, "reject");
  b.rule(n.from, "reject");
}

}  // namespace

std::string base_batch() {
  Batch b;
  const std::string t = std::string("inet ") + kTable;
  b.cmd("add table " + t);
  b.cmd("add map " + t + " to_bridge { type ifname : verdict; }");
  b.cmd("add map " + t + " from_bridge { type ifname : verdict; }");
  b.cmd("add map " + t + " nat_from_bridge { type ifname : verdict; }");
  b.cmd("add set " + t + " service_bridges { type ifname; }");
  b.cmd("add map " + t + " forward_any { type inet_proto . inet_service : ipv4_addr . inet_service; }");
  b.cmd("add map " + t + " forward_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }");
  b.cmd("add chain " + t + " prerouting { type nat hook prerouting priority dstnat; policy accept; }");
  b.cmd("add chain " + t + " output { type nat hook output priority -100; policy accept; }");
  b.cmd("add chain " + t + " forward { type filter hook forward priority filter; policy accept; }");
  b.cmd("add chain " + t + " input { type filter hook input priority filter; policy accept; }");
  b.cmd("add chain " + t + " postrouting { type nat hook postrouting priority srcnat; policy accept; }");
  // The base chains' rules are rewritten whole each time: `add rule` is not idempotent.
  b.flush("forward");
  b.flush("input");
  b.flush("postrouting");
  b.flush("prerouting");
  b.flush("output");
  b.rule("forward", "oifname vmap @to_bridge");
  b.rule("forward", "iifname vmap @from_bridge");
  b.rule("input", "iifname @service_bridges udp dport { 53, 67, 547 } accept");
  b.rule("input", "iifname @service_bridges tcp dport 53 accept");
  b.rule("postrouting", "iifname vmap @nat_from_bridge");
  // Port forwards, from outside, from VMs (hairpin) and from the host itself; a forward bound to
  // one host address wins over one for every address.
  for (const char* chain : {"prerouting", "output"}) {
    b.rule(chain, "fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @forward_addr");
    b.rule(chain, "fib daddr type local dnat ip to meta l4proto . th dport map @forward_any");
  }
  return b.take();
}

namespace {

std::string network_commands(const NetworkDef& def, const Names& n, const std::string& fingerprint) {
  Batch b;
  declare_network(b, def, n, fingerprint);
  filter_rules(b, def, n);
  if (def.forward.mode == ForwardMode::Nat) nat_rules(b, def, n);
  return b.take();
}

}  // namespace

std::string network_fingerprint(const NetworkDef& def) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", fnv1a(network_commands(def, Names(def), {})));
  return std::string("hostnet ") + hex;
}

std::string network_state(const NetworkDef& def) {
  // An open network gets no rules at all; that is what open means.
  if (def.forward.mode == ForwardMode::Open) return {};
  return network_commands(def, Names(def), network_fingerprint(def));
}

std::string network_chain(const NetworkDef& def) { return Names(def).to; }

std::string add_network_batch(const NetworkDef& def, const NetworkDef* previous) {
  Names n(def);
  Batch b;
  // Clear everything the network had before (its previous forwards too), then build it anew.
  NetworkDef clear = def;
  if (previous)
    for (const auto& f : previous->port_forwards) clear.port_forwards.push_back(f);
  declare_network(b, clear, n);
  undeclare_network(b, clear, n);
  return base_batch() + b.take() + network_state(def);
}

std::string port_forward_change_batch(const std::vector<xml::PortForward>& added,
                                      const std::vector<xml::PortForward>& removed) {
  Batch b;
  for (const auto& [map, key] : forward_keys(removed, false)) b.element("delete", map.c_str(), key);
  for (const auto& [map, elem] : forward_keys(added, true)) b.element("add", map.c_str(), elem);
  return b.take();
}

std::string remove_network_batch(const NetworkDef& def) {
  Names n(def);
  Batch b;
  declare_network(b, def, n);
  undeclare_network(b, def, n);
  return base_batch() + b.take();
}

std::string remove_all_batch() {
  // "add" first, so deleting a table that is not there is not an error.
  return std::string("add table inet ") + kTable + "\ndelete table inet " + kTable + "\n";
}

Orphans orphans_batch(const TableListing& table, const std::vector<const NetworkDef*>& active) {
  std::set<std::string> keep_bridges, keep_chains;
  std::set<std::pair<std::string, std::string>> keep_forwards;
  for (const auto* def : active) {
    Names n(*def);
    keep_bridges.insert(n.bridge);
    keep_chains.insert({n.to, n.from, n.nat});
    keep_forwards.merge(forward_keys(def->port_forwards, false));
  }
  auto key_of = [](const std::string& item) { return item.substr(0, item.find(" : ")); };
  Batch b;
  std::set<std::string> gone;
  // Elements first: a chain a verdict map still jumps to cannot be deleted.
  for (const char* map : {"to_bridge", "from_bridge", "nat_from_bridge"})
    for (const auto& item : table.items(std::string("map ") + map))
      if (auto key = key_of(item); !keep_bridges.count(key)) {
        b.element("delete", map, key);
        gone.insert(key);
      }
  for (const auto& item : table.items("set service_bridges"))
    if (!keep_bridges.count(item)) {
      b.element("delete", "service_bridges", item);
      gone.insert(item);
    }
  for (const char* map : {"forward_any", "forward_addr"})
    for (const auto& item : table.items(std::string("map ") + map))
      if (auto key = key_of(item); !keep_forwards.count({map, key})) b.element("delete", map, key);
  for (const auto& chain : table.chains()) {
    if (chain.rfind("br-", 0) != 0 || keep_chains.count(chain)) continue;
    b.flush(chain);
    b.del_chain(chain);
  }
  Orphans out{b.take(), {}};
  for (const auto& g : gone) out.bridges.push_back(g.size() >= 2 ? g.substr(1, g.size() - 2) : g);
  return out;
}

bool needs_ipv4_forwarding(const NetworkDef& def) {
  auto m = def.forward.mode;
  if (m != ForwardMode::Nat && m != ForwardMode::Route && m != ForwardMode::Open) return false;
  for (const auto& ip : def.ips)
    if (!ip.is_ipv6()) return true;
  return false;
}

bool needs_ipv6_forwarding(const NetworkDef& def) {
  auto m = def.forward.mode;
  if (m != ForwardMode::Nat && m != ForwardMode::Route && m != ForwardMode::Open) return false;
  for (const auto& ip : def.ips)
    if (ip.is_ipv6()) return true;
  return false;
}

}  // namespace hostnet::firewall

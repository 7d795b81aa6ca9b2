// nftables batches for hostnet's own table, built as text from network definitions. Pure
// functions: what goes to the kernel is exactly what these return, and unit tests compare them
// with golden files.
//
// Layout (one table, `inet hostnet`; nothing else is ever touched):
//   map to_bridge   ifname : verdict    oifname -> the network's "<bridge>-to" chain
//   map from_bridge ifname : verdict    iifname -> "<bridge>-from"
//   map nat_from_bridge ifname : verdict iifname -> "<bridge>-nat" (masquerade/SNAT by subnet)
//   chain forward      (filter, forward hook)   oifname vmap @to_bridge; iifname vmap @from_bridge
//   chain input        (filter, input hook)     DHCP and DNS from a network's bridge
//   chain postrouting  (nat, srcnat)            iifname vmap @nat_from_bridge
// (Maps keyed by interface, not by subnet: an interval verdict map is refused by the kernels
// these machines run, "Could not process rule: No such file or directory".)
// A network adds its chains and map elements; the base chains never change. The per-network
// chains only reject or return, so traffic between two networks must pass both networks' checks,
// and traffic hostnet does not know about is left to the host's own rules.
#pragma once

#include <string>
#include <vector>

#include "xml/network_def.h"

namespace hostnet::firewall {

class TableListing;

inline constexpr const char* kTable = "hostnet";

// Creates the table, maps and base chains if missing (idempotent).
std::string base_batch();
// Base + the network's chains and map elements, replacing what it had (and what `previous`, the
// definition it replaces, had: forwards removed since).
std::string add_network_batch(const xml::NetworkDef& def, const xml::NetworkDef* previous = nullptr);
// Only the map elements of forwards added to or removed from an active network: the cost of a
// forward does not grow with the number of forwards already there.
std::string port_forward_change_batch(const std::vector<xml::PortForward>& added,
                                      const std::vector<xml::PortForward>& removed);
// What the table holds for def once add_network_batch is applied (its chains, rules and
// elements, as the commands that made them): what a check of the kernel's state compares with.
// Its "-to" chain (network_chain) carries network_fingerprint(def) as its comment, so rules made
// from another definition are told apart even when they are as many.
std::string network_state(const xml::NetworkDef& def);
std::string network_fingerprint(const xml::NetworkDef& def);
std::string network_chain(const xml::NetworkDef& def);
// Removes the network's chains and elements; succeeds whether or not they exist.
std::string remove_network_batch(const xml::NetworkDef& def);
// Deletes the whole table.
std::string remove_all_batch();
// Removes from `table` every network chain, bridge element and port forward that none of the
// `active` networks would make: what a hostnetd killed between making a network's rules and
// recording it (or between forgetting it and removing them) left behind.
struct Orphans {
  std::string batch;                 // empty when there is nothing to remove
  std::vector<std::string> bridges;  // the bridges whose rules it removes, for the log
};
Orphans orphans_batch(const TableListing& table, const std::vector<const xml::NetworkDef*>& active);

// Does def's forward mode route or NAT traffic (so the host must forward IPv4 / IPv6)?
bool needs_ipv4_forwarding(const xml::NetworkDef& def);
bool needs_ipv6_forwarding(const xml::NetworkDef& def);

}  // namespace hostnet::firewall

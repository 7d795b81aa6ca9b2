// The firewall as the Manager sees it: make a network's forwarding and NAT rules exist, or go.
// nftables is the real implementation (nft_firewall.h); unit tests of the core use a fake.
#pragma once

#include "common/result.h"
#include <vector>

#include "xml/network_def.h"

namespace hostnet {

class PacketFilter {
 public:
  virtual ~PacketFilter() = default;
  // Installs the rules def's forward mode needs, replacing any this network had (including those
  // of `previous`, the definition def replaces). Idempotent; a failure changes nothing (one
  // transaction).
  virtual Result<void> add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous = nullptr) = 0;
  // Adds and removes port forwards of an active network whose rules are in place, one
  // transaction, touching nothing else.
  virtual Result<void> change_port_forwards(const std::vector<xml::PortForward>& added,
                                            const std::vector<xml::PortForward>& removed) = 0;
  // Removes them, tolerating parts already gone.
  virtual Result<void> remove_network(const xml::NetworkDef& def) = 0;
  // Makes the host forward IPv4 / IPv6 (a routed or NATed network needs it).
  virtual Result<void> enable_forwarding(bool ipv4, bool ipv6) = 0;
  // A pass over every network (the reconcile at startup, a repair): in between, add_network
  // without `previous` leaves a network whose rules are all in place untouched, trusting one
  // reading of the kernel's state for the whole pass — a restart rewrites nothing.
  virtual void begin_pass() {}
  virtual void end_pass() {}
  // Removes whatever it holds for networks not in `active`: the rules of a network whose start
  // or stop a killed hostnetd did not finish, found at the next startup. Failures are logged.
  virtual void prune(const std::vector<const xml::NetworkDef*>& active) { (void)active; }
};

// A filter that adds to another (making room in Docker's or firewalld's rules for the bridges
// the inner one lets through): everything it does not override goes to the inner filter.
class PacketFilterDecorator : public PacketFilter {
 public:
  explicit PacketFilterDecorator(PacketFilter& inner) : inner_(inner) {}
  Result<void> add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous = nullptr) override {
    return inner_.add_network(def, previous);
  }
  Result<void> change_port_forwards(const std::vector<xml::PortForward>& added,
                                    const std::vector<xml::PortForward>& removed) override {
    return inner_.change_port_forwards(added, removed);
  }
  Result<void> remove_network(const xml::NetworkDef& def) override { return inner_.remove_network(def); }
  Result<void> enable_forwarding(bool ipv4, bool ipv6) override { return inner_.enable_forwarding(ipv4, ipv6); }
  void begin_pass() override { inner_.begin_pass(); }
  void end_pass() override { inner_.end_pass(); }
  void prune(const std::vector<const xml::NetworkDef*>& active) override { inner_.prune(active); }

 protected:
  PacketFilter& inner_;
};

}  // namespace hostnet

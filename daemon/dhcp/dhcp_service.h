// DHCP and DNS for networks, as the Manager sees it. dnsmasq is the real implementation
// (dnsmasq_service.h); unit tests of the core use a fake.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet {

struct DhcpLease {
  std::int64_t expiry = 0;  // seconds since the epoch; 0 for an infinite lease
  std::string mac;          // empty for DHCPv6
  std::string protocol;     // "ipv4" | "ipv6"
  std::string ip;
  unsigned prefix = 0;
  std::string hostname;
  std::string client_id;    // DHCPv4 client id or DHCPv6 DUID
};

class DhcpService {
 public:
  virtual ~DhcpService() = default;
  // Does def need a DHCP/DNS server at all?
  static bool wanted(const xml::NetworkDef& def);
  // Starts (or restarts) the server of def's network. Idempotent.
  virtual Result<void> start(const xml::NetworkDef& def) = 0;
  // Stops it and removes its files, leases too: a destroyed network leaves nothing behind.
  // Tolerates a server already gone. (A restart of the server, or of hostnetd, keeps leases.)
  virtual void stop(const std::string& network) = 0;
  virtual Result<std::vector<DhcpLease>> leases(const xml::NetworkDef& def) = 0;
  // Takes changed static hosts and DNS hosts without a restart (leases and the process stay).
  virtual Result<void> reload(const xml::NetworkDef& def) = 0;
  // Leases another server gave on this network (libvirt's dnsmasq, when hostnet takes the
  // network over), made this network's before its server starts, so guests renew the addresses
  // they have. IPv4 only; an address already leased here is kept as it is.
  virtual Result<void> seed_leases(const xml::NetworkDef& def, const std::vector<DhcpLease>& leases) = 0;
  // Ends servers an earlier hostnetd left for networks not in `active` (a start or stop it did
  // not finish), keeping their leases as a stop would not.
  virtual void prune(const std::vector<std::string>& active) { (void)active; }
};

}  // namespace hostnet

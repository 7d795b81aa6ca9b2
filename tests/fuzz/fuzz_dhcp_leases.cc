// libFuzzer target for dnsmasq's lease file, which hostnetd reads for DhcpLeases (dnsmasq writes
// it, and may be rewriting it while it is read). Invariants: whatever the text, parsing does not
// crash and skips what it cannot read; the IPv4 leases read from it, written back as a lease file
// with merge_leases (as hostnetd seeds a new one), read back as the same leases (the first of
// each address, as merge_leases keeps); merging no seeds into the text changes no lease.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "daemon/dhcp/lease_file.h"
#include "xml/network_xml.h"

namespace {
using hostnet::DhcpLease;

const hostnet::xml::NetworkDef& network() {
  static const hostnet::xml::NetworkDef def = [] {
    auto d = hostnet::xml::parse_network(
        "<network><name>leases</name><forward mode='nat'/><bridge name='virbr7'/>"
        "<ip address='192.168.122.1' netmask='255.255.255.0'/>"
        "<ip family='ipv6' address='fd00:122::1' prefix='64'/></network>");
    if (!d) std::abort();
    return *d;
  }();
  return def;
}

bool same(const std::vector<DhcpLease>& a, const std::vector<DhcpLease>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].expiry != b[i].expiry || a[i].mac != b[i].mac || a[i].protocol != b[i].protocol || a[i].ip != b[i].ip ||
        a[i].prefix != b[i].prefix || a[i].hostname != b[i].hostname || a[i].client_id != b[i].client_id)
      return false;
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto leases = hostnet::dhcp::parse_leases(text, network());

  std::vector<DhcpLease> v4;
  std::set<std::string> seen;
  for (const auto& l : leases)
    if (l.protocol == "ipv4" && !l.mac.empty() && seen.insert(l.ip).second) v4.push_back(l);
  std::string written = hostnet::dhcp::merge_leases("", {}, v4);
  if (!same(hostnet::dhcp::parse_leases(written, network()), v4)) std::abort();

  if (!same(hostnet::dhcp::parse_leases(hostnet::dhcp::merge_leases(text, leases, {}), network()), leases))
    std::abort();
  return 0;
}

#include "daemon/dhcp/lease_file.h"

#include <sstream>
#include <string>

#include "xml/ip_address.h"

namespace hostnet::dhcp {

std::vector<DhcpLease> parse_leases(std::string_view text, const xml::NetworkDef& def) {
  std::vector<DhcpLease> out;
  std::istringstream in{std::string(text)};
  std::string line;
  bool v6 = false;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string expiry, id, ip, host, client;
    if (!(fields >> expiry >> id)) continue;
    if (expiry == "duid") {
      v6 = true;
      continue;
    }
    if (!(fields >> ip >> host)) continue;
    fields >> client;
    DhcpLease lease;
    try {
      lease.expiry = std::stoll(expiry);
    } catch (...) {
      continue;
    }
    auto addr = xml::parse_ip(ip);
    if (!addr) continue;
    lease.protocol = v6 ? "ipv6" : "ipv4";
    lease.mac = v6 ? "" : id;
    lease.ip = addr->str();
    lease.hostname = host == "*" ? "" : host;
    lease.client_id = client == "*" ? "" : client;
    for (const auto& n : def.ips)
      if (n.address.family == addr->family && xml::in_subnet(*addr, n.address, n.prefix_length()))
        lease.prefix = n.prefix_length();
    out.push_back(lease);
  }
  return out;
}

std::string merge_leases(std::string_view text, const std::vector<DhcpLease>& have, const std::vector<DhcpLease>& seeds) {
  std::string added;
  for (const auto& s : seeds) {
    if (s.protocol != "ipv4" || s.mac.empty() || s.ip.empty()) continue;
    bool leased = false;
    for (const auto& h : have) leased = leased || h.ip == s.ip;
    for (const auto& earlier : seeds) {
      if (&earlier == &s) break;
      leased = leased || earlier.ip == s.ip;
    }
    if (leased) continue;
    added += std::to_string(s.expiry) + " " + s.mac + " " + s.ip + " " + (s.hostname.empty() ? "*" : s.hostname) + " " +
             (s.client_id.empty() ? "*" : s.client_id) + "\n";
  }
  // dnsmasq reads IPv4 leases before the "duid" line that starts the IPv6 ones.
  std::string out(text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  auto duid = out.starts_with("duid ") ? 0 : out.find("\nduid ");
  if (duid == std::string::npos) return out + added;
  size_t at = duid == 0 ? 0 : duid + 1;
  return out.insert(at, added);
}

}  // namespace hostnet::dhcp

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

}  // namespace hostnet::dhcp

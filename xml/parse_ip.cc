// <ip> with its DHCP ranges and hosts, and <route>.
#include <sys/socket.h>

#include <cctype>

#include "xml/ip_address.h"
#include "xml/parse_context.h"

namespace hostnet::xml::detail {

namespace {

const char* family_word(int family) { return family == AF_INET ? "IPv4" : "IPv6"; }

Result<std::optional<Lease>> parse_lease(const XMLElement* parent) {
  const XMLElement* e = parent->FirstChildElement("lease");
  if (!e) return std::optional<Lease>();
  Lease lease;
  auto expiry = number(e, "expiry", 0, 4294967295ull);
  if (!expiry) return tl::unexpected(expiry.error());
  if (!*expiry) return bad(e, "", "missing required attribute 'expiry'");
  lease.expiry = **expiry;
  std::string unit = attr(e, "unit");
  if (!unit.empty() && unit != "seconds" && unit != "minutes" && unit != "hours")
    return bad(e, "unit", "must be seconds, minutes or hours");
  lease.unit = unit.empty() ? "minutes" : unit;
  // libvirt refuses a lease under 2 minutes (dnsmasq would raise it to 2 minutes anyway); 0 is infinite.
  unsigned long long per_unit = lease.unit == "hours" ? 3600 : lease.unit == "minutes" ? 60 : 1;
  if (lease.expiry != 0 && lease.expiry * per_unit < 120) return bad(e, "expiry", "the shortest lease is 2 minutes");
  return std::optional<Lease>(lease);
}

Result<IpAddress> address_in_subnet(const XMLElement* e, const char* name, const IpDef& ip) {
  auto a = ip_attr(e, name, ip.address.family);
  if (!a) return a;
  if (!in_subnet(*a, ip.address, ip.prefix_length()))
    return bad(e, name,
               "outside the network's subnet " + ip.address.str() + "/" + std::to_string(ip.prefix_length()));
  return a;
}

Result<void> parse_dhcp(const XMLElement* e, IpDef& ip, std::vector<std::string>& warnings) {
  DhcpDef dhcp;
  for (const auto* r : children(e, "range")) {
    auto start = address_in_subnet(r, "start", ip);
    if (!start) return tl::unexpected(start.error());
    auto end = address_in_subnet(r, "end", ip);
    if (!end) return tl::unexpected(end.error());
    if (compare(*start, *end) > 0) return bad(r, "end", "the range ends before it starts");
    if (compare(*start, ip.address) <= 0 && compare(ip.address, *end) <= 0)
      return bad(r, "", "the range contains the network's own address " + ip.address.str());
    auto lease = parse_lease(r);
    if (!lease) return tl::unexpected(lease.error());
    dhcp.ranges.push_back({start->str(), end->str(), *lease});
  }
  for (const auto* h : children(e, "host")) {
    DhcpHost host;
    host.mac = attr(h, "mac");
    host.id = attr(h, "id");
    host.name = attr(h, "name");
    if (!host.mac.empty()) {
      if (ip.is_ipv6()) return bad(h, "mac", "an IPv6 static host is identified by id or name, not mac");
      auto mac = parse_mac(host.mac);
      if (!mac) return bad(h, "mac", "not a MAC address");
      if ((*mac)[0] & 1) return bad(h, "mac", "a multicast MAC address cannot be a host's");
    }
    if (!host.name.empty()) {
      if (auto r = check_plain_text(h, "name", host.name); !r) return r;
      if (!std::isalpha(static_cast<unsigned char>(host.name[0])))
        return bad(h, "name", "a host name must start with a letter");
      if (host.name.find_first_of(", ") != std::string::npos) return bad(h, "name", "a host name cannot contain ',' or spaces");
    }
    if (auto r = check_plain_text(h, "id", host.id); !r) return r;
    if (host.mac.empty() && host.name.empty() && host.id.empty())
      return bad(h, "", "a static host needs a mac, id or name attribute");
    if (has_attr(h, "ip")) {
      auto a = ip_attr(h, "ip", ip.address.family);
      if (!a) return tl::unexpected(a.error());
      host.ip = a->str();
      // libvirt accepts such a host and dnsmasq then ignores it: keep the definition valid, as
      // libvirt does, and say what will not happen.
      if (!in_subnet(*a, ip.address, ip.prefix_length()))
        warnings.push_back(element_error(h, "ip", "outside the network's subnet " + ip.address.str() + "/" +
                                                     std::to_string(ip.prefix_length()) +
                                                     ": dnsmasq will not give this host its address")
                               .message);
    } else if (!ip.is_ipv6() || host.name.empty()) {
      return bad(h, "", "missing required attribute 'ip'");
    }
    for (const auto& other : dhcp.hosts) {
      if (!host.mac.empty() && parse_mac(other.mac) == parse_mac(host.mac))
        return bad(h, "mac", "another static host already has this MAC address");
      if (!host.ip.empty() && other.ip == host.ip) return bad(h, "ip", "another static host already has this address");
    }
    auto lease = parse_lease(h);
    if (!lease) return tl::unexpected(lease.error());
    host.lease = *lease;
    dhcp.hosts.push_back(std::move(host));
  }
  if (const auto* b = e->FirstChildElement("bootp")) {
    DhcpBootp bootp{attr(b, "file"), ""};
    if (bootp.file.empty()) return bad(b, "", "missing required attribute 'file'");
    if (auto r = check_plain_text(b, "file", bootp.file); !r) return r;
    // dnsmasq's dhcp-boot takes file,server,address: a comma would name a server.
    if (bootp.file.find(',') != std::string::npos) return bad(b, "file", "file cannot contain ','");
    if (has_attr(b, "server")) {
      auto server = ip_attr(b, "server");
      if (!server) return tl::unexpected(server.error());
      bootp.server = server->str();
    }
    dhcp.bootp = bootp;
  }
  ip.dhcp = std::move(dhcp);
  return {};
}

}  // namespace

Result<void> parse_ip_element(const XMLElement* e, NetworkDef& def) {
  IpDef ip;
  ip.family = attr(e, "family");
  int family = 0;
  if (ip.family == "ipv4") family = AF_INET;
  else if (ip.family == "ipv6") family = AF_INET6;
  else if (!ip.family.empty()) return bad(e, "family", "must be 'ipv4' or 'ipv6'");
  if (!has_attr(e, "address")) return bad(e, "", "missing required attribute 'address'");
  auto address = ip_attr(e, "address", family);
  if (!address) return tl::unexpected(address.error());
  ip.address = *address;
  if (has_attr(e, "netmask") && has_attr(e, "prefix"))
    return bad(e, "netmask", "give either netmask or prefix, not both");
  if (has_attr(e, "netmask")) {
    if (ip.is_ipv6()) return bad(e, "netmask", "an IPv6 address takes a prefix, not a netmask");
    auto mask = ip_attr(e, "netmask", AF_INET);
    if (!mask) return tl::unexpected(mask.error());
    if (!netmask_prefix(*mask)) return bad(e, "netmask", "not a contiguous netmask");
    ip.netmask = mask->str();
  }
  auto prefix = number(e, "prefix", 0, ip.is_ipv6() ? 128 : 32);
  if (!prefix) return tl::unexpected(prefix.error());
  if (*prefix) ip.prefix = static_cast<unsigned>(**prefix);
  auto local_ptr = yes_no(e, "localPtr");
  if (!local_ptr) return tl::unexpected(local_ptr.error());
  ip.local_ptr = *local_ptr;
  if (const auto* tftp = e->FirstChildElement("tftp")) {
    ip.tftp_root = attr(tftp, "root");
    if (ip.tftp_root.empty()) return bad(tftp, "", "missing required attribute 'root'");
    if (auto r = check_plain_text(tftp, "root", ip.tftp_root); !r) return r;
    // dnsmasq's tftp-root takes directory,interface: a comma would name an interface.
    if (ip.tftp_root.find(',') != std::string::npos) return bad(tftp, "root", "root cannot contain ','");
  }
  if (const auto* dhcp = e->FirstChildElement("dhcp")) {
    if (auto r = parse_dhcp(dhcp, ip, def.warnings); !r) return r;
    if (!ip.dhcp->ranges.empty() || !ip.dhcp->hosts.empty()) {
      for (const auto& other : def.ips)
        if (other.address.family == ip.address.family && other.dhcp &&
            (!other.dhcp->ranges.empty() || !other.dhcp->hosts.empty()))
          return bad(dhcp, "", std::string("DHCP is supported on one ") + family_word(ip.address.family) +
                                   " address of a network only");
    }
  }
  def.ips.push_back(std::move(ip));
  return {};
}

Result<void> parse_route(const XMLElement* e, NetworkDef& def) {
  RouteDef r;
  r.family = attr(e, "family");
  int family = 0;
  if (r.family == "ipv4") family = AF_INET;
  else if (r.family == "ipv6") family = AF_INET6;
  else if (!r.family.empty()) return bad(e, "family", "must be 'ipv4' or 'ipv6'");
  auto address = ip_attr(e, "address", family);
  if (!address) return tl::unexpected(address.error());
  r.address = address->str();
  auto gateway = ip_attr(e, "gateway", address->family);
  if (!gateway) return tl::unexpected(gateway.error());
  r.gateway = gateway->str();
  if (has_attr(e, "netmask")) {
    auto mask = ip_attr(e, "netmask", AF_INET);
    if (!mask) return tl::unexpected(mask.error());
    r.netmask = mask->str();
  }
  auto prefix = number(e, "prefix", 0, address->family == AF_INET6 ? 128 : 32);
  if (!prefix) return tl::unexpected(prefix.error());
  if (*prefix) r.prefix = static_cast<unsigned>(**prefix);
  auto metric = number(e, "metric", 1, 4294967295ull);
  if (!metric) return tl::unexpected(metric.error());
  if (*metric) r.metric = static_cast<unsigned>(**metric);
  // The gateway must be reachable directly from the network's bridge.
  bool reachable = false;
  for (const auto& ip : def.ips)
    reachable = reachable || in_subnet(*gateway, ip.address, ip.prefix_length());
  if (!reachable) return bad(e, "gateway", "not inside any of the network's <ip> subnets");
  def.routes.push_back(std::move(r));
  return {};
}

}  // namespace hostnet::xml::detail

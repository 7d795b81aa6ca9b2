#include "xml/port_forward.h"

#include <sys/socket.h>

#include "xml/ip_address.h"

namespace hostnet::xml {

std::string format_port_range(const PortForward& f) {
  return f.port_end > f.port_start ? std::to_string(f.port_start) + "-" + std::to_string(f.port_end)
                                   : std::to_string(f.port_start);
}

Result<void> check_port_forward(const PortForward& f, const NetworkDef& def) {
  if (f.proto != "tcp" && f.proto != "udp")
    return fail(Errc::InvalidArgument, "port forward: protocol '" + f.proto + "' must be tcp or udp");
  if (f.port_start < 1 || f.port_start > 65535 || f.port_end < f.port_start || f.port_end > 65535)
    return fail(Errc::InvalidArgument, "port forward: host port " + format_port_range(f) + " is not a port (1..65535) or range");
  if (f.port_end - f.port_start >= 1024)
    return fail(Errc::InvalidArgument, "port forward: a range of more than 1024 host ports is not supported");
  if (f.target_port && (f.target_port > 65535 || f.target_port + (f.port_end - f.port_start) > 65535))
    return fail(Errc::InvalidArgument, "port forward: target port " + std::to_string(f.target_port) + " is out of range");
  if (!f.host_address.empty() && !parse_ip(f.host_address, AF_INET))
    return fail(Errc::InvalidArgument, "port forward: host address '" + f.host_address + "' is not an IPv4 address");
  auto target = parse_ip(f.target, AF_INET);
  if (!target) return fail(Errc::InvalidArgument, "port forward: target '" + f.target + "' is not an IPv4 address");
  bool inside = false;
  for (const auto& ip : def.ips) inside = inside || in_subnet(*target, ip.address, ip.prefix_length());
  if (!inside)
    return fail(Errc::InvalidArgument, "port forward: target " + f.target + " is outside network '" + def.name +
                                           "' (its subnets are where forwards may lead)");
  for (const auto& other : def.port_forwards)
    if (other.same_key(f))
      return fail(Errc::Conflict, "port forward: " + f.proto + " port " + format_port_range(f) +
                                      " collides with the forward of port " + format_port_range(other) + " to " +
                                      other.target);
  return {};
}

}  // namespace hostnet::xml

#include "xml/network_def.h"

#include <sys/socket.h>

#include "xml/ip_address.h"

namespace hostnet::xml {

const char* forward_mode_name(ForwardMode mode) {
  switch (mode) {
    case ForwardMode::None: return "none";
    case ForwardMode::Nat: return "nat";
    case ForwardMode::Route: return "route";
    case ForwardMode::Open: return "open";
    case ForwardMode::Bridge: return "bridge";
    case ForwardMode::Private: return "private";
    case ForwardMode::Vepa: return "vepa";
    case ForwardMode::Passthrough: return "passthrough";
    case ForwardMode::Hostdev: return "hostdev";
  }
  return "none";
}

bool IpDef::is_ipv6() const { return address.family == AF_INET6; }

unsigned IpDef::prefix_length() const {
  if (prefix && *prefix > 0) return *prefix;
  if (!netmask.empty())
    if (auto m = parse_ip(netmask, AF_INET))
      if (auto p = netmask_prefix(*m)) return *p;
  if (address.family == AF_INET6) return 64;
  // The classful default libvirt falls back to for IPv4 without netmask or prefix.
  unsigned first = address.bytes[0];
  if ((first & 0x80) == 0) return 8;
  if ((first & 0xc0) == 0x80) return 16;
  return 24;
}

bool NetworkDef::creates_bridge() const {
  switch (forward.mode) {
    case ForwardMode::None:
    case ForwardMode::Nat:
    case ForwardMode::Route:
    case ForwardMode::Open:
      return true;
    default:
      return false;
  }
}

}  // namespace hostnet::xml

// What libvirt assigns at define time, and the names hostnet accepts.
#include <net/if.h>

#include <random>

#include "xml/network_xml.h"

namespace hostnet::xml {

void assign_identity(NetworkDef& def) {
  std::random_device rd;
  if (!def.uuid) {
    Uuid u;
    for (auto& b : u.bytes) b = static_cast<std::uint8_t>(rd());
    u.bytes[6] = static_cast<std::uint8_t>((u.bytes[6] & 0x0f) | 0x40);  // version 4
    u.bytes[8] = static_cast<std::uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    def.uuid = u;
  }
  if (!def.mac && def.creates_bridge()) {
    // QEMU/KVM's locally administered prefix, as libvirt uses for bridges.
    def.mac = Mac{0x52, 0x54, 0x00, static_cast<std::uint8_t>(rd()), static_cast<std::uint8_t>(rd()),
                  static_cast<std::uint8_t>(rd())};
  }
}

Result<void> check_network_name(std::string_view name) {
  if (name.empty()) return fail(Errc::InvalidXML, "the network name is empty");
  if (name.size() > 200) return fail(Errc::InvalidXML, "the network name is longer than 200 bytes");
  if (name == "." || name == "..") return fail(Errc::InvalidXML, "'" + std::string(name) + "' cannot be a network name");
  for (unsigned char c : name) {
    // The name becomes a file name and a D-Bus path label: no '/', no control characters.
    if (c == '/') return fail(Errc::InvalidXML, "the network name '" + std::string(name) + "' contains '/'");
    if (c < 0x20 || c == 0x7f)
      return fail(Errc::InvalidXML, "the network name contains a control character");
  }
  return {};
}

Result<void> check_interface_name(std::string_view name) {
  if (name.empty()) return fail(Errc::InvalidXML, "empty interface name");
  if (name.size() >= IFNAMSIZ)
    return fail(Errc::InvalidXML, "interface name '" + std::string(name) + "' is longer than " +
                                      std::to_string(IFNAMSIZ - 1) + " bytes");
  if (name == "." || name == "..") return fail(Errc::InvalidXML, "'" + std::string(name) + "' is not an interface name");
  for (unsigned char c : name) {
    // The kernel refuses '/', ':' and whitespace; '%' is refused too because it is a name
    // template elsewhere.
    // Quotes and backslashes are refused because the name ends up quoted in firewall rules.
    if (c == '/' || c == ':' || c == '%' || c == '"' || c == '\'' || c == '\\' || c <= ' ' || c == 0x7f)
      return fail(Errc::InvalidXML, "interface name '" + std::string(name) + "' contains '" +
                                        (c <= ' ' ? std::string("whitespace or a control character") : std::string(1, static_cast<char>(c))) + "'");
  }
  return {};
}

}  // namespace hostnet::xml

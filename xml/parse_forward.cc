// <forward>: the mode and where traffic leaves the host.
#include <sys/socket.h>

#include "xml/ip_address.h"
#include "xml/network_xml.h"
#include "xml/parse_context.h"

namespace hostnet::xml::detail {

namespace {

std::optional<ForwardMode> mode_from(const std::string& s) {
  for (auto m : {ForwardMode::None, ForwardMode::Nat, ForwardMode::Route, ForwardMode::Open, ForwardMode::Bridge,
                 ForwardMode::Private, ForwardMode::Vepa, ForwardMode::Passthrough, ForwardMode::Hostdev})
    if (s == forward_mode_name(m)) return m;
  return std::nullopt;
}

Result<void> parse_nat(const XMLElement* e, ForwardDef& f) {
  NatDef nat;
  auto ipv6 = yes_no(e, "ipv6");
  if (!ipv6) return tl::unexpected(ipv6.error());
  nat.ipv6 = *ipv6;
  auto addrs = children(e, "address");
  if (addrs.size() > 1) return bad(addrs[1], "", "only one <address> range is allowed in <nat>");
  if (!addrs.empty()) {
    auto start = ip_attr(addrs[0], "start", AF_INET);
    if (!start) return tl::unexpected(start.error());
    AddressRange range{start->str(), ""};
    if (has_attr(addrs[0], "end")) {
      auto end = ip_attr(addrs[0], "end", AF_INET);
      if (!end) return tl::unexpected(end.error());
      if (compare(*start, *end) > 0) return bad(addrs[0], "end", "the range ends before it starts");
      range.end = end->str();
    }
    nat.address = range;
  }
  auto ports = children(e, "port");
  if (ports.size() > 1) return bad(ports[1], "", "only one <port> range is allowed in <nat>");
  if (!ports.empty()) {
    auto start = number(ports[0], "start", 0, 65535);
    if (!start) return tl::unexpected(start.error());
    auto end = number(ports[0], "end", 0, 65535);
    if (!end) return tl::unexpected(end.error());
    PortRange pr{static_cast<unsigned>(start->value_or(0)), static_cast<unsigned>(end->value_or(0))};
    if (pr.end && pr.start > pr.end) return bad(ports[0], "end", "the port range ends before it starts");
    nat.port = pr;
  }
  f.nat = nat;
  return {};
}

Result<PciAddress> parse_pci(const XMLElement* e) {
  if (attr(e, "type") != "pci") return bad(e, "type", "only type='pci' addresses are supported in <forward>");
  PciAddress a;
  unsigned* fields[] = {&a.domain, &a.bus, &a.slot, &a.function};
  const char* names[] = {"domain", "bus", "slot", "function"};
  const unsigned long maxes[] = {0xffff, 0xff, 0x1f, 7};
  for (int i = 0; i < 4; ++i) {
    std::string v = attr(e, names[i]);
    if (v.empty()) continue;
    char* end = nullptr;
    unsigned long n = std::strtoul(v.c_str(), &end, 0);
    if (!end || *end || n > maxes[i]) return bad(e, names[i], "not a valid PCI address component");
    *fields[i] = static_cast<unsigned>(n);
  }
  return a;
}

}  // namespace

Result<void> parse_forward(const XMLElement* e, NetworkDef& def) {
  ForwardDef& f = def.forward;
  f.present = true;
  // libvirt: a <forward> without a mode means nat.
  std::string mode = attr(e, "mode");
  if (mode.empty()) {
    f.mode = ForwardMode::Nat;
  } else if (auto m = mode_from(mode); m && *m != ForwardMode::None) {
    f.mode = *m;
  } else {
    return bad(e, "mode", "unknown forward mode (expected nat, route, open, bridge, private, vepa, passthrough or hostdev)");
  }
  auto managed = yes_no(e, "managed");
  if (!managed) return tl::unexpected(managed.error());
  f.managed = *managed;

  if (auto* drv = e->FirstChildElement("driver")) {
    // Both attributes are optional, as in libvirt: a <driver model=.../> alone keeps the default type.
    std::string name = attr(drv, "name");
    if (has_attr(drv, "name") && name != "kvm" && name != "vfio" && name != "xen" && name != "default")
      return bad(drv, "name", "unknown driver (expected vfio, kvm or xen)");
    if (name != "default") f.driver_name = name;
    if (has_attr(drv, "model")) {
      // A host kernel driver's name, which libvirt writes to sysfs when it binds the device: held
      // to libvirt's schema (genericName) rather than taken as any text.
      f.driver_model = attr(drv, "model");
      if (f.driver_model.empty() ||
          f.driver_model.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-") !=
              std::string::npos)
        return bad(drv, "model", "not a driver name (letters, digits, '_', '+' and '-' only)");
    }
  }

  auto nats = children(e, "nat");
  if (nats.size() > 1) return bad(nats[1], "", "only one <nat> element is allowed in <forward>");
  if (!nats.empty()) {
    if (f.mode != ForwardMode::Nat) return bad(nats[0], "", "<nat> is only allowed with forward mode 'nat'");
    if (auto r = parse_nat(nats[0], f); !r) return r;
  }

  std::string dev = attr(e, "dev");
  auto ifaces = children(e, "interface");
  auto addrs = children(e, "address");
  auto pfs = children(e, "pf");
  if (!dev.empty() && (!addrs.empty() || !pfs.empty()))
    return bad(e, "dev", "cannot be used together with <address> or <pf> elements");
  if (!dev.empty()) {
    if (auto r = check_interface_name(dev); !r) return bad(e, "dev", r.error().message);
    f.dev = dev;
    f.interfaces.push_back({dev, std::nullopt});
  }
  for (size_t i = 0; i < ifaces.size(); ++i) {
    std::string d = attr(ifaces[i], "dev");
    if (d.empty()) return bad(ifaces[i], "", "missing required attribute 'dev'");
    if (auto r = check_interface_name(d); !r) return bad(ifaces[i], "dev", r.error().message);
    if (i == 0 && !dev.empty()) {
      if (d != dev) return bad(ifaces[i], "dev", "must match <forward dev='" + dev + "'>");
      continue;
    }
    for (const auto& existing : f.interfaces)
      if (existing.dev == d) return bad(ifaces[i], "dev", "interface listed twice");
    f.interfaces.push_back({d, std::nullopt});
  }
  if (f.interfaces.empty()) {
    for (const auto* a : addrs) {
      auto pci = parse_pci(a);
      if (!pci) return tl::unexpected(pci.error());
      f.pci_addresses.push_back(*pci);
    }
  }
  if (pfs.size() > 1) return bad(pfs[1], "", "only one <pf> element is allowed in <forward>");
  if (!pfs.empty() && f.interfaces.empty() && f.pci_addresses.empty()) {
    std::string d = attr(pfs[0], "dev");
    if (d.empty()) return bad(pfs[0], "", "missing required attribute 'dev'");
    f.pfs.push_back(d);
  }
  if (f.pfs.empty() && !f.interfaces.empty()) f.dev = f.interfaces[0].dev;
  return {};
}

}  // namespace hostnet::xml::detail

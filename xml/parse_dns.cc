// <dns>: forwarders, hosts, SRV and TXT records. Everything here ends up in dnsmasq's
// configuration, so names are held to what DNS allows.
#include <cctype>

#include "xml/ip_address.h"
#include "xml/parse_context.h"

namespace hostnet::xml::detail {

namespace {

// Letters, digits, '-', '_' (SRV labels), and '.' between labels.
Result<void> check_dns_name(const XMLElement* e, const char* field, const std::string& name, bool allow_root) {
  if (auto r = check_plain_text(e, field, name); !r) return r;
  if (allow_root && name == ".") return {};
  if (name.empty() || name.size() > 253) return bad(e, field, "not a valid DNS name");
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '-' && c != '.' && c != '_')
      return bad(e, field, "not a valid DNS name (letters, digits, '-', '_' and '.' only)");
  return {};
}

}  // namespace

Result<void> parse_dns(const XMLElement* e, NetworkDef& def) {
  DnsDef& dns = def.dns;
  auto enable = yes_no(e, "enable");
  if (!enable) return tl::unexpected(enable.error());
  dns.enable = *enable;
  auto plain = yes_no(e, "forwardPlainNames");
  if (!plain) return tl::unexpected(plain.error());
  dns.forward_plain_names = *plain;

  for (const auto* f : children(e, "forwarder")) {
    DnsForwarder fwd{attr(f, "domain"), ""};
    if (has_attr(f, "addr")) {
      auto a = ip_attr(f, "addr");
      if (!a) return tl::unexpected(a.error());
      fwd.addr = a->str();
    }
    if (!fwd.domain.empty())
      if (auto r = check_dns_name(f, "domain", fwd.domain, false); !r) return r;
    if (fwd.domain.empty() && fwd.addr.empty()) return bad(f, "", "a forwarder needs a domain, an addr, or both");
    dns.forwarders.push_back(fwd);
  }
  for (const auto* h : children(e, "host")) {
    DnsHost host;
    auto a = ip_attr(h, "ip");
    if (!a) return tl::unexpected(a.error());
    host.ip = a->str();
    for (const auto* n : children(h, "hostname")) {
      std::string name = text_of(n);
      if (auto r = check_dns_name(n, "hostname", name, false); !r) return r;
      host.hostnames.push_back(name);
    }
    if (host.hostnames.empty()) return bad(h, "", "a DNS host needs at least one <hostname>");
    dns.hosts.push_back(std::move(host));
  }
  for (const auto* s : children(e, "srv")) {
    DnsSrv srv;
    srv.service = attr(s, "service");
    srv.protocol = attr(s, "protocol");
    srv.domain = attr(s, "domain");
    srv.target = attr(s, "target");
    if (srv.service.empty()) return bad(s, "", "missing required attribute 'service'");
    if (srv.service.size() > 15) return bad(s, "service", "longer than 15 characters");
    if (auto r = check_dns_name(s, "service", srv.service, false); !r) return r;
    if (srv.protocol != "tcp" && srv.protocol != "udp") return bad(s, "protocol", "must be 'tcp' or 'udp'");
    if (!srv.domain.empty())
      if (auto r = check_dns_name(s, "domain", srv.domain, false); !r) return r;
    if (!srv.target.empty())
      if (auto r = check_dns_name(s, "target", srv.target, true); !r) return r;
    for (auto [field, slot] : {std::pair{"port", &srv.port}, {"priority", &srv.priority}, {"weight", &srv.weight}}) {
      auto v = number(s, field, 0, 65535);
      if (!v) return tl::unexpected(v.error());
      if (*v) *slot = static_cast<unsigned>(**v);
    }
    dns.srvs.push_back(std::move(srv));
  }
  for (const auto* t : children(e, "txt")) {
    DnsTxt txt{attr(t, "name"), attr(t, "value")};
    if (txt.name.empty()) return bad(t, "", "missing required attribute 'name'");
    if (!has_attr(t, "value")) return bad(t, "", "missing required attribute 'value'");
    if (auto r = check_dns_name(t, "name", txt.name, false); !r) return r;
    if (auto r = check_plain_text(t, "value", txt.value); !r) return r;
    dns.txts.push_back(std::move(txt));
  }
  return {};
}

}  // namespace hostnet::xml::detail

#include "xml/network_update.h"

#include "xml/network_xml.h"

#include <tinyxml2.h>

#include <algorithm>

#include "xml/ip_address.h"

namespace hostnet::xml {

namespace {

// The one <ip> whose DHCP hosts an update means: the first with a <dhcp>, else the first IPv4.
IpDef* dhcp_ip(NetworkDef& def) {
  for (auto& ip : def.ips)
    if (ip.dhcp) return &ip;
  for (auto& ip : def.ips)
    if (!ip.is_ipv6()) return &ip;
  return nullptr;
}

// Parses a fragment in the context it belongs to, reusing every check of the full parser.
Result<NetworkDef> parse_in_context(const IpDef* ip, std::string_view fragment, bool dns) {
  std::string doc = "<network><name>update</name>";
  if (dns) {
    doc += "<dns>" + std::string(fragment) + "</dns>";
  } else {
    doc += "<ip address='" + ip->address.str() + "' prefix='" + std::to_string(ip->prefix_length()) + "'><dhcp>" +
           std::string(fragment) + "</dhcp></ip>";
  }
  doc += "</network>";
  return parse_network(doc);
}

// A delete names a host by any of its attributes (libvirt: "partial is okay"), so it is read
// without the checks a complete host must pass.
Result<DhcpHost> partial_host(std::string_view fragment) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(fragment.data(), fragment.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement() ||
      std::string(doc.RootElement()->Name()) != "host")
    return fail(Errc::InvalidXML, "expected one <host .../> element");
  const auto* e = doc.RootElement();
  auto get = [&](const char* n) { return std::string(e->Attribute(n) ? e->Attribute(n) : ""); };
  DhcpHost h{get("mac"), get("id"), get("name"), get("ip"), std::nullopt};
  if (!h.ip.empty()) {
    auto ip = parse_ip(h.ip);
    if (!ip) return fail(Errc::InvalidXML, "<host ip='" + h.ip + "'>: not an IP address");
    h.ip = ip->str();
  }
  if (h.mac.empty() && h.id.empty() && h.name.empty() && h.ip.empty())
    return fail(Errc::InvalidXML, "<host>: name it by mac, id, name or ip");
  return h;
}

bool dhcp_host_matches(const DhcpHost& want, const DhcpHost& have) {
  // libvirt's delete: every attribute given must match.
  return (want.mac.empty() || want.mac == have.mac) && (want.name.empty() || want.name == have.name) &&
         (want.ip.empty() || want.ip == have.ip) && (want.id.empty() || want.id == have.id);
}

// hostnet's own section: the network's <hostnet:openflow>, replaced whole ("modify", or "add"
// when it has none) or removed ("delete", whatever the fragment). The fragment is the element
// with the hostnet: prefix, which the update declares: <hostnet:openflow fail-mode='secure'>...
Result<NetworkDef> update_openflow(const NetworkDef& def, std::string_view command, std::string_view fragment) {
  NetworkDef out = def;
  if (command == "delete") {
    if (!out.openflow) return fail(Errc::NotFound, "network '" + def.name + "' has no <hostnet:openflow>");
    out.openflow.reset();
    return out;
  }
  if (command != "modify" && command != "add" && command != "add-last" && command != "add-first")
    return fail(Errc::Unsupported, "net-update command '" + std::string(command) + "' of hostnet-openflow: use modify or delete");
  if (command != "modify" && out.openflow)
    return fail(Errc::Conflict, "network '" + def.name + "' already has <hostnet:openflow>: use modify to replace it");
  std::string doc = std::string("<network><name>update</name><metadata><hostnet:network xmlns:hostnet='") +
                    kHostnetNamespace + "'>" + std::string(fragment) + "</hostnet:network></metadata></network>";
  auto parsed = parse_network(doc);
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->openflow || !parsed->port_forwards.empty() || !parsed->tunnels.empty() || !parsed->uplinks.empty() ||
      !parsed->backend.empty())
    return fail(Errc::InvalidXML, "expected one <hostnet:openflow> element");
  out.openflow = parsed->openflow;
  return out;
}

}  // namespace

Result<NetworkDef> apply_update(const NetworkDef& def, std::string_view command, std::string_view section,
                                std::string_view fragment) {
  if (section == "hostnet-openflow") {
    auto out = update_openflow(def, command, fragment);
    if (!out) return out;
    auto again = parse_network(format_network(*out, kFormatLive));
    if (!again) return tl::unexpected(again.error());
    return out;
  }
  bool add = command == "add" || command == "add-last" || command == "add-first";
  if (!add && command != "delete")
    return fail(Errc::Unsupported, "net-update command '" + std::string(command) + "' is not supported (add, add-first, add-last, delete)");
  NetworkDef out = def;
  if (section == "ip-dhcp-host") {
    IpDef* ip = dhcp_ip(out);
    if (!ip) return fail(Errc::InvalidArgument, "network '" + def.name + "' has no IPv4 <ip> to hold DHCP hosts");
    if (!ip->dhcp) ip->dhcp = DhcpDef{};
    auto& hosts = ip->dhcp->hosts;
    if (add) {
      auto parsed = parse_in_context(ip, fragment, false);
      if (!parsed) return tl::unexpected(parsed.error());
      if (parsed->ips.size() != 1 || !parsed->ips[0].dhcp || parsed->ips[0].dhcp->hosts.size() != 1)
        return fail(Errc::InvalidXML, "expected exactly one <host .../> element");
      hosts.insert(command == "add-first" ? hosts.begin() : hosts.end(), parsed->ips[0].dhcp->hosts[0]);
    } else {
      auto partial = partial_host(fragment);
      if (!partial) return tl::unexpected(partial.error());
      const DhcpHost& host = *partial;
      auto it = std::find_if(hosts.begin(), hosts.end(), [&](const DhcpHost& h) { return dhcp_host_matches(host, h); });
      if (it == hosts.end()) return fail(Errc::NotFound, "no matching DHCP host in network '" + def.name + "'");
      hosts.erase(it);
    }
  } else if (section == "dns-host") {
    auto& hosts = out.dns.hosts;
    DnsHost host;
    if (add) {
      auto parsed = parse_in_context(nullptr, fragment, true);
      if (!parsed) return tl::unexpected(parsed.error());
      if (parsed->dns.hosts.size() != 1) return fail(Errc::InvalidXML, "expected exactly one <host ip=...> element");
      host = parsed->dns.hosts[0];
    } else {
      auto partial = partial_host(fragment);
      if (!partial) return tl::unexpected(partial.error());
      host.ip = partial->ip;
    }
    if (add) {
      for (const auto& h : hosts)
        if (h.ip == host.ip) return fail(Errc::Conflict, "a DNS host with address " + host.ip + " already exists");
      hosts.insert(command == "add-first" ? hosts.begin() : hosts.end(), host);
    } else {
      auto it = std::find_if(hosts.begin(), hosts.end(), [&](const DnsHost& h) { return h.ip == host.ip; });
      if (it == hosts.end()) return fail(Errc::NotFound, "no DNS host with address " + host.ip + " in network '" + def.name + "'");
      hosts.erase(it);
    }
  } else {
    return fail(Errc::Unsupported, "net-update of section '" + std::string(section) +
                                       "' is not supported yet (ip-dhcp-host, dns-host and hostnet-openflow are)");
  }
  // The whole result must still be a valid definition (duplicate MACs, addresses, ...).
  auto again = parse_network(format_network(out, kFormatLive));
  if (!again) return tl::unexpected(again.error());
  // Warnings of the result as a whole (lines as net-dumpxml prints it): one that came with the
  // fragment is added, one whose host was deleted goes.
  out.warnings = std::move(again->warnings);
  return out;
}

}  // namespace hostnet::xml

#include "cli/net_commands.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/client.h"
#include "common/utf8.h"
#include "cli/table.h"
#include "xml/network_xml.h"

namespace hostnet::cli {
namespace {

std::string read_input_file(const std::string& path) {
  std::ifstream in(path == "-" ? "/dev/stdin" : path);
  if (!in) throw UsageError{"cannot read '" + path + "'"};
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // D-Bus strings are UTF-8: said here, with where, rather than as the bus library's refusal.
  if (auto at = invalid_utf8_at(text); at != std::string_view::npos)
    throw UsageError{"'" + path + "' is not valid UTF-8 (line " +
                     std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) +
                     ", byte " + std::to_string(at) + "): network XML must be UTF-8"};
  return text;
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

using ControllerRow = sdbus::Struct<std::string, bool, std::string>;  // target, connected, role

struct NetworkSummary {
  std::string name, uuid, bridge, backend, forward;
  bool active, persistent, autostart;
  std::vector<std::string> warnings;
  std::string libvirt;
  std::vector<ControllerRow> controllers;
};

constexpr const char* kNetworkInterface = "org.hostnet1.Network";

NetworkSummary summarize(const Properties& p) {
  using S = std::string;
  return {property<S>(p, "Name"),        property<S>(p, "UUID"),       property<S>(p, "Bridge"),
          property<S>(p, "Backend"),     property<S>(p, "ForwardMode"), property<bool>(p, "Active"),
          property<bool>(p, "Persistent"), property<bool>(p, "Autostart"),
          property<std::vector<S>>(p, "Warnings"), property<S>(p, "Libvirt"),
          property<std::vector<ControllerRow>>(p, "Controllers")};
}

nlohmann::json to_json(const NetworkSummary& s) {
  auto controllers = nlohmann::json::array();
  for (const auto& c : s.controllers)
    controllers.push_back({{"target", std::get<0>(c)}, {"connected", std::get<1>(c)}, {"role", std::get<2>(c)}});
  return {{"name", s.name},     {"uuid", s.uuid},         {"active", s.active},       {"persistent", s.persistent},
          {"autostart", s.autostart}, {"bridge", s.bridge}, {"backend", s.backend}, {"forward", s.forward},
          {"warnings", s.warnings}, {"libvirt", s.libvirt}, {"controllers", controllers}};
}

int net_define(const Args& a, bool transient) {
  Client c;
  std::string xml = read_input_file(a.positional[0]);
  auto path = transient ? c.manager().CreateNetwork(xml) : c.manager().DefineNetwork(xml);
  auto n = c.network(path);
  std::cout << "Network " << n->Name() << (transient ? " created from " : " defined from ") << a.positional[0]
            << "\n";
  for (const auto& w : n->Warnings()) std::cerr << "warning: " << w << "\n";
  return 0;
}

int net_list(const Args& a) {
  Client c;
  bool all = a.has("all"), inactive_only = a.has("inactive");
  std::vector<NetworkSummary> rows;
  // One GetAll per network: GetManagedObjects would bring every port along.
  for (const auto& path : c.manager().ListNetworks()) {
    Properties props;
    try {
      props = c.properties(path, kNetworkInterface);
    } catch (const sdbus::Error& e) {
      if (e.getName() == "org.freedesktop.DBus.Error.UnknownObject") continue;  // undefined meanwhile
      throw;
    }
    auto s = summarize(props);
    if (inactive_only ? s.active : (!all && !s.active)) continue;
    rows.push_back(s);
  }
  if (a.has("json")) {
    auto arr = nlohmann::json::array();
    for (const auto& s : rows) arr.push_back(to_json(s));
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  if (a.has("name")) {
    for (const auto& s : rows) std::cout << s.name << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& s : rows)
    table.push_back({s.name, s.active ? "active" : "inactive", yes_no(s.autostart), yes_no(s.persistent)});
  std::cout << format_table({"Name", "State", "Autostart", "Persistent"}, table);
  return 0;
}

int net_info(const Args& a) {
  Client c;
  auto s = summarize(c.properties(c.manager().LookupNetwork(a.positional[0]), kNetworkInterface));
  if (a.has("json")) {
    std::cout << to_json(s).dump(2) << "\n";
    return 0;
  }
  auto row = [](const char* k, const std::string& v) {
    std::string key = std::string(k) + ":";
    std::cout << key << std::string(key.size() < 16 ? 16 - key.size() : 1, ' ') << v << "\n";
  };
  row("Name", s.name);
  row("UUID", s.uuid);
  row("Active", yes_no(s.active));
  row("Persistent", yes_no(s.persistent));
  row("Autostart", yes_no(s.autostart));
  row("Bridge", s.bridge);
  row("Forward", s.forward);
  row("Backend", s.backend);
  if (!s.libvirt.empty()) row("Libvirt", s.libvirt);
  for (const auto& c : s.controllers)
    row("Controller", std::get<0>(c) + (std::get<1>(c) ? " (connected" + (std::get<2>(c).empty() ? "" : ", role " + std::get<2>(c)) + ")"
                                                       : " (not connected)"));
  for (const auto& w : s.warnings) row("Warning", w);
  return 0;
}

int net_dhcp_leases(const Args& a) {
  Client c;
  auto leases = c.lookup(a.positional[0])->GetDHCPLeases();
  if (a.has("json")) {
    auto arr = nlohmann::json::array();
    for (const auto& l : leases)
      arr.push_back({{"expiry", std::get<0>(l)}, {"mac", std::get<1>(l)}, {"protocol", std::get<2>(l)},
                     {"ip", std::get<3>(l)}, {"prefix", std::get<4>(l)}, {"hostname", std::get<5>(l)},
                     {"clientid", std::get<6>(l)}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : leases) {
    std::string expiry = "never";
    if (std::get<0>(l) > 0) {
      std::time_t t = static_cast<std::time_t>(std::get<0>(l));
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&t));
      expiry = buf;
    }
    rows.push_back({expiry, std::get<1>(l).empty() ? "-" : std::get<1>(l), std::get<2>(l),
                    std::get<3>(l) + "/" + std::to_string(std::get<4>(l)),
                    std::get<5>(l).empty() ? "-" : std::get<5>(l), std::get<6>(l).empty() ? "-" : std::get<6>(l)});
  }
  std::cout << format_table({"Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID"},
                            rows);
  return 0;
}

// "8080" or "8000-8100"
std::pair<uint16_t, uint16_t> port_range(const std::string& text) {
  auto dash = text.find('-');
  auto num = [&](const std::string& s) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos)
      throw UsageError{"'" + text + "' is not a port or a port range"};
    unsigned long v = std::stoul(s);
    if (v > 65535) throw UsageError{"'" + text + "': ports go up to 65535"};
    return static_cast<uint16_t>(v);
  };
  if (dash == std::string::npos) return {num(text), 0};
  return {num(text.substr(0, dash)), num(text.substr(dash + 1))};
}

int net_port_forward_add(const Args& a) {
  auto proto = a.option("proto").value_or("tcp");
  auto host_port = a.option("host-port");
  auto to = a.option("to");
  if (!host_port || !to) throw UsageError{"--host-port and --to are required"};
  auto [port, port_end] = port_range(*host_port);
  std::string target = *to;
  uint16_t target_port = 0;
  if (auto colon = target.rfind(':'); colon != std::string::npos) {
    target_port = port_range(target.substr(colon + 1)).first;
    target = target.substr(0, colon);
  }
  Client c;
  c.lookup(a.positional[0])->AddPortForward(proto, a.option("host-address").value_or(""), port, port_end, target,
                                            target_port);
  std::cout << "Port forward " << proto << " " << *host_port << " -> " << *to << " added to network "
            << a.positional[0] << "\n";
  return 0;
}

int net_port_forward_remove(const Args& a) {
  auto host_port = a.option("host-port");
  if (!host_port) throw UsageError{"--host-port is required"};
  Client c;
  c.lookup(a.positional[0])->RemovePortForward(a.option("proto").value_or("tcp"), a.option("host-address").value_or(""),
                                               port_range(*host_port).first);
  std::cout << "Port forward removed from network " << a.positional[0] << "\n";
  return 0;
}

int net_port_forward_list(const Args& a) {
  Client c;
  auto forwards = c.lookup(a.positional[0])->ListPortForwards();
  auto ports = [](uint16_t start, uint16_t end) {
    return end > start ? std::to_string(start) + "-" + std::to_string(end) : std::to_string(start);
  };
  if (a.has("json")) {
    auto arr = nlohmann::json::array();
    for (const auto& f : forwards)
      arr.push_back({{"proto", std::get<0>(f)}, {"host_address", std::get<1>(f)}, {"port", std::get<2>(f)},
                     {"port_end", std::get<3>(f)}, {"target", std::get<4>(f)}, {"target_port", std::get<5>(f)}});
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : forwards) {
    uint16_t tp = std::get<5>(f) ? std::get<5>(f) : std::get<2>(f);
    uint16_t tp_end = static_cast<uint16_t>(tp + (std::get<3>(f) - std::get<2>(f)));
    rows.push_back({std::get<0>(f), std::get<1>(f).empty() ? "*" : std::get<1>(f), ports(std::get<2>(f), std::get<3>(f)),
                    std::get<4>(f), ports(tp, tp_end)});
  }
  std::cout << format_table({"Protocol", "Host address", "Host port", "Target", "Target port"}, rows);
  return 0;
}

int net_update(const Args& a) {
  const auto& xml = a.positional[3];
  std::string fragment = xml.starts_with("<") ? xml : read_input_file(xml);
  uint32_t flags = (a.has("live") ? 1u : 0u) | (a.has("config") ? 2u : 0u);
  Client c;
  auto n = c.lookup(a.positional[0]);
  auto before = n->Warnings();
  n->Update(a.positional[1], a.positional[2], fragment, flags);
  std::cout << "Updated network " << a.positional[0]
            << (flags == 3 ? " live state and persistent config" : flags == 2 ? " persistent config" : flags == 1 ? " live state" : "")
            << "\n";
  for (const auto& w : n->Warnings())
    if (std::find(before.begin(), before.end(), w) == before.end()) std::cerr << "warning: " << w << "\n";
  return 0;
}

int net_validate(const Args& a) {
  const auto& file = a.positional[0];
  auto def = xml::parse_network(read_input_file(file));
  if (!def) {
    std::cerr << "error: " << errc_name(def.error().code) << ": " << file << ": " << def.error().message << "\n";
    return 1;
  }
  std::cout << file << " validates\n";
  for (const auto& w : def->warnings) std::cerr << "warning: " << file << ": " << w << "\n";
  return 0;
}

}  // namespace

std::vector<Command> net_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"net-define", "net-define FILE", "define a persistent network from libvirt network XML",
                  {{}, {}, 1, 1}, true, [](const Args& a) { return net_define(a, false); }});
  cmds.push_back({"net-create", "net-create FILE", "create and start a transient network from XML",
                  {{}, {}, 1, 1}, true, [](const Args& a) { return net_define(a, true); }});
  cmds.push_back({"net-undefine", "net-undefine NETWORK", "remove a network's stored definition",
                  {{}, {}, 1, 1}, true, [](const Args& a) {
                    Client c;
                    auto n = c.lookup(a.positional[0]);
                    auto name = n->Name();
                    n->Undefine();
                    std::cout << "Network " << name << " has been undefined\n";
                    return 0;
                  }});
  cmds.push_back({"net-start", "net-start NETWORK", "start a defined network", {{}, {}, 1, 1}, true,
                  [](const Args& a) {
                    Client c;
                    auto n = c.lookup(a.positional[0]);
                    n->Start();
                    std::cout << "Network " << n->Name() << " started\n";
                    return 0;
                  }});
  cmds.push_back({"net-destroy", "net-destroy NETWORK", "stop an active network", {{}, {}, 1, 1}, true,
                  [](const Args& a) {
                    Client c;
                    auto n = c.lookup(a.positional[0]);
                    auto name = n->Name();
                    n->Stop();
                    std::cout << "Network " << name << " destroyed\n";
                    return 0;
                  }});
  cmds.push_back({"net-list", "net-list [--all] [--inactive] [--name] [--json]", "list networks",
                  {{"all", "inactive", "json", "name"}, {}, 0, 0}, true, net_list});
  cmds.push_back({"net-info", "net-info NETWORK [--json]", "show a network's state", {{"json"}, {}, 1, 1}, true,
                  net_info});
  cmds.push_back({"net-dumpxml", "net-dumpxml NETWORK [--inactive]", "print a network's libvirt XML",
                  {{"inactive"}, {}, 1, 1}, true, [](const Args& a) {
                    Client c;
                    std::cout << c.lookup(a.positional[0])->GetXMLDesc(a.has("inactive") ? 1 : 0);
                    return 0;
                  }});
  cmds.push_back({"net-autostart", "net-autostart NETWORK [--disable]", "start the network with hostnetd",
                  {{"disable"}, {}, 1, 1}, true, [](const Args& a) {
                    Client c;
                    auto n = c.lookup(a.positional[0]);
                    bool enable = !a.has("disable");
                    n->SetAutostart(enable);
                    std::cout << "Network " << n->Name() << (enable ? " marked as autostarted\n" : " unmarked as autostarted\n");
                    return 0;
                  }});
  cmds.push_back({"net-uuid", "net-uuid NETWORK", "print a network's uuid", {{}, {}, 1, 1}, true,
                  [](const Args& a) {
                    Client c;
                    std::cout << c.lookup(a.positional[0])->UUID() << "\n";
                    return 0;
                  }});
  cmds.push_back({"net-name", "net-name UUID", "print the name of the network with this uuid", {{}, {}, 1, 1}, true,
                  [](const Args& a) {
                    Client c;
                    std::cout << c.lookup(a.positional[0])->Name() << "\n";
                    return 0;
                  }});
  cmds.push_back({"net-dhcp-leases", "net-dhcp-leases NETWORK [--json]", "list the DHCP leases of a network",
                  {{"json"}, {}, 1, 1}, true, net_dhcp_leases});
  cmds.push_back({"net-update", "net-update NETWORK COMMAND SECTION XML [--live] [--config]",
                  "add or delete DHCP hosts (ip-dhcp-host) and DNS hosts (dns-host), like virsh",
                  {{"live", "config", "current"}, {}, 4, 4}, true, net_update});
  cmds.push_back({"net-port-forward-add",
                  "net-port-forward-add NETWORK --host-port PORT[-END] --to IP[:PORT] [--proto tcp|udp] [--host-address IP]",
                  "forward host ports into a nat network", {{}, {"proto", "host-port", "to", "host-address"}, 1, 1}, true,
                  net_port_forward_add});
  cmds.push_back({"net-port-forward-remove",
                  "net-port-forward-remove NETWORK --host-port PORT [--proto tcp|udp] [--host-address IP]",
                  "remove a port forward", {{}, {"proto", "host-port", "host-address"}, 1, 1}, true,
                  net_port_forward_remove});
  cmds.push_back({"net-port-forward-list", "net-port-forward-list NETWORK [--json]", "list a network's port forwards",
                  {{"json"}, {}, 1, 1}, true, net_port_forward_list});
  cmds.push_back({"net-validate", "net-validate FILE", "check network XML offline (no daemon needed)",
                  {{}, {}, 1, 1}, false, net_validate});
  return cmds;
}

}  // namespace hostnet::cli

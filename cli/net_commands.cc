#include "cli/net_commands.h"

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/client.h"
#include "cli/table.h"
#include "xml/network_xml.h"

namespace hostnet::cli {
namespace {

std::string read_input_file(const std::string& path) {
  std::ifstream in(path == "-" ? "/dev/stdin" : path);
  if (!in) throw UsageError{"cannot read '" + path + "'"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

struct NetworkSummary {
  std::string name, uuid, bridge, backend, forward;
  bool active, persistent, autostart;
};

NetworkSummary summarize(NetworkProxy& n) {
  return {n.Name(), n.UUID(), n.Bridge(), n.Backend(), n.ForwardMode(), n.Active(), n.Persistent(), n.Autostart()};
}

nlohmann::json to_json(const NetworkSummary& s) {
  return {{"name", s.name},     {"uuid", s.uuid},         {"active", s.active},       {"persistent", s.persistent},
          {"autostart", s.autostart}, {"bridge", s.bridge}, {"backend", s.backend}, {"forward", s.forward}};
}

int net_define(const Args& a, bool transient) {
  Client c;
  std::string xml = read_input_file(a.positional[0]);
  auto path = transient ? c.manager().CreateNetwork(xml) : c.manager().DefineNetwork(xml);
  auto n = c.network(path);
  std::cout << "Network " << n->Name() << (transient ? " created from " : " defined from ") << a.positional[0]
            << "\n";
  return 0;
}

int net_list(const Args& a) {
  Client c;
  bool all = a.has("all"), inactive_only = a.has("inactive");
  std::vector<NetworkSummary> rows;
  for (const auto& path : c.manager().ListNetworks()) {
    auto n = c.network(path);
    auto s = summarize(*n);
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
  auto n = c.lookup(a.positional[0]);
  auto s = summarize(*n);
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

int net_validate(const Args& a) {
  const auto& file = a.positional[0];
  auto def = xml::parse_network(read_input_file(file));
  if (!def) {
    std::cerr << "error: " << errc_name(def.error().code) << ": " << file << ": " << def.error().message << "\n";
    return 1;
  }
  std::cout << file << " validates\n";
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
  cmds.push_back({"net-validate", "net-validate FILE", "check network XML offline (no daemon needed)",
                  {{}, {}, 1, 1}, false, net_validate});
  return cmds;
}

}  // namespace hostnet::cli

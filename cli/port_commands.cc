#include "cli/port_commands.h"

#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/client.h"
#include "cli/table.h"

namespace hostnet::cli {
namespace {

const char* const kStringOptions[] = {"kind", "name", "mac", "portgroup", "vlan", "native-mode",
                                      "inbound", "outbound", "interface-id", "vm-uuid"};
const char* const kNumberOptions[] = {"queues", "owner", "group", "mtu", "native-vlan"};

uint32_t number_option(const std::string& name, const std::string& text) {
  size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-' || v > 0xffffffffUL)
    throw UsageError{"--" + name + " '" + text + "': not a number"};
  return static_cast<uint32_t>(v);
}

struct PortSummary {
  std::string id, kind, name, network, mac, vlan, portgroup, bandwidth, interface_id, vhost_reason, vm_name, vm_uuid,
      problem, socket;
  uint32_t queues, owner;
  int32_t ifindex;
  bool isolated, vhost_net;
};

constexpr const char* kPortInterface = "org.hostnet1.Port";

PortSummary summarize(const Properties& p) {
  using S = std::string;
  auto owner = p.count("Owner") ? property<uint32_t>(p, "Owner") : 0xffffffffu;
  return {property<S>(p, "Id"),          property<S>(p, "Kind"),           property<S>(p, "Name"),
          property<S>(p, "Network"),     property<S>(p, "MAC"),            property<S>(p, "VLAN"),
          property<S>(p, "Portgroup"),   property<S>(p, "Bandwidth"),      property<S>(p, "InterfaceId"),
          property<S>(p, "VhostNetReason"), property<S>(p, "VMName"),      property<S>(p, "VMUUID"),
          property<S>(p, "Problem"),     property<S>(p, "Socket"),         property<uint32_t>(p, "Queues"),
          owner,                         property<int32_t>(p, "Ifindex"),  property<bool>(p, "Isolated"),
          property<bool>(p, "VhostNet")};
}

PortSummary summarize(Client& c, const std::string& path) { return summarize(c.properties(path, kPortInterface)); }

nlohmann::json to_json(const PortSummary& s) {
  nlohmann::json j = {{"id", s.id},           {"name", s.name},         {"network", s.network}, {"mac", s.mac},
                      {"kind", s.kind},        {"queues", s.queues},     {"ifindex", s.ifindex}, {"vlan", s.vlan},
                      {"isolated", s.isolated}, {"portgroup", s.portgroup}, {"bandwidth", s.bandwidth},
                      {"interface_id", s.interface_id}, {"vhost_net", s.vhost_net}, {"vm_name", s.vm_name},
                      {"vm_uuid", s.vm_uuid}, {"problem", s.problem}, {"socket", s.socket}};
  j["owner"] = s.owner == 0xffffffffu ? nlohmann::json(nullptr) : nlohmann::json(s.owner);
  return j;
}

int port_create(const Args& a) {
  std::map<std::string, sdbus::Variant> options;
  for (const char* o : kStringOptions)
    if (auto v = a.option(o)) options[o] = sdbus::Variant(*v);
  for (const char* o : kNumberOptions)
    if (auto v = a.option(o)) options[o] = sdbus::Variant(number_option(o, *v));
  if (a.has("isolated")) options["isolated"] = sdbus::Variant(true);
  if (a.has("trunk")) options["trunk"] = sdbus::Variant(true);
  Client c;
  auto path = c.lookup(a.positional[0])->CreatePort(options);
  auto s = summarize(c, path);
  if (a.has("json")) {
    std::cout << to_json(s).dump(2) << "\n";
    return 0;
  }
  std::cout << "Port " << s.name << " created on network " << a.positional[0] << " (id " << s.id << ")\n";
  return 0;
}

int port_list(const Args& a) {
  Client c;
  std::vector<PortSummary> rows;
  auto objects = c.objects(kPortInterface);
  for (const auto& path : c.manager().ListPorts(a.option("network").value_or("")))
    if (auto it = objects.find(path); it != objects.end()) rows.push_back(summarize(it->second));
  if (a.has("json")) {
    auto arr = nlohmann::json::array();
    for (const auto& s : rows) arr.push_back(to_json(s));
    std::cout << arr.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& s : rows)
    table.push_back({s.id, s.name, s.kind, s.network, s.mac, s.vm_name.empty() ? "-" : s.vm_name,
                     std::to_string(s.queues), s.vlan.empty() ? "-" : s.vlan, s.problem.empty() ? "forwarding" : "blocked"});
  std::cout << format_table({"Id", "Name", "Kind", "Network", "MAC", "Domain", "Queues", "VLAN", "State"}, table);
  return 0;
}

int port_info(const Args& a) {
  Client c;
  auto p = c.lookup_port(a.positional[0]);
  auto s = summarize(c, p->getObjectPath());
  auto stats = p->GetStatistics();
  if (a.has("json")) {
    auto j = to_json(s);
    j["statistics"] = stats;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  auto row = [](const char* k, const std::string& v) { std::cout << k << std::string(16 - std::string(k).size(), ' ') << v << "\n"; };
  row("Id:", s.id);
  row("Name:", s.name);
  row("Network:", s.network);
  row("MAC:", s.mac);
  row("Kind:", s.kind);
  if (!s.vm_name.empty()) row("Domain:", s.vm_name + (s.vm_uuid.empty() ? "" : " (" + s.vm_uuid + ")"));
  else if (!s.vm_uuid.empty()) row("VM UUID:", s.vm_uuid);
  row("State:", s.problem.empty() ? "forwarding" : "blocked: " + s.problem);
  if (!s.socket.empty()) row("Socket:", s.socket);
  row("Queues:", std::to_string(s.queues));
  row("Owner:", s.owner == 0xffffffffu ? "-" : std::to_string(s.owner));
  row("Ifindex:", std::to_string(s.ifindex));
  row("Portgroup:", s.portgroup.empty() ? "-" : s.portgroup);
  row("VLAN:", s.vlan.empty() ? "-" : s.vlan);
  row("Isolated:", s.isolated ? "yes" : "no");
  row("Bandwidth:", s.bandwidth.empty() ? "-" : s.bandwidth);
  row("vhost-net:", s.vhost_net ? "yes" : "no (" + s.vhost_reason + ")");
  for (const auto& [k, v] : stats) row((k + ":").c_str(), std::to_string(v));
  return 0;
}

}  // namespace

std::vector<Command> port_commands() {
  std::vector<Command> cmds;
  cmds.push_back({"port-create",
                  "port-create NETWORK [--kind tap|internal|vhost-user] [--name DEV] [--mac MAC] [--queues N] [--owner UID] [--group GID] [--mtu N] "
                  "[--portgroup PG] [--vlan TAG[,TAG...]] [--trunk] [--native-vlan TAG] [--native-mode tagged|untagged] "
                  "[--isolated] [--inbound AVG[,PEAK[,BURST]]] [--outbound AVG[,PEAK[,BURST]]] [--interface-id ID] "
                  "[--vm-uuid UUID] [--json]",
                  "create a VM port (a tap plugged into the network)",
                  {{"isolated", "trunk", "json"},
                   {"kind", "name", "mac", "queues", "owner", "group", "mtu", "portgroup", "vlan", "native-vlan", "native-mode",
                    "inbound", "outbound", "interface-id", "vm-uuid"},
                   1, 1},
                  true, port_create});
  cmds.push_back({"port-list", "port-list [--network NETWORK] [--json]", "list VM ports", {{"json"}, {"network"}, 0, 0},
                  true, port_list});
  cmds.push_back({"port-info", "port-info PORT [--json]", "show a port's settings and counters", {{"json"}, {}, 1, 1},
                  true, port_info});
  cmds.push_back({"port-dumpxml", "port-dumpxml PORT", "print the libvirt <interface> that uses the port",
                  {{}, {}, 1, 1}, true, [](const Args& a) {
                    Client c;
                    std::cout << c.lookup_port(a.positional[0])->GetInterfaceXML();
                    return 0;
                  }});
  cmds.push_back({"port-delete", "port-delete PORT", "unplug and delete a port", {{}, {}, 1, 1}, true,
                  [](const Args& a) {
                    Client c;
                    auto p = c.lookup_port(a.positional[0]);
                    auto name = p->Name();
                    p->Delete();
                    std::cout << "Port " << name << " deleted\n";
                    return 0;
                  }});
  return cmds;
}

}  // namespace hostnet::cli

#include "cli/libvirt_commands.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/client.h"

namespace hostnet::cli {

namespace {

template <class T>
T get(const std::map<std::string, sdbus::Variant>& m, const char* key, T fallback) {
  auto it = m.find(key);
  return it == m.end() ? fallback : it->second.get<T>();
}

int libvirt_info(const Args& a) {
  Client c;
  auto link = c.manager().Libvirt();
  bool enabled = get(link, "Enabled", false), connected = get(link, "Connected", false);
  std::string uri = get(link, "URI", std::string()), reason = get(link, "Reason", std::string());
  if (a.has("json")) {
    std::cout << nlohmann::json{{"enabled", enabled}, {"connected", connected}, {"uri", uri}, {"reason", reason}}.dump(2)
              << "\n";
    return 0;
  }
  std::cout << "Enabled:        " << (enabled ? "yes" : "no") << "\n"
            << "Connected:      " << (connected ? "yes" : "no") << "\n";
  if (!uri.empty()) std::cout << "URI:            " << uri << "\n";
  if (!reason.empty()) std::cout << "Reason:         " << reason << "\n";
  return 0;
}

int net_import(const Args& a) {
  Client c;
  std::vector<std::string> names;
  if (a.has("all")) {
    if (!a.positional.empty()) throw UsageError{"net-import: a NETWORK or --all, not both"};
    names = c.manager().ListLibvirtNetworks();
    if (names.empty()) std::cout << "libvirt has no network of its own to import\n";
  } else {
    if (a.positional.empty()) throw UsageError{"net-import: which network? (a NETWORK, or --all)"};
    names = {a.positional[0]};
  }
  int rc = 0;
  for (const auto& name : names) {
    try {
      auto path = c.manager().ImportLibvirtNetwork(name);
      auto n = c.network(path);
      std::cout << "Network " << name << " imported from libvirt (bridge " << n->Bridge() << ")\n";
    } catch (const sdbus::Error& e) {
      // --all goes on with the others: a network of a kind hostnet does not take (on a host
      // bridge, macvtap, hostdev) is skipped, any other failure is an error.
      if (!a.has("all")) throw;
      bool skipped = e.getName() == "org.hostnet1.Error.Unsupported";
      std::cerr << (skipped ? "skipped " : "error: ") << name << ": " << e.getMessage() << "\n";
      if (!skipped) rc = 1;
    }
  }
  return rc;
}

int net_release(const Args& a) {
  Client c;
  c.manager().ReleaseLibvirtNetwork(a.positional[0]);
  std::cout << "Network " << a.positional[0] << " given back to libvirt\n";
  return 0;
}

}  // namespace

std::vector<Command> libvirt_commands() {
  return {{"libvirt-info", "libvirt-info [--json]", "whether hostnetd is connected to libvirtd, and why not",
           {{"json"}, {}, 0, 0}, true, libvirt_info},
          {"net-import", "net-import NETWORK | --all",
           "make libvirt's own network hostnet's, its guests and leases kept (libvirt keeps it as hostnet's registration)",
           {{"all"}, {}, 0, 1}, true, net_import},
          {"net-release", "net-release NETWORK", "give an imported network back to libvirt's own driver",
           {{}, {}, 1, 1}, true, net_release}};
}

}  // namespace hostnet::cli

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

}  // namespace

std::vector<Command> libvirt_commands() {
  return {{"libvirt-info", "libvirt-info [--json]", "whether hostnetd is connected to libvirtd, and why not",
           {{"json"}, {}, 0, 0}, true, libvirt_info}};
}

}  // namespace hostnet::cli

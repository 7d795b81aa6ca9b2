// hostnetctl: the admin CLI. virsh-style verbs over hostnetd's D-Bus API.
#include <cstring>
#include <iostream>

#include <sdbus-c++/Error.h>

#include "cli/client.h"
#include "cli/libvirt_commands.h"
#include "cli/net_commands.h"
#include "cli/port_commands.h"
#include "hostnet_config.h"

using namespace hostnet::cli;

namespace {

constexpr const char* kErrorPrefix = "org.hostnet1.Error.";

std::vector<Command> all_commands() {
  auto cmds = net_commands();
  for (auto& c : port_commands()) cmds.push_back(std::move(c));
  for (auto& c : libvirt_commands()) cmds.push_back(std::move(c));
  cmds.push_back({"version", "version [--json]", "print client and daemon versions", {{"json"}, {}, 0, 0}, false,
                  [](const Args& a) {
                    std::string daemon;
                    try {
                      Client c;
                      daemon = c.manager().Version();
                    } catch (const sdbus::Error& e) {
                      daemon = "unreachable (" + e.getMessage() + ")";
                    }
                    if (a.has("json"))
                      std::cout << "{\"client\": \"" HOSTNET_VERSION "\", \"daemon\": \"" << daemon << "\"}\n";
                    else
                      std::cout << "hostnetctl " HOSTNET_VERSION "\nhostnetd " << daemon << "\n";
                    return 0;
                  }});
  return cmds;
}

void usage(const std::vector<Command>& cmds) {
  std::cout << "Usage: hostnetctl VERB [ARGS]\n\nManages hostnetd's networks (libvirt network XML) and VM ports.\n\nVerbs:\n";
  for (const auto& c : cmds) {
    std::string syn = c.synopsis;
    std::cout << "  " << syn << std::string(syn.size() < 52 ? 52 - syn.size() : 1, ' ') << c.summary << "\n";
  }
  std::cout << "\nEvery verb takes --help. Connects to DBUS_SYSTEM_BUS_ADDRESS when set, else the system bus.\n";
}

}  // namespace

int main(int argc, char** argv) {
  auto cmds = all_commands();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    usage(cmds);
    return argc < 2 ? 1 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) argv[1] = const_cast<char*>("version");
  std::string verb = argv[1];
  const Command* cmd = nullptr;
  for (const auto& c : cmds)
    if (verb == c.name) cmd = &c;
  if (!cmd) {
    std::cerr << "error: unknown verb '" << verb << "' (see hostnetctl --help)\n";
    return 1;
  }
  std::vector<std::string> rest(argv + 2, argv + argc);
  for (const auto& r : rest) {
    if (r == "--help" || r == "-h") {
      std::cout << "Usage: hostnetctl " << cmd->synopsis << "\n\n" << cmd->summary << "\n";
      return 0;
    }
  }
  try {
    return cmd->run(parse_args(rest, cmd->spec));
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.message << "\nUsage: hostnetctl " << cmd->synopsis << "\n";
    return 1;
  } catch (const sdbus::Error& e) {
    std::string name = e.getName();
    if (name.starts_with(kErrorPrefix)) name = name.substr(std::strlen(kErrorPrefix));
    std::cerr << "error: " << name << ": " << e.getMessage() << "\n";
    return 1;
  }
}

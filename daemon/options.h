// hostnetd's command line.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace hostnet {

struct DaemonOptions {
  std::string config_dir;
  std::string state_dir;
  std::string plugin_dir;
  std::string default_backend = "bridge";
  std::optional<std::string> admin_group;
  bool polkit = true;
  std::string dnsmasq = "/usr/sbin/dnsmasq";
  bool dhcp_no_ping = false;
  std::string libvirt_uri = "qemu:///system";
  bool libvirt = true;
  std::vector<std::pair<std::string, std::string>> plugin_options;
  bool debug = false;
  bool show_help = false;
  bool show_version = false;
};

Result<DaemonOptions> parse_daemon_options(int argc, char** argv);
const char* daemon_usage();

}  // namespace hostnet

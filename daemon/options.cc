#include "daemon/options.h"

#include <cstring>

#include "hostnet_config.h"

namespace hostnet {

const char* daemon_usage() {
  return "Usage: hostnetd [OPTIONS]\n"
         "Host network manager for virtualization hosts (D-Bus name org.hostnet1).\n\n"
         "  --config-dir DIR       network definitions (default " HOSTNET_DEFAULT_CONFIG_DIR ")\n"
         "  --state-dir DIR        runtime state (default " HOSTNET_DEFAULT_STATE_DIR ")\n"
         "  --plugin-dir DIR       switch backend plugins, searched recursively\n"
         "                         (default " HOSTNET_DEFAULT_PLUGIN_DIR ")\n"
         "  --default-backend NAME backend for networks that do not name one (default bridge)\n"
         "  --admin-group GROUP    members may change networks, as root can\n"
         "  --no-polkit            never ask polkit: only root, the admin group and port\n"
         "                         owners are allowed (default: polkit decides for others)\n"
         "  --plugin-option K=V    passed to every plugin (e.g. ovsdb-socket=/path)\n"
         "  --ovsdb-socket PATH    shorthand for --plugin-option ovsdb-socket=PATH\n"
         "  --dnsmasq PATH         the dnsmasq binary (default /usr/sbin/dnsmasq)\n"
         "  --dhcp-no-ping         offer leases without dnsmasq's 3 s ping check (test rigs)\n"
         "  --libvirt-uri URI      the libvirtd to register networks in (default qemu:///system)\n"
         "  --no-libvirt           do not connect to libvirt at all\n"
         "  --debug                verbose logging\n"
         "  --version, --help\n\n"
         "Connects to the bus in DBUS_SYSTEM_BUS_ADDRESS when set, else the system bus.\n";
}

Result<DaemonOptions> parse_daemon_options(int argc, char** argv) {
  DaemonOptions o;
  o.config_dir = HOSTNET_DEFAULT_CONFIG_DIR;
  o.state_dir = HOSTNET_DEFAULT_STATE_DIR;
  o.plugin_dir = HOSTNET_DEFAULT_PLUGIN_DIR;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_inline = false;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    auto need_value = [&]() -> Result<std::string> {
      if (has_inline) return value;
      if (i + 1 >= argc) return fail(Errc::InvalidArgument, arg + " needs a value");
      return std::string(argv[++i]);
    };
    auto take = [&](std::string& into) -> Result<void> {
      auto v = need_value();
      if (!v) return tl::unexpected(v.error());
      into = *v;
      return {};
    };
    Result<void> r;
    if (arg == "--config-dir") r = take(o.config_dir);
    else if (arg == "--state-dir") r = take(o.state_dir);
    else if (arg == "--plugin-dir") r = take(o.plugin_dir);
    else if (arg == "--default-backend") r = take(o.default_backend);
    else if (arg == "--admin-group") {
      std::string g;
      r = take(g);
      o.admin_group = g;
    } else if (arg == "--plugin-option" || arg == "--ovsdb-socket") {
      std::string kv;
      r = take(kv);
      if (r && arg == "--ovsdb-socket") kv = "ovsdb-socket=" + kv;
      auto eq = kv.find('=');
      if (r && eq == std::string::npos) r = fail(Errc::InvalidArgument, "--plugin-option wants KEY=VALUE");
      if (r) o.plugin_options.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else if (arg == "--dnsmasq") r = take(o.dnsmasq);
    else if (arg == "--no-polkit") o.polkit = false;
    else if (arg == "--dhcp-no-ping") o.dhcp_no_ping = true;
    else if (arg == "--libvirt-uri") r = take(o.libvirt_uri);
    else if (arg == "--no-libvirt") o.libvirt = false;
    else if (arg == "--debug") o.debug = true;
    else if (arg == "--help" || arg == "-h") o.show_help = true;
    else if (arg == "--version") o.show_version = true;
    else r = fail(Errc::InvalidArgument, "unknown option '" + arg + "' (see --help)");
    if (!r) return tl::unexpected(r.error());
  }
  return o;
}

}  // namespace hostnet

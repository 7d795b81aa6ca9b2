// hostnetd: wires the core (Manager), the plugins, the D-Bus adaptors, libvirt and the event loop.
#include <malloc.h>
#include <grp.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>

#include "common/log.h"
#include "daemon/backend_registry.h"
#include "daemon/dhcp/dnsmasq_service.h"
#include "daemon/drift_watcher.h"
#include "daemon/event_loop.h"
#include "daemon/firewall/docker_user.h"
#include "daemon/firewall/nft_firewall.h"
#include "daemon/manager.h"
#include "daemon/network_store.h"
#include "daemon/options.h"
#include "daemon/ports/port_manager.h"
#include "daemon/shaping/tc_shaper.h"
#include "dbus/bus_service.h"
#include "dbus/firewalld_zones.h"
#include "dbus/object_path.h"
#include "hostnet_config.h"
#include "libvirt/libvirt_link.h"

using namespace hostnet;

namespace {

std::string reconcile_summary(std::size_t networks, std::size_t ports, std::chrono::steady_clock::duration net_time,
                              std::chrono::steady_clock::duration port_time) {
  auto ms = [](std::chrono::steady_clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
  };
  auto count = [](std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
  };
  return "reconciled " + count(networks, "network") + " in " + ms(net_time) + " and " + count(ports, "port") + " in " +
         ms(port_time);
}

int run(const DaemonOptions& opts) {
  dbus::AuthPolicy auth;
  auth.use_polkit = opts.polkit;
  if (opts.admin_group) {
    struct group* g = ::getgrnam(opts.admin_group->c_str());
    if (!g) {
      log::error("--admin-group: no group named '" + *opts.admin_group + "'");
      return 2;
    }
    auth.admin_group = g->gr_gid;
  }

  NetworkStore store(opts.config_dir, opts.state_dir);
  if (auto r = store.prepare(); !r) {
    log::error(r.error().message);
    return 1;
  }

  auto loop = EventLoop::create();
  if (!loop) {
    log::error(loop.error().message);
    return 1;
  }
  if (auto r = (*loop)->exit_on_signals(); !r) {
    log::error(r.error().message);
    return 1;
  }
  // Backends come before the drift watcher that repairs what they report changed; their reports
  // arrive only from the running loop, when it exists.
  std::function<void()> repair_soon;
  BackendRegistry backends;
  backends.load_plugins(opts.plugin_dir, PluginContext{opts.state_dir, opts.plugin_options, (*loop)->get(),
                                                       [&repair_soon] { if (repair_soon) repair_soon(); }});
  if (backends.infos().empty()) log::warning("no switch backend plugins found in " + opts.plugin_dir);
  auto firewall = NftFirewall::open();
  if (!firewall) {
    log::error(firewall.error().message);
    return 1;
  }
  DnsmasqService dhcp((*loop)->get(), opts.state_dir, opts.dnsmasq, dhcp::DnsmasqOptions{opts.dhcp_no_ping});
  // On a host that runs Docker, hostnet's bridges are let through its DOCKER-USER chain.
  DockerUserFilter docker(**firewall);
  // On a host that runs firewalld, their bridges are kept in a firewalld zone.
  dbus::FirewalldZones filter(docker);
  Manager manager(store, backends, filter, dhcp, ManagerOptions{opts.default_backend, "hnbr%d", true});
  auto shaper = TcShaper::open();
  if (!shaper) {
    log::error(shaper.error().message);
    return 1;
  }
  manager.set_shaper(&*shaper);
  // The restart's cost, phase by phase, for the journal: what an admin waits for at boot.
  auto began = std::chrono::steady_clock::now();
  manager.reconcile();
  auto networks_done = std::chrono::steady_clock::now();
  auto ports = PortManager::create(manager, PortManagerOptions{opts.state_dir});
  if (!ports) {
    log::error(ports.error().message);
    return 1;
  }
  (*ports)->reconcile();
  auto ports_done = std::chrono::steady_clock::now();
  log::info(reconcile_summary(manager.list().size(), (*ports)->list().size(), networks_done - began,
                              ports_done - networks_done));
  // The reconcile's listings (every link, hostnet's whole table) are freed but glibc keeps their
  // pages; a daemon that then idles for months should not hold a restart's peak.
  ::malloc_trim(0);
  auto drift = DriftWatcher::attach((*loop)->get(), manager);
  if (!drift) {
    log::error(drift.error().message);
    return 1;
  }
  repair_soon = [watcher = drift->get()] { watcher->repair_soon(); };
  filter.follow((*loop)->get(), [&repair_soon] { if (repair_soon) repair_soon(); });

  std::unique_ptr<libvirt::LibvirtLink> libvirt_link;
  if (opts.libvirt) {
    auto link = libvirt::LibvirtLink::start((*loop)->get(), manager, **ports, opts.libvirt_uri, opts.config_dir);
    if (!link) {
      log::error("libvirt: " + link.error().message);
      return 1;
    }
    libvirt_link = std::move(*link);
  } else {
    manager.peers().set_link(libvirt::kPeerName, PeerLink{false, false, "", "switched off (--no-libvirt)"});
  }

  dbus::BusService bus((*loop)->get(), manager, **ports, auth);
  if (auto r = bus.start(); !r) {
    log::error(r.error().message);
    return 1;
  }
  log::notice("hostnetd " HOSTNET_VERSION " ready on " + std::string(dbus::kBusName));
  int rc = (*loop)->run();
  repair_soon = nullptr;
  // Port adds and network starts still waiting for their switch are dropped now (port adds
  // rolled back), while the bus their pending replies belong to still exists.
  (*ports)->abandon_creations();
  manager.abandon_starts();
  // Networks stay up when the daemon stops: VMs keep their traffic; the next start adopts them.
  log::notice("hostnetd stopping; active networks stay up");
  return rc < 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto opts = parse_daemon_options(argc, argv);
  if (!opts) {
    std::fprintf(stderr, "hostnetd: %s\n", opts.error().message.c_str());
    return 2;
  }
  if (opts->show_help) {
    std::fputs(daemon_usage(), stdout);
    return 0;
  }
  if (opts->show_version) {
    std::puts("hostnetd " HOSTNET_VERSION);
    return 0;
  }
  if (opts->debug) log::set_max_level(log::Level::Debug);
  try {
    return run(*opts);
  } catch (const std::exception& e) {
    log::error(std::string("fatal: ") + e.what());
    return 1;
  }
}

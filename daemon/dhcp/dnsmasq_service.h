// One supervised dnsmasq per network that needs DHCP or DNS. Each runs in the foreground as a
// child of hostnetd, watched on the event loop: if it dies it is restarted with a growing delay
// (0.2 s doubling to 10 s, back to 0.2 s once it stayed up a minute), and its lease file is kept
// so VMs keep their addresses. When hostnetd itself stops, the dnsmasq processes stay: VMs keep
// renewing; the next hostnetd replaces each one (found by its pid file) with a child of its own.
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "daemon/dhcp/dhcp_service.h"
#include "daemon/dhcp/dnsmasq_config.h"

namespace hostnet {

class DnsmasqService final : public DhcpService {
 public:
  // SIGCHLD must be blocked (the event loop does it): children are reaped through sd-event.
  DnsmasqService(sd_event* loop, std::filesystem::path state_dir, std::string binary, dhcp::DnsmasqOptions options);
  ~DnsmasqService() override;

  Result<void> start(const xml::NetworkDef& def) override;
  void stop(const std::string& network) override;
  Result<std::vector<DhcpLease>> leases(const xml::NetworkDef& def) override;
  Result<void> seed_leases(const xml::NetworkDef& def, const std::vector<DhcpLease>& leases) override;
  // Rewrites the hosts files and sends SIGHUP, which makes dnsmasq re-read them.
  Result<void> reload(const xml::NetworkDef& def) override;
  void prune(const std::vector<std::string>& active) override;

  // The running dnsmasq of a network, or 0.
  pid_t pid(const std::string& network) const;

 private:
  struct Instance;
  dhcp::DnsmasqPaths paths_for(const std::string& network) const;
  std::filesystem::path conf_path(const std::string& network) const;
  Result<void> spawn(Instance& inst);
  void on_exit(Instance& inst, const siginfo_t& info);
  void schedule_restart(Instance& inst);
  void kill_stale(const std::string& network);
  // Ends the network's dnsmasq (ours or a stale one) but keeps its files, leases above all.
  void halt(const std::string& network);
  static int child_cb(sd_event_source*, const siginfo_t* info, void* data);
  static int timer_cb(sd_event_source*, uint64_t, void* data);

  sd_event* loop_;
  std::filesystem::path dir_;
  std::string binary_;
  dhcp::DnsmasqOptions options_;
  std::map<std::string, std::unique_ptr<Instance>> instances_;
};

}  // namespace hostnet

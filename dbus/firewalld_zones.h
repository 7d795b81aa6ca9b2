// Hosts that run firewalld: its `inet firewalld` table rejects forwarded packets of interfaces
// that are in no zone — with br_netfilter even frames between two ports of one bridge — so a NAT
// network's guests lose the outside and each other (firewalld#397, libvirt#102). firewalld's
// documented way in is its D-Bus API: this filter wraps the real one and, while a network's rules
// are in place, keeps its bridge in a firewalld zone — the one the network's <bridge zone=...>
// names, else `hostnet` (dbus/firewalld/hostnet.xml: forwarding left to hostnet's own table, of
// the host's services only DHCP, DNS and ICMP), else `trusted` when that zone is not installed.
// The bindings are runtime ones (nothing written to /etc/firewalld; a hostnetd that dies leaves
// nothing firewalld keeps), so a firewalld reload or restart drops them: firewalld's Reloaded
// signal and its name changing owner have the daemon repair, which binds them again. Nothing is
// done while no firewalld is on the bus.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <sdbus-c++/IConnection.h>

#include "daemon/firewall/packet_filter.h"

namespace hostnet::dbus {

class BusEventSource;

inline constexpr const char* kFirewalldBusName = "org.fedoraproject.FirewallD1";
inline constexpr const char* kHostnetZone = "hostnet";

class FirewalldZones final : public PacketFilterDecorator {
 public:
  explicit FirewalldZones(PacketFilter& inner, std::string default_zone = kHostnetZone);
  ~FirewalldZones() override;
  FirewalldZones(const FirewalldZones&) = delete;
  FirewalldZones& operator=(const FirewalldZones&) = delete;

  // From the running loop on, follows firewalld: when it starts, restarts or reloads,
  // `rebind` runs (the daemon's repair, which calls add_network for every active network).
  void follow(sd_event* loop, std::function<void()> rebind);

  // Fails, changing nothing, when the network names a zone firewalld does not have.
  Result<void> add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous = nullptr) override;
  Result<void> remove_network(const xml::NetworkDef& def) override;
  // Takes out of hostnet's zone the bindings of bridges that are gone and no active network has
  // (a start cut off by a kill bound one; firewalld keeps a runtime binding after its device).
  void prune(const std::vector<const xml::NetworkDef*>& active) override;

 private:
  // The zone def's bridge belongs in, or none (a network firewalld is not asked about).
  std::optional<std::string> wanted_zone(const xml::NetworkDef& def) const;
  // The zone to use and whether firewalld has it; firewalld is known to be on the bus.
  Result<std::string> resolve_zone(const xml::NetworkDef& def, const std::string& wanted);
  void bind(const xml::NetworkDef& def, const std::string& zone);
  void unbind(const xml::NetworkDef& def);
  // The connection, opened on first use; nullptr when there is no bus.
  sdbus::IConnection* connection();
  bool firewalld_present();
  // Subscribes the connection to firewalld's comings, goings and reloads, on loop_.
  void watch();
  void forget_connection();

  std::string default_zone_;
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<BusEventSource> source_;
  sd_event* loop_ = nullptr;
  std::function<void()> rebind_;
  bool connection_lost_ = false;
  // Unknown until asked, then kept current by NameOwnerChanged while followed.
  std::optional<bool> present_;
  // The zones warned about once (the default one missing, for instance).
  std::set<std::string> warned_;
};

}  // namespace hostnet::dbus

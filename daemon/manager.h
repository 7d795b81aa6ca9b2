// The core of hostnetd: the set of networks, and every change to it. It knows nothing of D-Bus:
// the bus layer calls these methods and listens through ManagerObserver.
//
// Every mutating method either succeeds completely or changes nothing: what it made on the host is
// rolled back, and no definition is lost or half-written.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/observers.h"
#include "common/result.h"
#include "daemon/backend_registry.h"
#include "daemon/dhcp/dhcp_service.h"
#include "daemon/firewall/packet_filter.h"
#include "daemon/host_routes.h"
#include "daemon/network.h"
#include "daemon/network_store.h"
#include "daemon/network_importer.h"
#include "daemon/peer_status.h"
#include "daemon/shaping/traffic_shaper.h"

namespace hostnet {

class ManagerObserver {
 public:
  virtual ~ManagerObserver() = default;
  virtual void network_added(const Network& network) = 0;
  virtual void network_changed(const Network& network) = 0;
  virtual void network_removed(const std::string& name) = 0;
};

// What else lives on a network and must follow it (the ports): told before a network's switch
// goes away and after it was repaired.
class NetworkListener {
 public:
  virtual ~NetworkListener() = default;
  virtual void network_stopping(const Network& network) = 0;
  virtual void network_repaired(const Network& network) = 0;
  // Around a repair of every network: what a listener reads of the host (one link dump) may be
  // read once for the whole pass.
  virtual void repair_pass(bool starting) { (void)starting; }
};

// A peer's say on a definition before it is stored or started (libvirt: the name is not one of
// libvirt's own networks). Runs on the loop thread; must not block.
class DefinitionCheck {
 public:
  virtual ~DefinitionCheck() = default;
  virtual Result<void> check_definition(const xml::NetworkDef& def) const = 0;
};

struct ManagerOptions {
  std::string default_backend = "bridge";
  std::string bridge_name_template = "hnbr%d";
  // Refuse subnets the host already routes elsewhere (off only in unit tests, which run in the
  // host's namespace and must not depend on its routes).
  bool check_host_routes = true;
};

class Manager {
 public:
  Manager(NetworkStore& store, BackendRegistry& backends, PacketFilter& filter, DhcpService& dhcp,
          ManagerOptions options = {});

  void add_observer(ManagerObserver* observer) { observers_.add(observer); }
  void remove_observer(ManagerObserver* observer) { observers_.remove(observer); }
  void set_listener(NetworkListener* listener) { listener_ = listener; }
  void set_shaper(TrafficShaper* shaper) { shaper_ = shaper; }
  void add_definition_check(DefinitionCheck* check) { checks_.add(check); }
  void remove_definition_check(DefinitionCheck* check) { checks_.remove(check); }
  // What peers at the edge report (libvirt's connection, each network's registration).
  PeerStatus& peers() { return peers_; }
  // Who can hand hostnet networks another manager runs (libvirt's link); null when none can.
  void set_importer(NetworkImporter* importer) { importer_ = importer; }
  NetworkImporter* importer() const { return importer_; }

  // At daemon start, before an observer is set: adopt what is running, start autostart networks, remove what hostnet made
  // for networks no longer active. Problems are logged per network; one bad network does not
  // stop the others.
  void reconcile();

  // The definition's warnings (what libvirt accepts but will not work) are logged, and stay
  // in the definition for clients to show (update() likewise).
  Result<const Network*> define(std::string_view xml_text);
  Result<const Network*> create(std::string_view xml_text);
  Result<void> undefine(const std::string& name);
  Result<void> start(const std::string& name);
  // start and create for the event loop: the switch is made without the loop waiting for it
  // (OVS: for vswitchd to make the bridge's device), the rest once it exists; `done` then gets
  // the network, or the error with nothing left of it (before these return when nothing had to
  // wait). Starts run one at a time, in the order they came, each checked when its turn comes;
  // while one waits, its network is starting: stopping, undefining or changing it is Conflict.
  // `done` does not run after abandon_starts().
  using StartDone = std::function<void(Result<const Network*>)>;
  void start_async(const std::string& name, StartDone done);
  void create_async(std::string xml_text, StartDone done);
  // At shutdown: drops the starts still waiting (a switch made meanwhile is an orphan the next
  // reconcile removes).
  void abandon_starts();
  Result<void> stop(const std::string& name);
  Result<void> set_autostart(const std::string& name, bool enabled);
  // Repairs every active network after a change behind hostnet's back (see DriftWatcher).
  void repair();

  // Port forwards of a nat network: applied at once when it is active, and kept in its stored
  // definition when it is persistent. remove_port_forward matches proto, host address and the
  // first host port.
  // virsh net-update: DHCP hosts and DNS hosts, live (the running dnsmasq re-reads them, no
  // restart) and/or config (the stored definition). Neither flag means live if active, else config.
  Result<void> update(const std::string& name, const std::string& command, const std::string& section,
                      const std::string& fragment, bool live, bool config);
  Result<void> add_port_forward(const std::string& name, const xml::PortForward& forward);
  Result<void> remove_port_forward(const std::string& name, const xml::PortForward& key);

  // Taking over a network another manager runs (libvirt's own, at net-import), in two halves
  // around that manager letting it go, so its guests never lack forwarding rules:
  // begin_takeover defines it (as define does, its bridge being the other manager's still) and
  // installs its firewall rules at once, beside the other manager's; finish_takeover starts it,
  // its DHCP server knowing `leases` (those the other server gave), once the other manager has
  // removed its bridge. abandon_takeover undoes
  // begin_takeover (the rules and the definition go).
  Result<const Network*> begin_takeover(std::string_view xml_text);
  // `plug_guests` runs once the bridge exists, before STP starts on it (see takeover.cc).
  Result<const Network*> finish_takeover(const std::string& name, const std::vector<DhcpLease>& leases,
                                         const std::function<void()>& plug_guests = {});
  void abandon_takeover(const std::string& name);

  // By name, or by uuid string.
  Result<const Network*> lookup(std::string_view name_or_uuid) const;
  std::vector<const Network*> list() const;
  std::string xml_desc(const Network& network, bool inactive) const;
  // Current leases of an active network's DHCP server (empty when it has none).
  Result<std::vector<DhcpLease>> dhcp_leases(const std::string& name);
  std::string backend_name(const xml::NetworkDef& def) const;
  const BackendRegistry& backends() const { return backends_; }
  // The backend an active network's switch lives on.
  Result<SwitchBackend*> backend_for(const xml::NetworkDef& def) const { return backends_.get(backend_name(def)); }

 private:
  Result<void> run_definition_checks(const xml::NetworkDef& def) const;
  // Each of the definition's warnings not in `known` (already said).
  static void log_warnings(const xml::NetworkDef& def, const std::vector<std::string>& known = {});
  Network* find(const std::string& name);
  // Fills what the user left out: uuid, MAC and bridge name, kept from the existing definition
  // on redefine so the bridge keeps its name and address.
  Result<void> complete_definition(xml::NetworkDef& def, const Network* existing);
  // Name and uuid, and the bridge name among hostnet's networks (check_bridge_device_free: on
  // the host).
  Result<void> check_identity_free(const xml::NetworkDef& def) const;
  // define; with bridge_is_peers, the bridge device may be another manager's (a takeover).
  Result<const Network*> define(std::string_view xml_text, bool bridge_is_peers);
  Result<void> check_bridge_device_free(const xml::NetworkDef& def) const;
  Result<std::string> allocate_bridge_name(const std::string& network_name) const;
  // What must hold for def to start (driver, backend, free subnets and names, unrouted subnets).
  Result<void> check_startable(const xml::NetworkDef& def) const;
  // Brings def up (adopting what exists; with `made`, the switch made beforehand) and records it
  // as the live state.
  Result<void> bring_up(Network& network, const xml::NetworkDef& def, const SwitchState* made);
  // create and start in two halves, around making the switch.
  Result<xml::NetworkDef> prepare_create(std::string_view xml_text);
  Result<const Network*> activate_created(const xml::NetworkDef& def, const SwitchState* made);
  Result<xml::NetworkDef> prepare_start(const std::string& name);
  Result<const Network*> activate_defined(const xml::NetworkDef& def, const SwitchState* made);
  void run_next_start();
  Result<void> not_starting(const std::string& name, const char* what) const;
  Result<void> tear_down(const xml::NetworkDef& live);
  void remove_orphan_switches();
  // Firewall rules and dnsmasq servers of networks that are not active: what a hostnetd killed
  // in a start or a stop left (the start makes them before it records the network as active).
  void remove_orphan_services();
  // Replaces the network's forwards, live and stored, all or nothing; added/removed is the change
  // (given, not recomputed: a diff of two lists of a thousand forwards costs more than the change).
  Result<void> set_port_forwards(Network& n, std::vector<xml::PortForward> forwards,
                                 const std::vector<xml::PortForward>& added, const std::vector<xml::PortForward>& removed);
  void notify_changed(const Network& n) {
    observers_.notify([&](ManagerObserver& o) { o.network_changed(n); });
  }

  NetworkStore& store_;
  BackendRegistry& backends_;
  PacketFilter& filter_;
  DhcpService& dhcp_;
  ManagerOptions options_;
  // Set during reconcile's restore of active networks (check_startable fills it as it goes).
  mutable std::optional<RouteSnapshot> pass_routes_;
  Observers<ManagerObserver> observers_;
  Observers<DefinitionCheck> checks_;
  PeerStatus peers_;
  NetworkListener* listener_ = nullptr;
  TrafficShaper* shaper_ = nullptr;
  NetworkImporter* importer_ = nullptr;
  std::map<std::string, std::unique_ptr<Network>> networks_;

  struct StartJob {
    std::string name;                // start_async
    std::optional<std::string> xml;  // create_async
    StartDone done;
  };
  std::deque<StartJob> start_queue_;
  std::optional<std::string> starting_;  // the network whose switch is being made
  StartDone start_done_;                 // its caller
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // backends' completions check it
};

}  // namespace hostnet

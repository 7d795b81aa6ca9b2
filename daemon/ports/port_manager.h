// The VM ports of every network: tap devices hostnetd makes, plugs into a network's switch
// through its backend, shapes, records, and hands to VM managers as fds. Knows nothing of D-Bus.
//
// Every create is all or nothing (what it made is rolled back); ports follow their network (gone
// when it stops, re-plugged when it is repaired) and survive a hostnetd restart untouched.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/observers.h"
#include "common/netlink/link.h"
#include "common/netlink/rtnl_socket.h"
#include "common/result.h"
#include "common/reverter.h"
#include "common/unique_fd.h"
#include "daemon/manager.h"
#include "daemon/ports/port.h"
#include "daemon/ports/port_request.h"

namespace hostnet {

class PortObserver {
 public:
  virtual ~PortObserver() = default;
  virtual void port_added(const Port& port) = 0;
  virtual void port_removed(const std::string& id) = 0;
  virtual void port_changed(const Port& port) = 0;  // remade: a new ifindex
};

struct PortFds {
  std::vector<UniqueFd> taps;    // one per queue
  std::vector<UniqueFd> vhosts;  // one /dev/vhost-net fd per queue, where the host has it
};

struct PortStatistics {
  std::uint64_t rx_bytes = 0, rx_packets = 0, tx_bytes = 0, tx_packets = 0, rx_dropped = 0, tx_dropped = 0;
};

// A port another program made and plugged in: libvirt's tap for a domain's interface.
struct ForeignPort {
  std::string kind;       // who made it: "libvirt"
  std::string network;
  std::string device;     // the tap
  std::string mac;        // the guest's
  std::string portgroup;  // "" for the network's default
  std::string vm_name, vm_uuid;
  std::string peer_port;  // the maker's id of the port
};

struct PortManagerOptions {
  std::filesystem::path state_dir;
  std::filesystem::path vhost_net_device = "/dev/vhost-net";
};

class PortManager final : public NetworkListener {
 public:
  static Result<std::unique_ptr<PortManager>> create(Manager& networks, PortManagerOptions options);
  ~PortManager() override;

  void add_observer(PortObserver* observer) { observers_.add(observer); }
  void remove_observer(PortObserver* observer) { observers_.remove(observer); }

  // After Manager::reconcile: adopts the ports of active networks as they are (same device, no
  // flap), remakes missing ones, removes what hostnet made for ports that are gone.
  void reconcile();

  // Makes the ports' devices now; `done` runs once the switch has taken them (before this
  // returns when the backend finishes at once, later from the event loop otherwise: OVS waits for
  // vswitchd). Meanwhile the loop goes on serving, and the ports are not listed until they are
  // done. All are made or none: a failure is rolled back before `done` hears of it. `done` does
  // not run if the PortManager is destroyed first (the creation is then rolled back).
  using CreateDone = std::function<void(Result<std::vector<const Port*>>)>;
  void create_ports(const std::string& network, const std::vector<PortRequest>& requests, CreateDone done);
  // At shutdown: rolls back every creation still waiting for its switch, without calling `done`.
  void abandon_creations();
  // Unplugs and deletes the port. If a VM still holds its fds the device lingers, unplugged, until
  // the last one closes.
  Result<void> delete_port(const std::string& id_or_name);

  // `queues` fds on the port's tap (0: all its queues), and as many vhost-net fds where the host
  // has /dev/vhost-net. Queues beyond `queues` are disabled so no frame waits in an unread one.
  Result<PortFds> open_fds(const std::string& id, unsigned queues);

  // Makes the ports `kind` has on `networks` exactly `ports`: new ones adopted (hostnet gives
  // what their maker did not: VLAN, bandwidth; a setting this host cannot give leaves the port
  // unplugged, with the reason in Port::problem), settings that drifted corrected, the ones no
  // longer listed dropped. Their devices are the maker's: never made, never deleted. A port that
  // cannot be adopted is logged and left out; the next sync tries again.
  void sync_foreign_ports(const std::string& kind, const std::set<std::string>& networks,
                          const std::vector<ForeignPort>& ports);

  Result<const Port*> lookup(std::string_view id_or_name) const;
  std::vector<const Port*> list(const std::string& network = "") const;
  Result<PortStatistics> statistics(const std::string& id);

  bool vhost_net() const { return vhost_net_; }
  std::string vhost_net_reason() const;

  // NetworkListener
  void network_stopping(const Network& network) override;
  void network_repaired(const Network& network) override;
  void repair_pass(bool starting) override;

 private:
  struct Entry {
    Port port;
    // The queue fds hostnetd opened for VM managers (dups were handed out): kept so a port can
    // be handed again after a VM restart, and so deleting it lets the device go when the VM closes.
    std::vector<UniqueFd> queues;
    bool creating = false;  // its switch has yet to take it: not listed, not repaired
  };
  // Ports made and waiting for their switch to take them; the rollback runs if they fail.
  struct Creation {
    std::string network;
    SwitchBackend* backend = nullptr;
    std::vector<std::string> ids;
    std::vector<PortAttachment> attachments;
    Reverter undo;
    CreateDone done;
  };
  PortManager(Manager& networks, PortManagerOptions options, netlink::RtnlSocket sock);

  ResolveContext resolve_context(const xml::NetworkDef& def) const;

  Result<const Network*> active_network(const std::string& name) const;
  // Checks the request and makes the port's devices and record; the switch takes it afterwards
  // (a batch all at once).
  Result<Entry*> make_port(const Network& network, const PortRequest& request, Reverter& undo);
  // The port's devices (tap, ifb, shaping), not yet plugged in; fills ifindex.
  Result<void> make_tap(Port& port, Reverter& undo);
  // A vhost-user port's directory, where the VM's QEMU creates the socket; fills socket.
  Result<void> make_socket_dir(Port& port, Reverter& undo);
  // Shaping (root qdisc, ifb, bandwidth) of a port whose device exists.
  Result<void> shape(Port& port, Reverter& undo);
  // An internal port's device, made by the switch: its MAC, alias, group, up; fills ifindex.
  Result<void> finish_internal(Port& port);
  // make_tap, then plugged into the network's switch.
  Result<void> make_devices(Port& port, const xml::NetworkDef& def, SwitchBackend& backend, Reverter& undo);
  PortAttachment attachment(const Port& port, const xml::NetworkDef& def, bool fresh) const;
  // The ports' devices and records, before the switch takes them.
  Result<std::unique_ptr<Creation>> begin_creation(const std::string& network, const std::vector<PortRequest>& requests);
  // After the switch took them (or failed to): the ports, or the error with nothing left of them.
  Result<std::vector<const Port*>> finish_creation(Creation& creation, Result<void> plugged);
  // A foreign port taken in, shaped and plugged in as its settings say (or unplugged, saying why).
  Result<Entry*> adopt_foreign(const ForeignPort& foreign);
  // A foreign port's settings with the network's and portgroup's filled in, or why they cannot be.
  Result<PortSettings> foreign_settings(const PortSettings& given, const xml::NetworkDef& def) const;
  // Plugs a foreign port in as its settings say, or keeps it out with the reason in problem.
  void enforce_foreign(Entry& entry, const xml::NetworkDef& def, SwitchBackend& backend);
  // Forgets a foreign port: its record and ifb go, its device stays its maker's.
  void drop_foreign(const std::string& id, const std::string& why);
  // Every port entry is added through keep and removed through forget, which keep the indexes.
  Entry& keep(std::unique_ptr<Entry> entry);
  void forget(const std::string& id);
  void remove_devices(Entry& entry);
  // The port's ifb, if it is there and marked as this port's.
  void remove_ifb(const Port& port);
  std::string new_id() const;
  MacAddress random_mac() const;
  std::filesystem::path record_path(const std::string& id) const;

  Manager& networks_;
  PortManagerOptions options_;
  netlink::RtnlSocket sock_;
  // The links as a repair pass found them, dumped once for all its networks (a network's repair
  // remakes only its own ports' devices, so the dump stays true for the others).
  std::optional<std::vector<netlink::LinkInfo>> pass_links_;
  bool vhost_net_ = false;
  Observers<PortObserver> observers_;
  std::map<std::string, std::unique_ptr<Entry>> ports_;  // by id
  std::map<std::string, std::string> ids_by_name_;
  // (network, MAC) -> id, for the uniqueness check of a new port's MAC (a scan of every port
  // made the 10,000th port cost 3.5 times the first). A multimap: libvirt's ports are adopted
  // as they are, duplicates included.
  std::multimap<std::pair<std::string, MacAddress>, std::string> macs_;
  // Last members: destroyed first, rolling back unfinished creations while ports_ still exists.
  std::map<std::uint64_t, std::unique_ptr<Creation>> creating_;
  std::uint64_t last_creation_ = 0;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // backends' completions check it
};

// The link group of a network's port devices: deleting a network's ports is then one message.
unsigned port_link_group(const std::string& network);

}  // namespace hostnet

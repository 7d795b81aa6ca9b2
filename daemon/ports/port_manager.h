// The VM ports of every network: tap devices hostnetd makes, plugs into a network's switch
// through its backend, shapes, records, and hands to VM managers as fds. Knows nothing of D-Bus.
//
// Every create is all or nothing (what it made is rolled back); ports follow their network (gone
// when it stops, re-plugged when it is repaired) and survive a hostnetd restart untouched.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

struct PortManagerOptions {
  std::filesystem::path state_dir;
  std::filesystem::path vhost_net_device = "/dev/vhost-net";
};

class PortManager final : public NetworkListener {
 public:
  static Result<std::unique_ptr<PortManager>> create(Manager& networks, PortManagerOptions options);
  ~PortManager() override;

  void set_observer(PortObserver* observer) { observer_ = observer; }

  // After Manager::reconcile: adopts the ports of active networks as they are (same device, no
  // flap), remakes missing ones, removes what hostnet made for ports that are gone.
  void reconcile();

  Result<const Port*> create_port(const std::string& network, const PortRequest& request);
  // Many ports in one go, for orchestrators: all are made or none.
  Result<std::vector<const Port*>> create_ports(const std::string& network, const std::vector<PortRequest>& requests);
  // Unplugs and deletes the port. If a VM still holds its fds the device lingers, unplugged, until
  // the last one closes.
  Result<void> delete_port(const std::string& id_or_name);

  // `queues` fds on the port's tap (0: all its queues), and as many vhost-net fds where the host
  // has /dev/vhost-net. Queues beyond `queues` are disabled so no frame waits in an unread one.
  Result<PortFds> open_fds(const std::string& id, unsigned queues);

  Result<const Port*> lookup(std::string_view id_or_name) const;
  std::vector<const Port*> list(const std::string& network = "") const;
  Result<PortStatistics> statistics(const std::string& id);

  bool vhost_net() const { return vhost_net_; }
  std::string vhost_net_reason() const;

  // NetworkListener
  void network_stopping(const Network& network) override;
  void network_repaired(const Network& network) override;

 private:
  struct Entry {
    Port port;
    // The queue fds hostnetd opened for VM managers (dups were handed out): kept so a port can
    // be handed again after a VM restart, and so deleting it lets the device go when the VM closes.
    std::vector<UniqueFd> queues;
  };
  PortManager(Manager& networks, PortManagerOptions options, netlink::RtnlSocket sock);

  Result<const Network*> active_network(const std::string& name) const;
  // Checks the request and makes the port's devices; plugs it in too unless plug_in is false
  // (a batch is plugged in all at once).
  Result<Entry*> make_port(const Network& network, const PortRequest& request, Reverter& undo, bool plug_in);
  // The port's devices (tap, ifb, shaping), not yet plugged in; fills ifindex.
  Result<void> make_tap(Port& port, Reverter& undo);
  // An internal port's device, made by the switch: its MAC, alias, group, up; fills ifindex.
  Result<void> finish_internal(Port& port);
  // make_tap, then plugged into the network's switch.
  Result<void> make_devices(Port& port, const xml::NetworkDef& def, SwitchBackend& backend, Reverter& undo);
  PortAttachment attachment(const Port& port, const xml::NetworkDef& def, bool fresh) const;
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
  bool vhost_net_ = false;
  PortObserver* observer_ = nullptr;
  std::map<std::string, std::unique_ptr<Entry>> ports_;  // by id
  std::map<std::string, std::string> ids_by_name_;
};

// The link group of a network's port devices: deleting a network's ports is then one message.
unsigned port_link_group(const std::string& network);

}  // namespace hostnet

// hostnet as the network manager under libvirt, on the loop side: follows the core's networks and
// has each registered in libvirt (Session, on the libvirt thread), and tells the core what it
// learns: connection state and each network's registration through PeerStatus, the VMs libvirt
// plugs into them as the PortManager's "libvirt" ports. The core never
// sees a libvirt type; libvirt never sees the core from its own thread.
#pragma once

#include <memory>
#include <set>
#include <string>

#include <systemd/sd-event.h>

#include "daemon/manager.h"
#include "daemon/ports/port_manager.h"
#include "libvirt/loop_mailbox.h"
#include "libvirt/session.h"
#include "libvirt/worker.h"

namespace hostnet::libvirt {

inline constexpr const char* kPeerName = kLibvirtPeer;

class LibvirtLink final : public ManagerObserver, public DefinitionCheck {
 public:
  // Starts connecting to `uri` in the background: hostnetd works without libvirtd and connects
  // when it appears.
  static Result<std::unique_ptr<LibvirtLink>> start(sd_event* loop, Manager& manager, PortManager& ports, std::string uri);
  ~LibvirtLink() override;

  // ManagerObserver
  void network_added(const Network&) override { publish(); }
  void network_changed(const Network&) override { publish(); }
  void network_removed(const std::string& name) override;
  // DefinitionCheck: a name libvirt uses for a network of its own is refused.
  Result<void> check_definition(const xml::NetworkDef& def) const override;

 private:
  LibvirtLink(Manager& manager, PortManager& ports, std::string uri)
      : manager_(manager), ports_(ports), uri_(std::move(uri)) {}
  // Sends the wanted registrations of every network to the libvirt thread.
  void publish();
  void take_link(LinkReport report);
  void take_sync(SyncReport report);
  void take_ports(const PortsReport& report);

  Manager& manager_;
  PortManager& ports_;
  std::string uri_;
  std::unique_ptr<LoopMailbox> mailbox_;
  std::unique_ptr<Worker> worker_;
  Session* session_ = nullptr;  // lives on the libvirt thread
  std::set<std::string> foreign_names_;
};

}  // namespace hostnet::libvirt

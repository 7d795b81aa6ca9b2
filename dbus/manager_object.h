// /org/hostnet1: the Manager interface and the ObjectManager under which every network object
// is announced. Also the ManagerObserver that keeps network objects in step with the core.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "daemon/manager.h"
#include "dbus/authorization.h"
#include "daemon/ports/port_manager.h"
#include "dbus/network_object.h"
#include "dbus/port_tree.h"
#include "org.hostnet1.Manager.adaptor.h"

namespace hostnet::dbus {

class ManagerObject final
    : public sdbus::AdaptorInterfaces<org::hostnet1::Manager_adaptor, sdbus::Properties_adaptor,
                                      sdbus::ObjectManager_adaptor>,
      public ManagerObserver,
      public PortObserver,
      public PeerStatusObserver {
 public:
  // Publishes the manager and one object per network the core already has.
  // Pending replies share the connection (reply_when_done).
  ManagerObject(std::shared_ptr<sdbus::IConnection> connection, Manager& manager, PortManager& ports, AuthPolicy auth);
  ~ManagerObject();

  // Destroys network objects removed during a call. An object cannot be destroyed inside its own
  // method handler (sdbus-c++ still uses it on return), so removal is deferred to the next loop
  // iteration; the event loop calls this before it polls.
  void collect_garbage() { graveyard_.clear(); }

  // ManagerObserver
  void network_added(const Network& network) override;
  void network_changed(const Network& network) override;
  void network_removed(const std::string& name) override;
  // PortObserver
  void port_added(const Port& port) override;
  void port_removed(const std::string& id) override;
  void port_changed(const Port& port) override;
  // PeerStatusObserver
  void peer_link_changed(const std::string& peer) override;
  void peer_note_changed(const std::string& peer, const std::string& network) override;

 private:
  sdbus::ObjectPath DefineNetwork(const std::string& xml) override;
  void CreateNetwork(sdbus::Result<sdbus::ObjectPath>&& result, std::string xml) override;
  std::vector<std::string> ListLibvirtNetworks() override;
  void ImportLibvirtNetwork(sdbus::Result<sdbus::ObjectPath>&& result, std::string name) override;
  void ReleaseLibvirtNetwork(sdbus::Result<>&& result, std::string name) override;
  std::vector<sdbus::ObjectPath> ListNetworks() override;
  sdbus::ObjectPath LookupNetwork(const std::string& name) override;
  std::vector<sdbus::ObjectPath> ListPorts(const std::string& network) override;
  sdbus::ObjectPath LookupPort(const std::string& port) override;
  std::string Version() override;
  std::map<std::string, std::map<std::string, sdbus::Variant>> Backends() override;
  std::map<std::string, sdbus::Variant> Libvirt() override;

  std::shared_ptr<sdbus::IConnection> connection_;
  Manager& manager_;
  PortManager& ports_;
  AuthPolicy auth_;
  std::map<std::string, std::unique_ptr<NetworkObject>> networks_;
  std::vector<std::unique_ptr<NetworkObject>> graveyard_;
  std::unique_ptr<PortTree> port_tree_;
};

}  // namespace hostnet::dbus

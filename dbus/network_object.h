// /org/hostnet1/network/<name>: a thin adaptor over one core Network. Each method checks the
// caller, calls the Manager, and turns an Error into a named bus error — nothing else.
#pragma once

#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "daemon/manager.h"
#include "daemon/ports/port_manager.h"
#include "dbus/authorization.h"
#include "org.hostnet1.Network.adaptor.h"

namespace hostnet::dbus {

class NetworkObject final
    : public sdbus::AdaptorInterfaces<org::hostnet1::Network_adaptor, sdbus::Properties_adaptor,
                                      sdbus::ManagedObject_adaptor> {
 public:
  // Registers the object and announces it with InterfacesAdded.
  NetworkObject(std::shared_ptr<sdbus::IConnection> connection, Manager& manager, PortManager& ports,
                const AuthPolicy& auth, std::string name);
  // Announces InterfacesRemoved and unregisters.
  ~NetworkObject();

  void properties_changed();
  const std::string& name() const { return name_; }

 private:
  void Start(sdbus::Result<>&& result) override;
  void Stop() override;
  void Undefine() override;
  std::string GetXMLDesc(const uint32_t& flags) override;
  void SetAutostart(const bool& autostart) override;
  void CreatePort(sdbus::Result<sdbus::ObjectPath>&& result, std::map<std::string, sdbus::Variant> options) override;
  void CreatePorts(sdbus::Result<std::vector<sdbus::ObjectPath>>&& result,
                   std::vector<std::map<std::string, sdbus::Variant>> options) override;
  std::vector<sdbus::Struct<int64_t, std::string, std::string, std::string, uint32_t, std::string, std::string>>
  GetDHCPLeases() override;
  void Update(const std::string& command, const std::string& section, const std::string& xml,
              const uint32_t& flags) override;
  void AddPortForward(const std::string& proto, const std::string& host_address, const uint16_t& port,
                      const uint16_t& port_end, const std::string& target, const uint16_t& target_port) override;
  void RemovePortForward(const std::string& proto, const std::string& host_address, const uint16_t& port) override;
  std::vector<sdbus::Struct<std::string, std::string, uint16_t, uint16_t, std::string, uint16_t>> ListPortForwards()
      override;

  std::string Name() override { return name_; }
  std::string UUID() override;
  bool Active() override;
  bool Persistent() override;
  bool Autostart() override;
  void Autostart(const bool& value) override { SetAutostart(value); }
  std::string Bridge() override;
  std::string Backend() override;
  std::string ForwardMode() override;
  std::vector<std::string> Warnings() override;
  std::string Libvirt() override { return manager_.peers().note(kLibvirtPeer, name_); }
  std::vector<sdbus::Struct<std::string, bool, std::string>> Controllers() override;

  const Network& network() const;

  std::shared_ptr<sdbus::IConnection> connection_;  // for the replies of asynchronous methods
  Manager& manager_;
  PortManager& ports_;
  const AuthPolicy& auth_;
  std::string name_;
};

}  // namespace hostnet::dbus

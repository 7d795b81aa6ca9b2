// /org/hostnet1/port/<id>: a thin adaptor over one core Port.
#pragma once

#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "daemon/ports/port_manager.h"
#include "dbus/authorization.h"
#include "org.hostnet1.Port.adaptor.h"

namespace hostnet::dbus {

class PortObject final
    : public sdbus::AdaptorInterfaces<org::hostnet1::Port_adaptor, sdbus::Properties_adaptor,
                                      sdbus::ManagedObject_adaptor> {
 public:
  PortObject(sdbus::IConnection& connection, PortManager& ports, const AuthPolicy& auth, std::string id);
  ~PortObject();
  const std::string& id() const { return id_; }
  void properties_changed();

 private:
  std::tuple<std::vector<sdbus::UnixFd>, std::vector<sdbus::UnixFd>> OpenFds(const uint32_t& queues) override;
  std::string GetInterfaceXML() override;
  std::map<std::string, uint64_t> GetStatistics() override;
  void Delete() override;

  std::string Id() override { return id_; }
  std::string Name() override { return port().settings.name; }
  std::string Network() override { return port().network; }
  std::string MAC() override;
  std::string Kind() override { return port().settings.kind; }
  uint32_t Queues() override { return port().settings.queues; }
  uint32_t Owner() override { return port().settings.owner.value_or(0xffffffffu); }
  int32_t Ifindex() override { return port().ifindex; }
  std::string Portgroup() override { return port().settings.portgroup; }
  std::string VLAN() override;
  bool Isolated() override { return port().settings.isolated; }
  std::string Bandwidth() override;
  std::string InterfaceId() override { return port().settings.interface_id; }
  bool VhostNet() override { return ports_.vhost_net(); }
  std::string VhostNetReason() override { return ports_.vhost_net_reason(); }
  std::string VMName() override { return port().settings.vm_name; }
  std::string VMUUID() override { return port().settings.vm_uuid; }
  std::string Problem() override { return port().problem; }
  std::string Socket() override { return port().socket; }

  const Port& port() const;

  PortManager& ports_;
  const AuthPolicy& auth_;
  std::string id_;
};

// Text forms shared with hostnetctl's output.
std::string describe_vlan(const PortSettings& settings);
std::string describe_bandwidth(const PortSettings& settings);

}  // namespace hostnet::dbus

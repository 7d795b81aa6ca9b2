// hostnetctl's side of the bus: one connection and typed proxies generated from dbus/*.xml.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "org.hostnet1.Manager.proxy.h"
#include "org.hostnet1.Network.proxy.h"
#include "org.hostnet1.Port.proxy.h"

namespace hostnet::cli {

class ManagerProxy final : public sdbus::ProxyInterfaces<org::hostnet1::Manager_proxy> {
 public:
  ManagerProxy(sdbus::IConnection& c, std::string path);
  ~ManagerProxy() { unregisterProxy(); }
};

class NetworkProxy final : public sdbus::ProxyInterfaces<org::hostnet1::Network_proxy> {
 public:
  NetworkProxy(sdbus::IConnection& c, std::string path);
  ~NetworkProxy() { unregisterProxy(); }
};

class PortProxy final : public sdbus::ProxyInterfaces<org::hostnet1::Port_proxy> {
 public:
  PortProxy(sdbus::IConnection& c, std::string path);
  ~PortProxy() { unregisterProxy(); }
};

// One object's properties on one interface, as GetAll and GetManagedObjects give them.
using Properties = std::map<std::string, sdbus::Variant>;

// A property of the type the interface declares, or T{} when the daemon does not have it (an
// older hostnetd).
template <class T>
T property(const Properties& props, const char* name) {
  auto it = props.find(name);
  return it == props.end() ? T{} : it->second.get<T>();
}

class Client {
 public:
  // Connects to DBUS_SYSTEM_BUS_ADDRESS, or the system bus.
  Client();
  ManagerProxy& manager() { return *manager_; }
  std::unique_ptr<NetworkProxy> network(const std::string& path);
  // By name or uuid.
  std::unique_ptr<NetworkProxy> lookup(const std::string& name_or_uuid);
  std::unique_ptr<PortProxy> port(const std::string& path);
  // By id or device name.
  std::unique_ptr<PortProxy> lookup_port(const std::string& id_or_name);
  // Every object's properties on `interface`, by path, in one call (ObjectManager): listing
  // 10,000 ports is one round trip, not twenty per port.
  std::map<std::string, Properties> objects(const std::string& interface);
  Properties properties(const std::string& path, const std::string& interface);

 private:
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<ManagerProxy> manager_;
};

}  // namespace hostnet::cli

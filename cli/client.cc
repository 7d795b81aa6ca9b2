#include "cli/client.h"

namespace hostnet::cli {

namespace {
constexpr const char* kBusName = "org.hostnet1";
}

ManagerProxy::ManagerProxy(sdbus::IConnection& c, std::string path) : ProxyInterfaces(c, kBusName, std::move(path)) {
  registerProxy();
}

NetworkProxy::NetworkProxy(sdbus::IConnection& c, std::string path) : ProxyInterfaces(c, kBusName, std::move(path)) {
  registerProxy();
}

PortProxy::PortProxy(sdbus::IConnection& c, std::string path) : ProxyInterfaces(c, kBusName, std::move(path)) {
  registerProxy();
}

Client::Client()
    : connection_(sdbus::createSystemBusConnection()),
      manager_(std::make_unique<ManagerProxy>(*connection_, "/org/hostnet1")) {}

std::unique_ptr<NetworkProxy> Client::network(const std::string& path) {
  return std::make_unique<NetworkProxy>(*connection_, path);
}

std::unique_ptr<NetworkProxy> Client::lookup(const std::string& name_or_uuid) {
  return network(manager_->LookupNetwork(name_or_uuid));
}

std::unique_ptr<PortProxy> Client::port(const std::string& path) {
  return std::make_unique<PortProxy>(*connection_, path);
}

std::unique_ptr<PortProxy> Client::lookup_port(const std::string& id_or_name) {
  return port(manager_->LookupPort(id_or_name));
}

std::map<std::string, Properties> Client::objects(const std::string& interface) {
  auto proxy = sdbus::createProxy(*connection_, kBusName, "/org/hostnet1");
  std::map<sdbus::ObjectPath, std::map<std::string, Properties>> all;
  proxy->callMethod("GetManagedObjects").onInterface("org.freedesktop.DBus.ObjectManager").storeResultsTo(all);
  std::map<std::string, Properties> out;
  for (auto& [path, interfaces] : all)
    if (auto it = interfaces.find(interface); it != interfaces.end()) out.emplace(path, std::move(it->second));
  return out;
}

Properties Client::properties(const std::string& path, const std::string& interface) {
  auto proxy = sdbus::createProxy(*connection_, kBusName, path);
  Properties props;
  proxy->callMethod("GetAll").onInterface("org.freedesktop.DBus.Properties").withArguments(interface).storeResultsTo(props);
  return props;
}

}  // namespace hostnet::cli

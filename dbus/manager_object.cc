#include "dbus/manager_object.h"

#include <map>
#include <string>
#include <variant>

#include "dbus/bus_error.h"
#include "dbus/object_path.h"
#include "dbus/raw_message.h"
#include "dbus/signal_emission.h"
#include "hostnet_config.h"
#include "xml/network_xml.h"

namespace hostnet::dbus {

ManagerObject::ManagerObject(std::shared_ptr<sdbus::IConnection> connection, Manager& manager, PortManager& ports,
                             AuthPolicy auth)
    : AdaptorInterfaces(*connection, kManagerPath), connection_(std::move(connection)), manager_(manager), ports_(ports),
      auth_(auth) {
  registerAdaptor();
  for (const Network* n : manager_.list()) network_added(*n);
  // The ports' objects are there at once, from the core; announcing each of 10,000 before the
  // bus name is even taken would tell no one anything.
  port_tree_ = std::make_unique<PortTree>(*connection_, raw_bus_of(getObject()), ports_, auth_);
  manager_.add_observer(this);
  ports_.add_observer(this);
  manager_.peers().add_observer(this);
}

ManagerObject::~ManagerObject() {
  manager_.peers().remove_observer(this);
  manager_.remove_observer(this);
  ports_.remove_observer(this);
  port_tree_.reset();
  networks_.clear();
  graveyard_.clear();
  unregisterAdaptor();
}

void ManagerObject::network_added(const Network& network) {
  if (networks_.count(network.name)) return;
  // A network removed and added again within one loop iteration: the old object must leave the
  // path first. Safe here: this runs inside a Manager call, never inside that object's handler.
  std::erase_if(graveyard_, [&](const auto& o) { return o->name() == network.name; });
  networks_.emplace(network.name, std::make_unique<NetworkObject>(connection_, manager_, ports_, auth_, network.name));
}

void ManagerObject::network_changed(const Network& network) {
  if (auto it = networks_.find(network.name); it != networks_.end()) it->second->properties_changed();
}

void ManagerObject::network_removed(const std::string& name) {
  auto it = networks_.find(name);
  if (it == networks_.end()) return;
  graveyard_.push_back(std::move(it->second));
  networks_.erase(it);
}

void ManagerObject::port_added(const Port& port) { port_tree_->added(port.id); }

void ManagerObject::port_removed(const std::string& id) { port_tree_->removed(id); }

void ManagerObject::port_changed(const Port& port) { port_tree_->changed(port.id); }

std::vector<sdbus::ObjectPath> ManagerObject::ListPorts(const std::string& network) {
  if (!network.empty()) value_or_throw(manager_.lookup(network));
  std::vector<sdbus::ObjectPath> out;
  for (const Port* p : ports_.list(network)) out.emplace_back(port_path(p->id));
  return out;
}

sdbus::ObjectPath ManagerObject::LookupPort(const std::string& port) {
  return port_path(value_or_throw(ports_.lookup(port))->id);
}

namespace {

// The network a definition names, for polkit rules that grant one network and not another
// (nothing when the XML does not parse: the define then fails on it, authorized or not).
std::map<std::string, std::string> defined_network(const std::string& xml) {
  auto def = xml::parse_network(xml);
  if (!def || def->name.empty()) return {};
  return {{"network", def->name}};
}

std::string naming(const char* verb, const std::map<std::string, std::string>& details) {
  auto it = details.find("network");
  return std::string(verb) + (it == details.end() ? " a network" : " network " + it->second);
}

}  // namespace

sdbus::ObjectPath ManagerObject::DefineNetwork(const std::string& xml) {
  auto details = defined_network(xml);
  authorize(getObject(), auth_, Action::ManageNetworks, naming("defining", details), details);
  const Network* n = value_or_throw(manager_.define(xml));
  return network_path(n->name);
}

void ManagerObject::CreateNetwork(sdbus::Result<sdbus::ObjectPath>&& result, std::string xml) {
  auto details = defined_network(xml);
  authorize(getObject(), auth_, Action::ManageNetworks, naming("creating", details), details);
  manager_.create_async(std::move(xml),
                        reply_when_done<const Network*>(connection_, std::move(result), [](const Network* created) {
                          return std::tuple(network_path(created->name));
                        }));
}

namespace {

NetworkImporter& importer_of(const Manager& manager) {
  if (!manager.importer())
    throw to_bus_error(Error{Errc::Unsupported, "hostnetd runs without libvirt (--no-libvirt): there is nothing to import from"});
  return *manager.importer();
}

}  // namespace

std::vector<std::string> ManagerObject::ListLibvirtNetworks() { return importer_of(manager_).importable(); }

void ManagerObject::ImportLibvirtNetwork(sdbus::Result<sdbus::ObjectPath>&& result, std::string name) {
  authorize(getObject(), auth_, Action::ManageNetworks, "importing libvirt network " + name, {{"network", name}});
  importer_of(manager_).import_network(
      name, reply_when_done<const Network*>(connection_, std::move(result), [](const Network* imported) {
        return std::tuple(network_path(imported->name));
      }));
}

void ManagerObject::ReleaseLibvirtNetwork(sdbus::Result<>&& result, std::string name) {
  authorize(getObject(), auth_, Action::ManageNetworks, "releasing network " + name + " to libvirt", {{"network", name}});
  auto reply = reply_when_done<std::monostate>(connection_, std::move(result), [](std::monostate) { return std::tuple<>(); });
  importer_of(manager_).release_network(name, [reply](Result<void> released) {
    reply(released ? Result<std::monostate>(std::monostate{}) : tl::unexpected(released.error()));
  });
}

std::vector<sdbus::ObjectPath> ManagerObject::ListNetworks() {
  std::vector<sdbus::ObjectPath> out;
  for (const Network* n : manager_.list()) out.emplace_back(network_path(n->name));
  return out;
}

sdbus::ObjectPath ManagerObject::LookupNetwork(const std::string& name) {
  const Network* n = value_or_throw(manager_.lookup(name));
  return network_path(n->name);
}

std::string ManagerObject::Version() { return HOSTNET_VERSION; }

std::map<std::string, std::map<std::string, sdbus::Variant>> ManagerObject::Backends() {
  std::map<std::string, std::map<std::string, sdbus::Variant>> out;
  for (const auto& info : manager_.backends().infos()) {
    auto& entry = out[info.name];
    entry["Available"] = sdbus::Variant(info.available);
    entry["Reason"] = sdbus::Variant(info.unavailable_reason);
    entry["Capabilities"] = sdbus::Variant(info.capabilities);
    std::map<std::string, std::string> details(info.details.begin(), info.details.end());
    entry["Details"] = sdbus::Variant(details);
  }
  return out;
}

std::map<std::string, sdbus::Variant> ManagerObject::Libvirt() {
  PeerLink link = manager_.peers().link(kLibvirtPeer);
  return {{"Enabled", sdbus::Variant(link.enabled)},
          {"Connected", sdbus::Variant(link.connected)},
          {"URI", sdbus::Variant(link.target)},
          {"Reason", sdbus::Variant(link.reason)}};
}

void ManagerObject::peer_link_changed(const std::string& peer) {
  if (peer != kLibvirtPeer) return;
  emit_signal("PropertiesChanged",
              [&] { emitPropertiesChangedSignal(org::hostnet1::Manager_adaptor::INTERFACE_NAME, {"Libvirt"}); });
}

void ManagerObject::peer_note_changed(const std::string&, const std::string& network) {
  // A note cleared as its network goes may come before this object hears the network is gone.
  if (!manager_.lookup(network)) return;
  if (auto it = networks_.find(network); it != networks_.end()) it->second->properties_changed();
}

}  // namespace hostnet::dbus

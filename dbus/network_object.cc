#include "dbus/network_object.h"

#include <algorithm>

#include "dbus/bus_error.h"
#include "dbus/object_path.h"
#include "dbus/signal_emission.h"
#include "dbus/port_options.h"

namespace hostnet::dbus {

NetworkObject::NetworkObject(std::shared_ptr<sdbus::IConnection> connection, Manager& manager, PortManager& ports,
                             const AuthPolicy& auth, std::string name)
    : AdaptorInterfaces(*connection, network_path(name)), connection_(std::move(connection)), manager_(manager),
      ports_(ports), auth_(auth), name_(std::move(name)) {
  registerAdaptor();
  emit_signal("InterfacesAdded",
              [&] { emitInterfacesAddedSignal({org::hostnet1::Network_adaptor::INTERFACE_NAME}); });
}

NetworkObject::~NetworkObject() {
  emit_signal("InterfacesRemoved",
              [&] { emitInterfacesRemovedSignal({org::hostnet1::Network_adaptor::INTERFACE_NAME}); });
  unregisterAdaptor();
}

void NetworkObject::properties_changed() {
  emit_signal("PropertiesChanged", [&] {
    emitPropertiesChangedSignal(org::hostnet1::Network_adaptor::INTERFACE_NAME,
                                {"UUID", "Active", "Persistent", "Autostart", "Bridge", "Backend", "ForwardMode",
                                 "Warnings", "Libvirt"});
  });
}

const Network& NetworkObject::network() const {
  // The object lives exactly as long as the network: BusService removes it on network_removed.
  return *value_or_throw(manager_.lookup(name_));
}

void NetworkObject::Start(sdbus::Result<>&& result) {
  authorize(getObject(), auth_, Action::ManageNetworks, "starting network " + name_, {{"network", name_}});
  manager_.start_async(name_, reply_when_done<const Network*>(connection_, std::move(result), [](const Network*) { return std::tuple<>(); }));
}

void NetworkObject::Stop() {
  authorize(getObject(), auth_, Action::ManageNetworks, "stopping network " + name_, {{"network", name_}});
  value_or_throw(manager_.stop(name_));
}

void NetworkObject::Undefine() {
  authorize(getObject(), auth_, Action::ManageNetworks, "undefining network " + name_, {{"network", name_}});
  value_or_throw(manager_.undefine(name_));
}

std::string NetworkObject::GetXMLDesc(const uint32_t& flags) {
  if (flags & ~1u) throw to_bus_error(Error{Errc::InvalidArgument, "unknown flags " + std::to_string(flags)});
  return manager_.xml_desc(network(), flags & 1u);
}

void NetworkObject::SetAutostart(const bool& autostart) {
  authorize(getObject(), auth_, Action::ManageNetworks, "changing the autostart of network " + name_, {{"network", name_}});
  value_or_throw(manager_.set_autostart(name_, autostart));
}

// Port creation answers when the switch has taken the ports (OVS: when ovs-vswitchd has), so the
// reply is sent from the event loop later (reply_when_done); errors found before that are thrown
// as usual.
void NetworkObject::CreatePort(sdbus::Result<sdbus::ObjectPath>&& result, std::map<std::string, sdbus::Variant> options) {
  authorize(getObject(), auth_, Action::ManagePorts, "creating a port on network " + name_, {{"network", name_}});
  auto request = value_or_throw(port_request_from(options));
  ports_.create_ports(name_, {request},
                      reply_when_done<std::vector<const Port*>>(connection_, std::move(result), [](const std::vector<const Port*>& made) {
                        return std::tuple(port_path(made.front()->id));
                      }));
}

void NetworkObject::CreatePorts(sdbus::Result<std::vector<sdbus::ObjectPath>>&& result,
                                std::vector<std::map<std::string, sdbus::Variant>> options) {
  authorize(getObject(), auth_, Action::ManagePorts, "creating ports on network " + name_, {{"network", name_}});
  std::vector<PortRequest> requests;
  for (size_t i = 0; i < options.size(); ++i) {
    auto r = port_request_from(options[i]);
    if (!r) throw to_bus_error(Error{r.error().code, "port " + std::to_string(i) + ": " + r.error().message});
    requests.push_back(std::move(*r));
  }
  ports_.create_ports(name_, requests,
                      reply_when_done<std::vector<const Port*>>(connection_, std::move(result), [](const std::vector<const Port*>& made) {
                        std::vector<sdbus::ObjectPath> out;
                        for (const Port* p : made) out.emplace_back(port_path(p->id));
                        return std::tuple(out);
                      }));
}

std::vector<sdbus::Struct<int64_t, std::string, std::string, std::string, uint32_t, std::string, std::string>>
NetworkObject::GetDHCPLeases() {
  std::vector<sdbus::Struct<int64_t, std::string, std::string, std::string, uint32_t, std::string, std::string>> out;
  for (const auto& l : value_or_throw(manager_.dhcp_leases(name_)))
    out.emplace_back(l.expiry, l.mac, l.protocol, l.ip, l.prefix, l.hostname, l.client_id);
  return out;
}

void NetworkObject::Update(const std::string& command, const std::string& section, const std::string& xml,
                           const uint32_t& flags) {
  authorize(getObject(), auth_, Action::ManageNetworks, "updating network " + name_, {{"network", name_}});
  if (flags & ~3u) throw to_bus_error(Error{Errc::InvalidArgument, "unknown flags " + std::to_string(flags)});
  value_or_throw(manager_.update(name_, command, section, xml, flags & 1u, flags & 2u));
}

void NetworkObject::AddPortForward(const std::string& proto, const std::string& host_address, const uint16_t& port,
                                   const uint16_t& port_end, const std::string& target, const uint16_t& target_port) {
  authorize(getObject(), auth_, Action::ManageNetworks, "adding a port forward to network " + name_, {{"network", name_}});
  xml::PortForward f{proto, host_address, port, port_end ? port_end : port, target, target_port};
  value_or_throw(manager_.add_port_forward(name_, f));
}

void NetworkObject::RemovePortForward(const std::string& proto, const std::string& host_address, const uint16_t& port) {
  authorize(getObject(), auth_, Action::ManageNetworks, "removing a port forward from network " + name_, {{"network", name_}});
  xml::PortForward key{proto, host_address, port, port, "", 0};
  value_or_throw(manager_.remove_port_forward(name_, key));
}

std::vector<sdbus::Struct<std::string, std::string, uint16_t, uint16_t, std::string, uint16_t>>
NetworkObject::ListPortForwards() {
  std::vector<sdbus::Struct<std::string, std::string, uint16_t, uint16_t, std::string, uint16_t>> out;
  for (const auto& f : network().current().port_forwards)
    out.emplace_back(f.proto, f.host_address, static_cast<uint16_t>(f.port_start), static_cast<uint16_t>(f.port_end),
                     f.target, static_cast<uint16_t>(f.target_port));
  return out;
}

std::string NetworkObject::UUID() {
  const auto& def = network().current();
  return def.uuid ? def.uuid->str() : std::string();
}
bool NetworkObject::Active() { return network().active(); }
bool NetworkObject::Persistent() { return network().is_persistent(); }
bool NetworkObject::Autostart() { return network().autostart; }
std::string NetworkObject::Bridge() { return network().current().bridge.name; }
std::string NetworkObject::Backend() { return manager_.backend_name(network().current()); }
std::string NetworkObject::ForwardMode() { return xml::forward_mode_name(network().current().forward.mode); }

std::vector<sdbus::Struct<std::string, bool, std::string>> NetworkObject::Controllers() {
  std::vector<sdbus::Struct<std::string, bool, std::string>> out;
  const Network& n = network();
  if (!n.live) return out;
  auto backend = manager_.backend_for(*n.live);
  if (!backend) return out;
  for (const auto& c : (*backend)->controllers(n.live->bridge.name)) out.emplace_back(c.target, c.connected, c.role);
  return out;
}

std::vector<std::string> NetworkObject::Warnings() {
  const Network& n = network();
  std::vector<std::string> out;
  for (const auto* def : {n.persistent ? &*n.persistent : nullptr, n.live ? &*n.live : nullptr})
    if (def)
      for (const auto& w : def->warnings)
        if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  return out;
}

}  // namespace hostnet::dbus

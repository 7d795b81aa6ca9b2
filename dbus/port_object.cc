#include "dbus/port_object.h"

#include "daemon/ports/interface_xml.h"
#include "dbus/bus_error.h"
#include "dbus/object_path.h"
#include "dbus/signal_emission.h"

namespace hostnet::dbus {

std::string describe_vlan(const PortSettings& s) {
  if (!s.vlan) return "";
  std::string out = format_vlan_option(*s.vlan);
  if (s.vlan->native_tag)
    out += " native " + std::to_string(*s.vlan->native_tag) + (s.vlan->native_tagged ? " tagged" : " untagged");
  return out;
}

std::string describe_bandwidth(const PortSettings& s) {
  if (!s.bandwidth) return "";
  std::string out;
  if (s.bandwidth->inbound) out += "inbound=" + format_rate_option(*s.bandwidth->inbound);
  if (s.bandwidth->outbound) out += std::string(out.empty() ? "" : " ") + "outbound=" + format_rate_option(*s.bandwidth->outbound);
  return out;
}

PortObject::PortObject(sdbus::IConnection& connection, PortManager& ports, const AuthPolicy& auth, std::string id)
    : AdaptorInterfaces(connection, port_path(id)), ports_(ports), auth_(auth), id_(std::move(id)) {
  registerAdaptor();
  emit_signal("InterfacesAdded",
              [&] { emitInterfacesAddedSignal({org::hostnet1::Port_adaptor::INTERFACE_NAME}); });
}

PortObject::~PortObject() {
  emit_signal("InterfacesRemoved",
              [&] { emitInterfacesRemovedSignal({org::hostnet1::Port_adaptor::INTERFACE_NAME}); });
  unregisterAdaptor();
}

void PortObject::properties_changed() {
  emit_signal("PropertiesChanged",
              [&] { emitPropertiesChangedSignal(org::hostnet1::Port_adaptor::INTERFACE_NAME, {"Ifindex", "Problem"}); });
}

const Port& PortObject::port() const { return *value_or_throw(ports_.lookup(id_)); }

std::tuple<std::vector<sdbus::UnixFd>, std::vector<sdbus::UnixFd>> PortObject::OpenFds(const uint32_t& queues) {
  const Port& p = port();
  uid_t uid = caller_uid(getObject());
  if (!(p.settings.owner && *p.settings.owner == uid)) {
    std::string what = "opening the fds of port " + p.settings.name +
                       (p.settings.owner ? " (owner uid " + std::to_string(*p.settings.owner) + ")" : std::string());
    authorize(getObject(), auth_, Action::OpenPortFds, what, {{"network", p.network}, {"port", p.settings.name}});
  }
  auto fds = value_or_throw(ports_.open_fds(id_, queues));
  std::tuple<std::vector<sdbus::UnixFd>, std::vector<sdbus::UnixFd>> out;
  for (auto& fd : fds.taps) std::get<0>(out).emplace_back(fd.release(), sdbus::adopt_fd);
  for (auto& fd : fds.vhosts) std::get<1>(out).emplace_back(fd.release(), sdbus::adopt_fd);
  return out;
}

std::string PortObject::GetInterfaceXML() {
  const Port& p = port();
  if (is_foreign_port(p.settings))
    throw to_bus_error(Error{Errc::Unsupported, "port " + p.settings.name + " is " + p.settings.kind + "'s: domain '" +
                                                    p.settings.vm_name + "' has its <interface> already"});
  if (p.settings.kind == "internal")
    throw to_bus_error(Error{Errc::Unsupported, "port " + p.settings.name + " is an internal port: it is the host's device, not a VM's"});
  return interface_xml(p, ports_.vhost_net());
}

std::map<std::string, uint64_t> PortObject::GetStatistics() {
  auto st = value_or_throw(ports_.statistics(id_));
  // The guest's view: what the host's tap transmits, the guest receives.
  return {{"rx_bytes", st.tx_bytes},     {"rx_packets", st.tx_packets}, {"rx_dropped", st.tx_dropped},
          {"tx_bytes", st.rx_bytes},     {"tx_packets", st.rx_packets}, {"tx_dropped", st.rx_dropped}};
}

void PortObject::Delete() {
  const Port& p = port();
  authorize(getObject(), auth_, Action::ManagePorts, "deleting port " + p.settings.name,
            {{"network", p.network}, {"port", p.settings.name}});
  value_or_throw(ports_.delete_port(id_));
}

std::string PortObject::MAC() { return xml::format_mac(port().settings.mac); }
std::string PortObject::VLAN() { return describe_vlan(port().settings); }
std::string PortObject::Bandwidth() { return describe_bandwidth(port().settings); }

}  // namespace hostnet::dbus

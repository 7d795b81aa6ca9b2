#include "libvirt/registration_xml.h"

#include "xml/network_xml.h"

namespace hostnet::libvirt {

std::optional<std::string> registration_xml(const xml::NetworkDef& def, std::string* why) {
  auto say = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  if (def.libvirt.register_network == false) return say("kept out of libvirt by its hostnet metadata");
  bool bridged = def.creates_bridge() || def.forward.mode == xml::ForwardMode::Bridge;
  if (!bridged || def.bridge.name.empty())
    return say(std::string("forward mode '") + xml::forward_mode_name(def.forward.mode) + "' has no bridge to plug VMs into");

  xml::NetworkDef r;
  r.name = def.name;
  r.uuid = def.uuid;
  r.libvirt.is_registration = true;
  r.forward.present = true;
  r.forward.mode = xml::ForwardMode::Bridge;
  r.bridge.name = def.bridge.name;
  // Open vSwitch, with or without DPDK: libvirt plugs its taps in with ovs-vsctl.
  bool ovs = (def.virtualport && def.virtualport->type == "openvswitch") || def.backend == "ovs" || def.backend == "ovs-dpdk";
  if (ovs) {
    xml::VirtualPortDef openvswitch;
    openvswitch.type = "openvswitch";
    r.virtualport = def.virtualport ? *def.virtualport : openvswitch;
    r.vlan = def.vlan;
  }
  r.port_isolated = def.port_isolated;
  for (const auto& pg : def.portgroups) {
    xml::PortGroupDef out;
    out.name = pg.name;
    out.is_default = pg.is_default;
    out.trust_guest_rx_filters = pg.trust_guest_rx_filters;
    if (ovs) {
      out.vlan = pg.vlan;
      out.virtualport = pg.virtualport;
    }
    r.portgroups.push_back(std::move(out));
  }
  return xml::format_network(r, xml::kFormatInactive);
}

bool is_registration(const std::string& libvirt_xml) {
  auto def = xml::parse_network(libvirt_xml);
  return def && def->libvirt.is_registration;
}

}  // namespace hostnet::libvirt

#include "daemon/ports/interface_xml.h"

#include "xml/network_def.h"

namespace hostnet {

std::string interface_xml(const Port& port, bool vhost_net) {
  const auto& s = port.settings;
  if (is_vhost_user(s)) {
    // QEMU serves the socket (mode='server'); the domain also needs shared memory (docs/ovs.md).
    std::string out = "<interface type='vhostuser'>\n";
    out += "  <mac address='" + xml::format_mac(s.mac) + "'/>\n";
    out += "  <source type='unix' path='" + port.socket + "' mode='server'/>\n";
    out += "  <model type='virtio'/>\n";
    if (s.queues > 1) out += "  <driver queues='" + std::to_string(s.queues) + "'/>\n";
    if (s.mtu) out += "  <mtu size='" + std::to_string(*s.mtu) + "'/>\n";
    return out + "</interface>\n";
  }
  std::string out = "<interface type='ethernet'>\n";
  out += "  <mac address='" + xml::format_mac(s.mac) + "'/>\n";
  out += "  <target dev='" + s.name + "' managed='no'/>\n";
  out += "  <model type='virtio'/>\n";
  std::string queues = s.queues > 1 ? " queues='" + std::to_string(s.queues) + "'" : "";
  if (vhost_net)
    out += "  <driver name='vhost'" + queues + "/>\n";
  else if (!queues.empty())
    out += "  <driver name='qemu'" + queues + "/>\n";
  if (s.mtu) out += "  <mtu size='" + std::to_string(*s.mtu) + "'/>\n";
  out += "</interface>\n";
  return out;
}

}  // namespace hostnet

#include "daemon/modes/mode_driver.h"

#include <sys/socket.h>

#include "daemon/modes/host_bridge.h"
#include "daemon/modes/own_bridge.h"
#include "daemon/network.h"
#include "xml/ip_address.h"

#include <algorithm>

namespace hostnet {

Result<std::unique_ptr<ModeDriver>> mode_driver_for(const xml::NetworkDef& def) {
  using xml::ForwardMode;
  switch (def.forward.mode) {
    case ForwardMode::None:
    case ForwardMode::Nat:
    case ForwardMode::Route:
    case ForwardMode::Open:
      return std::make_unique<OwnBridgeDriver>();
    case ForwardMode::Bridge:
      if (!def.bridge.name.empty()) return std::make_unique<HostBridgeDriver>();
      return fail(Errc::Unsupported,
                  "forward mode 'bridge' without <bridge name=...> (macvtap on a host interface) is not "
                  "supported yet");
    default:
      break;
  }
  return fail(Errc::Unsupported, std::string("forward mode '") + xml::forward_mode_name(def.forward.mode) +
                                     "' is not supported yet by hostnet; network '" + def.name +
                                     "' is defined and can be started once it is");
}

SwitchSpec switch_spec_for(const xml::NetworkDef& def) {
  SwitchSpec spec;
  spec.name = def.bridge.name;
  spec.owner_tag = owner_tag_for(def.name);
  spec.stp = def.bridge.stp.value_or(true);
  spec.forward_delay_s = def.bridge.delay.value_or(0);
  spec.mtu = def.mtu;
  spec.mac = def.mac;
  for (const auto& ip : def.ips) {
    IpAssignment a;
    a.family = ip.address.family;
    a.address = ip.address.bytes;
    a.prefix = ip.prefix_length();
    spec.addresses.push_back(a);
  }
  for (const auto& t : def.tunnels) {
    TunnelSpec ts;
    ts.type = t.type;
    if (auto ip = xml::parse_ip(t.remote, AF_INET)) std::copy_n(ip->bytes.begin(), 4, ts.remote.begin());
    ts.key = t.key;
    ts.dst_port = t.dst_port;
    spec.tunnels.push_back(ts);
  }
  if (def.openflow) spec.openflow = OpenFlowSpec{def.openflow->fail_mode, def.openflow->protocols, def.openflow->controllers};
  for (size_t i = 0; i < def.uplinks.size(); ++i) {
    const auto& u = def.uplinks[i];
    spec.uplinks.push_back({u.name.empty() ? def.bridge.name + "-up" + std::to_string(i) : u.name, u.devargs, u.rx_queues});
  }
  return spec;
}

std::string owner_tag_for(const std::string& network_name) { return kOwnerTagPrefix + network_name; }

}  // namespace hostnet

// The kernel bridge backend: Linux bridges over rtnetlink. The interface alias carries hostnet's
// owner tag, so ownership survives daemon restarts and is visible in `ip link`.
#pragma once

#include <map>

#include "common/netlink/bridge_vlan.h"
#include "common/netlink/rtnl_socket.h"
#include "common/reverter.h"
#include "plugins/switch_backend.h"

namespace hostnet {

class BridgeBackend final : public SwitchBackend {
 public:
  // Opens the rtnetlink socket and probes the kernel's bridge features.
  static std::unique_ptr<SwitchBackend> create(const PluginContext& context);

  BackendInfo info() const override { return info_; }
  Result<SwitchState> ensure_switch(const SwitchSpec& spec) override;
  Result<void> delete_switch(const std::string& name, const std::string& owner_tag) override;
  Result<std::vector<SwitchState>> list_switches() override;
  Result<std::optional<DeviceInfo>> find_device(const std::string& name) override;
  Result<void> attach_port(const PortAttachment& port) override;
  Result<void> detach_port(const PortAttachment& port) override;

 private:
  BridgeBackend(std::optional<netlink::RtnlSocket> sock, BackendInfo info)
      : sock_(std::move(sock)), info_(std::move(info)) {}
  Result<SwitchState> adopt(const SwitchSpec& spec, int ifindex);
  Result<void> add_missing_addresses(const SwitchSpec& spec, int ifindex);
  Result<int> bridge_ifindex(const std::string& name);
  Result<void> check_port_settings(const PortAttachment& port) const;
  Result<void> apply_vlans(const PortAttachment& port);
  Result<void> check_tunnels(const SwitchSpec& spec) const;
  Result<void> ensure_tunnels(const SwitchSpec& spec, int bridge, Reverter& undo);

  std::optional<netlink::RtnlSocket> sock_;
  BackendInfo info_;
  // Bridge name -> ifindex, so plugging in a port costs one message, not a lookup first.
  std::map<std::string, int> bridges_;
};

// The bridge VLAN entries for libvirt-style VLAN settings: an access port carries its tag as
// PVID, untagged; a trunk carries its tags tagged, and its native tag as PVID (untagged unless
// nativeMode='tagged').
std::vector<netlink::BridgeVlan> bridge_vlans_for(const VlanSettings& vlan);

// Can this kernel filter VLANs on a bridge? Creates and deletes a throwaway bridge to find out:
// the only reliable test (the feature is a build option of the bridge module and 8021q).
bool probe_vlan_filtering(netlink::RtnlSocket& sock);

// The kernel device kind of a tunnel type ("gre" is "gretap": the bridge carries Ethernet).
std::string tunnel_kind(const std::string& type);

}  // namespace hostnet

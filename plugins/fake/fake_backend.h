// An in-memory SwitchBackend with the same contract as the real ones, so the daemon and its
// D-Bus layer can be tested without root (as Open vSwitch ships dummy providers). The plugin
// option fake-fail=<member> makes that member fail, to exercise the daemon's rollback paths.
#pragma once

#include <map>
#include <set>

#include "plugins/switch_backend.h"

namespace hostnet {

class FakeBackend final : public SwitchBackend {
 public:
  explicit FakeBackend(const PluginContext& context);

  BackendInfo info() const override;
  Result<SwitchState> ensure_switch(const SwitchSpec& spec) override;
  Result<void> delete_switch(const std::string& name, const std::string& owner_tag) override;
  Result<std::vector<SwitchState>> list_switches() override;
  Result<std::optional<DeviceInfo>> find_device(const std::string& name) override;
  Result<void> attach_port(const PortAttachment& port) override;
  Result<void> detach_port(const PortAttachment& port) override;

 private:
  Result<void> injected(const char* member) const;

  std::map<std::string, SwitchState> switches_;
  std::map<std::string, PortAttachment> ports_;  // by port name
  std::set<std::string> fail_;
  int next_ifindex_ = 100;
};

}  // namespace hostnet

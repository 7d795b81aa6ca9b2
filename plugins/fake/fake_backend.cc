#include "plugins/fake/fake_backend.h"

#include "plugins/plugin_api.h"

namespace hostnet {

FakeBackend::FakeBackend(const PluginContext& context) {
  for (const auto& [key, value] : context.options)
    if (key == "fake-fail") fail_.insert(value);
}

BackendInfo FakeBackend::info() const {
  return BackendInfo{"fake", true, "", {cap::kStp, cap::kMtu, cap::kPortIsolation, cap::kHostBridge, cap::kPorts}, {}};
}

Result<void> FakeBackend::injected(const char* member) const {
  if (fail_.count(member)) return fail(Errc::Failed, std::string("fake backend: injected failure in ") + member);
  return {};
}

Result<SwitchState> FakeBackend::ensure_switch(const SwitchSpec& spec) {
  if (auto r = injected("ensure_switch"); !r) return tl::unexpected(r.error());
  if (auto it = switches_.find(spec.name); it != switches_.end()) {
    if (it->second.owner_tag != spec.owner_tag)
      return fail(Errc::Conflict, "device '" + spec.name + "' already exists and is not hostnet's bridge for this network");
    SwitchState adopted = it->second;
    adopted.created = false;
    return adopted;
  }
  SwitchState s{spec.name, next_ifindex_++, spec.owner_tag, true, true};
  switches_[spec.name] = s;
  return s;
}

Result<void> FakeBackend::delete_switch(const std::string& name, const std::string& owner_tag) {
  if (auto r = injected("delete_switch"); !r) return r;
  auto it = switches_.find(name);
  if (it == switches_.end()) return fail(Errc::NotFound, "bridge '" + name + "' does not exist");
  if (it->second.owner_tag != owner_tag) return fail(Errc::Conflict, "refusing to delete '" + name + "'");
  switches_.erase(it);
  return {};
}

Result<std::vector<SwitchState>> FakeBackend::list_switches() {
  std::vector<SwitchState> out;
  for (const auto& [name, s] : switches_) out.push_back(s);
  return out;
}

Result<std::optional<DeviceInfo>> FakeBackend::find_device(const std::string& name) {
  if (auto it = switches_.find(name); it != switches_.end())
    return std::optional<DeviceInfo>(DeviceInfo{name, it->second.ifindex, "bridge", it->second.owner_tag, true});
  return std::optional<DeviceInfo>();
}

Result<void> FakeBackend::attach_port(const PortAttachment& port) {
  if (auto r = injected("attach_port"); !r) return r;
  if (!switches_.count(port.switch_name)) return fail(Errc::NotFound, "bridge '" + port.switch_name + "' does not exist");
  if (port.vlan) return fail(Errc::Unsupported, "fake backend: no VLAN filtering");
  if (port.internal) return fail(Errc::Unsupported, "fake backend: no internal ports");
  ports_[port.port_name] = port;
  return {};
}

Result<void> FakeBackend::detach_port(const PortAttachment& port) {
  if (auto r = injected("detach_port"); !r) return r;
  ports_.erase(port.port_name);
  return {};
}

namespace {
const PluginDescriptor kDescriptor{kPluginAbiVersion, "fake", [](const PluginContext& c) -> std::unique_ptr<SwitchBackend> {
                                     return std::make_unique<FakeBackend>(c);
                                   }};
}  // namespace

}  // namespace hostnet

HOSTNET_PLUGIN(hostnet::kDescriptor)

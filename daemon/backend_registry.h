// The switch backends hostnetd has: plugins loaded from the plugin directory (searched
// recursively, so a build tree's build/plugins/<name>/ works as is).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "plugins/switch_backend.h"

namespace hostnet {

class BackendRegistry {
 public:
  BackendRegistry() = default;
  BackendRegistry(const BackendRegistry&) = delete;
  BackendRegistry& operator=(const BackendRegistry&) = delete;
  ~BackendRegistry();

  // Loads every hostnet-*.so under dir. A plugin that fails to load is logged and skipped: one
  // broken backend must not keep the others (and every running network) from being managed.
  void load_plugins(const std::filesystem::path& dir, const PluginContext& context);

  // Registers a backend directly (unit tests).
  void add(std::unique_ptr<SwitchBackend> backend);

  // The backend by name; Unsupported, with the reason, if absent or unavailable on this host.
  Result<SwitchBackend*> get(const std::string& name) const;

  std::vector<BackendInfo> infos() const;

 private:
  std::map<std::string, std::unique_ptr<SwitchBackend>> backends_;
  // dlopen handles, closed after every backend is destroyed (their code lives there).
  std::vector<void*> handles_;
};

}  // namespace hostnet

#include "daemon/backend_registry.h"

#include <dlfcn.h>

#include <algorithm>

#include "common/log.h"
#include "plugins/plugin_api.h"

namespace hostnet {

namespace fs = std::filesystem;

BackendRegistry::~BackendRegistry() {
  backends_.clear();
  for (void* h : handles_) ::dlclose(h);
}

void BackendRegistry::load_plugins(const fs::path& dir, const PluginContext& context) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const auto& p = it->path();
    if (it->is_regular_file() && p.extension() == ".so" && p.filename().string().starts_with("hostnet-"))
      files.push_back(p);
  }
  if (ec) log::warning("plugin dir " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());

  for (const auto& file : files) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      log::error("plugin " + file.string() + ": " + ::dlerror());
      continue;
    }
    using Entry = const PluginDescriptor* (*)();
    auto entry = reinterpret_cast<Entry>(::dlsym(handle, HOSTNET_PLUGIN_ENTRY_SYMBOL));
    const PluginDescriptor* desc = entry ? entry() : nullptr;
    if (!desc || desc->abi_version != kPluginAbiVersion || !desc->create || !desc->name) {
      log::error("plugin " + file.string() + ": no compatible " HOSTNET_PLUGIN_ENTRY_SYMBOL
                 " (this hostnetd speaks plugin ABI " + std::to_string(kPluginAbiVersion) + ")");
      ::dlclose(handle);
      continue;
    }
    if (backends_.count(desc->name)) {
      log::warning("plugin " + file.string() + ": backend '" + desc->name + "' already loaded; skipped");
      ::dlclose(handle);
      continue;
    }
    auto backend = desc->create(context);
    if (!backend) {
      log::error("plugin " + file.string() + ": factory returned nothing");
      ::dlclose(handle);
      continue;
    }
    auto info = backend->info();
    log::info("backend " + info.name + " loaded from " + file.string() +
              (info.available ? "" : " (unavailable: " + info.unavailable_reason + ")"));
    handles_.push_back(handle);
    backends_.emplace(desc->name, std::move(backend));
  }
}

void BackendRegistry::add(std::unique_ptr<SwitchBackend> backend) {
  auto name = backend->info().name;
  backends_[name] = std::move(backend);
}

Result<SwitchBackend*> BackendRegistry::get(const std::string& name) const {
  auto it = backends_.find(name);
  if (it == backends_.end())
    return fail(Errc::Unsupported, "switch backend '" + name + "' is not installed (no plugin provides it)");
  auto info = it->second->info();
  if (!info.available)
    return fail(Errc::Unsupported, "switch backend '" + name + "' is unavailable: " + info.unavailable_reason);
  return it->second.get();
}

std::vector<BackendInfo> BackendRegistry::infos() const {
  std::vector<BackendInfo> out;
  for (const auto& [name, backend] : backends_) out.push_back(backend->info());
  return out;
}

}  // namespace hostnet

// The versioned entry point every plugin shared object exports. The daemon dlopen()s each .so in
// its plugin directory, looks up HOSTNET_PLUGIN_ENTRY_SYMBOL, and refuses a plugin whose
// abi_version differs from its own: plugins are built from the same tree as the daemon, so a
// mismatch means a stale file, and loading it would be undefined behaviour.
#pragma once

#include <memory>

#include "plugins/switch_backend.h"

namespace hostnet {

inline constexpr unsigned kPluginAbiVersion = 4;  // 2: PluginContext::event_loop; 3: PortAttachment::foreign, BackendInfo::details;
                                                 // 4: SwitchSpec::uplinks, PluginContext::changed_behind

struct PluginDescriptor {
  unsigned abi_version;
  const char* name;  // backend name, unique among loaded plugins
  // Creates the backend. Never throws; an unusable backend reports available=false in info().
  std::unique_ptr<SwitchBackend> (*create)(const PluginContext& context);
};

}  // namespace hostnet

#define HOSTNET_PLUGIN_ENTRY_SYMBOL "hostnet_plugin_entry_v1"

// Each plugin defines exactly one of these.
#define HOSTNET_PLUGIN(descriptor)                                                   \
  extern "C" __attribute__((visibility("default"))) const ::hostnet::PluginDescriptor* \
  hostnet_plugin_entry_v1() {                                                        \
    return &(descriptor);                                                            \
  }

// Entry point of hostnet-bridge.so.
#include "plugins/bridge/bridge_backend.h"
#include "plugins/plugin_api.h"

namespace {
const hostnet::PluginDescriptor kDescriptor{hostnet::kPluginAbiVersion, "bridge", &hostnet::BridgeBackend::create};
}

HOSTNET_PLUGIN(kDescriptor)

// Entry point of hostnet-ovs.so.
#include "plugins/ovs/ovs_backend.h"
#include "plugins/plugin_api.h"

namespace {
const hostnet::PluginDescriptor kDescriptor{hostnet::kPluginAbiVersion, "ovs", &hostnet::OvsBackend::create};
}

HOSTNET_PLUGIN(kDescriptor)

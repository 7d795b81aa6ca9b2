// Entry point of hostnet-ovs-dpdk.so: the Open vSwitch backend on a vswitchd with DPDK (the
// userspace datapath, vhost-user ports), the same code as the ovs plugin in another flavour.
#include "plugins/ovs/ovs_backend.h"
#include "plugins/plugin_api.h"

namespace {
const hostnet::PluginDescriptor kDescriptor{hostnet::kPluginAbiVersion, "ovs-dpdk", &hostnet::OvsBackend::create_dpdk};
}

HOSTNET_PLUGIN(kDescriptor)

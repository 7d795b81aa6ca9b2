// The libvirt domain <interface> that plugs a guest into a port hostnet made: type 'ethernet'
// with the precreated tap as an unmanaged target, so libvirt neither creates nor deletes it.
#pragma once

#include <string>

#include "daemon/ports/port.h"

namespace hostnet {

// vhost_net: whether /dev/vhost-net exists. Without it, <driver name='vhost'/> would make a KVM
// guest fail to start, so the driver element then only carries the queue count (if > 1).
std::string interface_xml(const Port& port, bool vhost_net);

}  // namespace hostnet

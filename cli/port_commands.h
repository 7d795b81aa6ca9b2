// The port-* verbs: VM ports (taps) on hostnetd's networks.
#pragma once

#include <vector>

#include "cli/net_commands.h"

namespace hostnet::cli {

std::vector<Command> port_commands();

}  // namespace hostnet::cli

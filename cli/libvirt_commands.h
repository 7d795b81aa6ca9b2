// hostnetd's link to libvirt, as an admin asks after it.
#pragma once

#include <vector>

#include "cli/net_commands.h"

namespace hostnet::cli {

std::vector<Command> libvirt_commands();

}  // namespace hostnet::cli

// The net-* verbs, as virsh users know them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/args.h"

namespace hostnet::cli {

struct Command {
  const char* name;
  const char* synopsis;  // "net-start NAME"
  const char* summary;
  ArgSpec spec;
  bool needs_daemon;
  std::function<int(const Args&)> run;
};

std::vector<Command> net_commands();

}  // namespace hostnet::cli

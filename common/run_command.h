// Runs a helper program to completion (tc for traffic shaping): argv, text on its stdin, and its
// stderr in the error when it fails. Blocks until the program exits; use only for programs that
// finish in milliseconds.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace hostnet {

Result<void> run_command(const std::vector<std::string>& argv, const std::string& input = {});
// The same, without input, returning what the program wrote on its stdout.
Result<std::string> run_command_output(const std::vector<std::string>& argv);

}  // namespace hostnet

// Kernel settings under /proc/sys.
#pragma once

#include <string>

#include "common/result.h"

namespace hostnet {

// Writes value to the sysctl file at path, unless it already holds it (a write is a change
// notification to whoever watches the setting).
Result<void> write_sysctl(const std::string& path, const std::string& value);

}  // namespace hostnet

// virsh-style tables: a leading space, columns padded to their widest cell, a dashed rule.
#pragma once

#include <string>
#include <vector>

namespace hostnet::cli {

std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace hostnet::cli

#include "common/sysctl.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace hostnet {

Result<void> write_sysctl(const std::string& path, const std::string& value) {
  std::ifstream in(path);
  std::string current;
  std::getline(in, current);
  if (in && current == value) return {};
  std::ofstream out(path);
  out << value << "\n";
  out.close();
  if (!out) return fail(Errc::Failed, "cannot write " + value + " to " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace hostnet

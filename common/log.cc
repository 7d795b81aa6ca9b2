#include "common/log.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace hostnet::log {
namespace {
Level max_level = Level::Info;
bool to_journal() {
  static const bool journal = ::getenv("JOURNAL_STREAM") != nullptr || !::isatty(STDERR_FILENO);
  return journal;
}
}  // namespace

void set_max_level(Level level) { max_level = level; }

void write(Level level, std::string_view message) {
  if (static_cast<int>(level) > static_cast<int>(max_level)) return;
  // One write per line, so lines from concurrent writers never interleave.
  char prefix[8] = "";
  if (to_journal()) std::snprintf(prefix, sizeof prefix, "<%d>", static_cast<int>(level));
  std::string line;
  line.reserve(message.size() + sizeof prefix + 1);
  line.append(prefix);
  line.append(message);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace hostnet::log

// Logging to stderr with sd-daemon priority prefixes ("<6>"), which journald turns into log
// levels when hostnetd runs as a service; plain text on a terminal.
#pragma once

#include <string_view>

namespace hostnet::log {

enum class Level { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

void set_max_level(Level level);
void write(Level level, std::string_view message);

inline void error(std::string_view m) { write(Level::Error, m); }
inline void warning(std::string_view m) { write(Level::Warning, m); }
inline void notice(std::string_view m) { write(Level::Notice, m); }
inline void info(std::string_view m) { write(Level::Info, m); }
inline void debug(std::string_view m) { write(Level::Debug, m); }

}  // namespace hostnet::log

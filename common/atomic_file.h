// Writes that survive a crash or power loss at any point: the old content or the new, never a
// torn file. Definitions are the admin's data; losing one to a half-written file is not allowed.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.h"

namespace hostnet {

enum class Durability {
  Durable,  // fsync the file and its directory: the admin's definitions
  Runtime,  // no fsync: runtime state under /run, which a reboot clears anyway
};

// Writes content to a temporary file beside path and renames it over path, so a reader sees the
// old content or the new, never a torn file. Durable also fsyncs the file and then the directory,
// so the rename itself survives a power cut.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                               unsigned mode = 0644, Durability durability = Durability::Durable);

Result<std::string> read_file(const std::filesystem::path& path);

// mkdir -p with a mode for the directories it creates.
Result<void> make_dirs(const std::filesystem::path& dir, unsigned mode = 0755);

}  // namespace hostnet

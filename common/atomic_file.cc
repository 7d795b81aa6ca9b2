#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/unique_fd.h"

namespace hostnet {
namespace {
std::string errno_text(int err) { return std::strerror(err); }
}  // namespace

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view content,
                               unsigned mode, Durability durability) {
  const bool durable = durability == Durability::Durable;
  // Unique among this process's writers (one thread) and other processes' (the pid): opening
  // /dev/urandom for a random name cost more than the write at 1000 networks. A file of that
  // name can only be left by a dead process that had this pid, so it is truncated, not feared
  // (never followed if a link).
  static unsigned long serial = 0;
  auto tmp = path;
  tmp += ".tmp" + std::to_string(::getpid()) + "." + std::to_string(++serial);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd) return fail(Errc::Failed, "cannot create " + tmp.string() + ": " + errno_text(errno));
  auto remove_tmp = [&] { ::unlink(tmp.c_str()); };
  // The mode asked for, whatever the umask (the unit's is 0077; dnsmasq reads some files as its
  // own user).
  if (::fchmod(fd.get(), mode) != 0) {
    int err = errno;
    remove_tmp();
    return fail(Errc::Failed, "cannot set the mode of " + tmp.string() + ": " + errno_text(err));
  }
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      remove_tmp();
      return fail(Errc::Failed, "cannot write " + tmp.string() + ": " + errno_text(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (durable && ::fsync(fd.get()) != 0) {
    int err = errno;
    remove_tmp();
    return fail(Errc::Failed, "cannot fsync " + tmp.string() + ": " + errno_text(err));
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    remove_tmp();
    return fail(Errc::Failed, "cannot rename to " + path.string() + ": " + errno_text(err));
  }
  if (durable) {
    UniqueFd dir(::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());
  }
  return {};
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::NotFound, "cannot read " + path.string() + ": " + errno_text(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<void> make_dirs(const std::filesystem::path& dir, unsigned mode) {
  std::error_code ec;
  bool created = std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::Failed, "cannot create directory " + dir.string() + ": " + ec.message());
  // Only the directory made now gets the mode: an admin's existing permissions are theirs.
  if (created) ::chmod(dir.c_str(), mode);
  return {};
}

}  // namespace hostnet

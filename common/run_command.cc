#include "common/run_command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

extern char** environ;

namespace hostnet {

namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Runs argv with `input` on its stdin and its stdout into out_fd (or /dev/null when -1).
Result<void> run(const std::vector<std::string>& argv, const std::string& input, int out_fd) {
  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) < 0) return fail(Errc::Failed, std::string("pipe: ") + std::strerror(errno));
  UniqueFd in_read(in[0]), in_write(in[1]);
  if (::pipe2(err, O_CLOEXEC) < 0) return fail(Errc::Failed, std::string("pipe: ") + std::strerror(errno));
  UniqueFd err_read(err[0]), err_write(err[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
  if (out_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  else
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return fail(Errc::Failed, "cannot run " + argv[0] + ": " + std::strerror(rc));
  in_read.reset();
  err_write.reset();
  // tc reads its batch before writing much; a batch is far below the pipe's buffer either way.
  size_t off = 0;
  while (off < input.size()) {
    ssize_t n = ::write(in_write.get(), input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  in_write.reset();
  std::string errors = read_all(err_read.get());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
  return fail(Errc::Failed, argv[0] + " failed: " + (errors.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : errors));
}

}  // namespace

Result<void> run_command(const std::vector<std::string>& argv, const std::string& input) {
  return run(argv, input, -1);
}

Result<std::string> run_command_output(const std::vector<std::string>& argv) {
  // A memory file, not a pipe, for stdout: read after the exit, with stderr's pipe drained
  // meanwhile, so neither stream's size can stall the other.
  UniqueFd out(::memfd_create("hostnet-output", MFD_CLOEXEC));
  if (!out) return fail(Errc::Failed, std::string("memfd_create: ") + std::strerror(errno));
  if (auto r = run(argv, {}, out.get()); !r) return tl::unexpected(r.error());
  if (::lseek(out.get(), 0, SEEK_SET) < 0) return fail(Errc::Failed, std::string("lseek: ") + std::strerror(errno));
  return read_all(out.get());
}

}  // namespace hostnet

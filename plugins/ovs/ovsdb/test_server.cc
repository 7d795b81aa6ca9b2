#include "plugins/ovs/ovsdb/test_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/run_command.h"
#include "plugins/ovs/ovsdb/json_rpc.h"

extern char** environ;

namespace hostnet::ovsdb {

namespace {

// The program's full path on $PATH (plus the sbin dirs, where ovsdb-server lives), or "".
std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(std::string(path ? path : "/usr/bin:/bin") + ":/usr/sbin:/sbin");
  for (std::string d; std::getline(dirs, d, ':');)
    if (!d.empty() && ::access((d + "/" + name).c_str(), X_OK) == 0) return d + "/" + name;
  return {};
}

std::string log_tail(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 2000 ? s.substr(s.size() - 2000) : s;
}

}  // namespace

bool TestOvsdbServer::available() {
  return !find_program("ovsdb-server").empty() && !find_program("ovsdb-tool").empty() &&
         ::access(kVswitchSchema, R_OK) == 0;
}

Result<std::unique_ptr<TestOvsdbServer>> TestOvsdbServer::start(const std::string& schema) {
  const char* tmp = std::getenv("TMPDIR");
  // Short: the socket path must fit sockaddr_un's 108 bytes.
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hostnet-ovsdb-XXXXXX";
  if (!::mkdtemp(templ.data())) return fail(Errc::Failed, "mkdtemp " + templ + ": " + std::strerror(errno));
  std::unique_ptr<TestOvsdbServer> server(new TestOvsdbServer(templ));
  if (auto r = server->run({"ovsdb-tool", "create", server->db_path(), schema}); !r) return tl::unexpected(r.error());
  if (auto r = server->spawn(); !r) return tl::unexpected(r.error());
  return server;
}

TestOvsdbServer::~TestOvsdbServer() {
  (void)kill();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<void> TestOvsdbServer::run(const std::vector<std::string>& argv) const { return run_command(argv); }

Result<void> TestOvsdbServer::spawn() {
  if (pid_ > 0) return fail(Errc::Conflict, "ovsdb-server already runs as pid " + std::to_string(pid_));
  // Resolved before fork: the child may only make async-signal-safe calls (the test may have
  // other threads), and execvpe's PATH search is not one of them; execve is.
  const std::string program = find_program("ovsdb-server");
  if (program.empty()) return fail(Errc::Unsupported, "ovsdb-server is not installed");
  const std::string log = dir_ + "/ovsdb-server.log";
  std::vector<std::string> args = {program, db_path(),
                                   "--remote=punix:" + socket_path(),
                                   "--unixctl=" + dir_ + "/ctl",
                                   "--pidfile=" + dir_ + "/pid",
                                   "--no-chdir",
                                   "-vconsole:off",
                                   "--log-file=" + log};
  // ovsdb-server falls back to these dirs for anything not given on the command line; point
  // them at the temp dir so nothing lands in the system's /run/openvswitch.
  std::vector<std::string> env = {"OVS_RUNDIR=" + dir_, "OVS_DBDIR=" + dir_, "OVS_LOGDIR=" + dir_};
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "OVS_", 4) != 0) env.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return fail(Errc::Failed, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  pid_ = pid;

  // Ready when the socket accepts a connection; a server that exits instead is an error with
  // its log.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return fail(Errc::Failed, "ovsdb-server exited (status " + std::to_string(status) + "): " + log_tail(log));
    }
    if (JsonRpc::connect_unix(socket_path())) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (void)kill();
  return fail(Errc::Failed, "ovsdb-server did not open " + socket_path() + " within 10 s: " + log_tail(log));
}

Result<void> TestOvsdbServer::kill() {
  if (pid_ <= 0) return {};
  if (::kill(pid_, SIGKILL) < 0 && errno != ESRCH)
    return fail(Errc::Failed, "kill " + std::to_string(pid_) + ": " + std::strerror(errno));
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return {};
}

Result<void> TestOvsdbServer::restart() { return spawn(); }

}  // namespace hostnet::ovsdb

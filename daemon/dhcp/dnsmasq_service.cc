#include "daemon/dhcp/dnsmasq_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "common/atomic_file.h"
#include "common/log.h"
#include "daemon/dhcp/lease_file.h"

namespace hostnet {

namespace fs = std::filesystem;

namespace {
constexpr uint64_t kFirstDelayUs = 200'000;
constexpr uint64_t kMaxDelayUs = 10'000'000;
constexpr uint64_t kHealthyAfterUs = 10'000'000;  // up that long: the next exit restarts at once again

uint64_t now_us() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

bool alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Ends a process we own (by pid) and waits for it, up to a bound.
void terminate(pid_t pid, bool our_child) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (our_child ? ::waitpid(pid, nullptr, WNOHANG) == pid : !alive(pid)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGKILL);
  if (our_child) ::waitpid(pid, nullptr, 0);
}
// Every dnsmasq running with a config file of `dir`, by network, found by command line: one whose
// hostnetd was killed before it wrote its pid file has no other trace.
std::map<std::string, std::vector<pid_t>> dnsmasqs_on_configs(const fs::path& dir) {
  const std::string prefix = "--conf-file=" + dir.string() + "/";
  std::map<std::string, std::vector<pid_t>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string arg;
    bool is_dnsmasq = false;
    for (int i = 0; std::getline(in, arg, '\0'); ++i) {
      if (i == 0) is_dnsmasq = fs::path(arg).filename() == "dnsmasq";
      if (!is_dnsmasq) break;
      if (!arg.starts_with(prefix) || !arg.ends_with(".conf")) continue;
      std::string network = arg.substr(prefix.size(), arg.size() - prefix.size() - 5);
      if (!network.empty() && network.find('/') == std::string::npos)
        out[network].push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return out;
}

}  // namespace

struct DnsmasqService::Instance {
  std::string network;
  pid_t pid = 0;
  sd_event_source* child = nullptr;
  sd_event_source* timer = nullptr;
  uint64_t started_at = 0;
  uint64_t delay = kFirstDelayUs;
  DnsmasqService* owner = nullptr;
  ~Instance() {
    sd_event_source_disable_unref(child);
    sd_event_source_disable_unref(timer);
  }
};

DnsmasqService::DnsmasqService(sd_event* loop, fs::path state_dir, std::string binary, dhcp::DnsmasqOptions options)
    : loop_(loop), dir_(std::move(state_dir) / "dnsmasq"), binary_(std::move(binary)), options_(options) {}

DnsmasqService::~DnsmasqService() {
  // hostnetd is stopping; the servers keep serving (see the header). Only supervision ends.
  for (auto& [name, inst] : instances_) {
    sd_event_source_disable_unref(inst->child);
    inst->child = nullptr;
  }
}

fs::path DnsmasqService::conf_path(const std::string& network) const { return dir_ / (network + ".conf"); }

dhcp::DnsmasqPaths DnsmasqService::paths_for(const std::string& network) const {
  return {(dir_ / (network + ".pid")).string(), (dir_ / (network + ".leases")).string(),
          (dir_ / (network + ".hostsfile")).string(), (dir_ / (network + ".addnhosts")).string()};
}

pid_t DnsmasqService::pid(const std::string& network) const {
  auto it = instances_.find(network);
  return it == instances_.end() ? 0 : it->second->pid;
}

void DnsmasqService::kill_stale(const std::string& network) {
  // A dnsmasq left by an earlier hostnetd: ours only if its command line names our config.
  std::ifstream pidfile(paths_for(network).pid_file);
  pid_t pid = 0;
  if (!(pidfile >> pid) || pid <= 0) return;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  if (args.find(conf_path(network).string()) == std::string::npos) return;
  log::info("replacing dnsmasq " + std::to_string(pid) + " of network " + network + " left by an earlier hostnetd");
  terminate(pid, false);
}

Result<void> DnsmasqService::start(const xml::NetworkDef& def) {
  halt(def.name);
  if (auto r = make_dirs(dir_, 0755); !r) return r;
  auto paths = paths_for(def.name);
  auto files = dhcp::build_dnsmasq_files(def, paths, options_);
  // dnsmasq re-reads the hosts files as an unprivileged user after SIGHUP: world-readable.
  for (auto [path, text] : {std::pair{conf_path(def.name).string(), &files.conf},
                            {paths.hosts_file, &files.hosts_file}, {paths.addn_hosts, &files.addn_hosts}})
    if (auto r = write_file_atomic(path, *text, 0644, Durability::Runtime); !r) return r;
  kill_stale(def.name);
  auto inst = std::make_unique<Instance>();
  inst->network = def.name;
  inst->owner = this;
  if (auto r = spawn(*inst); !r) return r;
  instances_[def.name] = std::move(inst);
  return {};
}

Result<void> DnsmasqService::spawn(Instance& inst) {
  std::string conf_arg = "--conf-file=" + conf_path(inst.network).string();
  pid_t pid = ::fork();
  if (pid < 0) return fail(Errc::Failed, std::string("cannot start dnsmasq: fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child: its own session (a signal to hostnetd's group must not reach it), default
    // signal mask, and nothing of hostnetd's but stdout/stderr (its log goes to hostnetd's).
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::close_range(3, ~0u, 0);
    const char* argv[] = {"dnsmasq", "--keep-in-foreground", "--log-facility=-", conf_arg.c_str(), nullptr};
    ::execv(binary_.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  inst.pid = pid;
  inst.started_at = now_us();
  sd_event_source_disable_unref(inst.child);
  inst.child = nullptr;
  if (int r = sd_event_add_child(loop_, &inst.child, pid, WEXITED, &DnsmasqService::child_cb, &inst); r < 0) {
    terminate(pid, true);
    inst.pid = 0;
    return fail(Errc::Failed, std::string("cannot supervise dnsmasq: ") + std::strerror(-r));
  }
  log::info("dnsmasq " + std::to_string(pid) + " serving network " + inst.network);
  return {};
}

int DnsmasqService::child_cb(sd_event_source*, const siginfo_t* info, void* data) {
  auto* inst = static_cast<Instance*>(data);
  inst->owner->on_exit(*inst, *info);
  return 0;
}

void DnsmasqService::on_exit(Instance& inst, const siginfo_t& info) {
  log::warning("dnsmasq " + std::to_string(inst.pid) + " of network " + inst.network + " exited (" +
               (info.si_code == CLD_EXITED ? "status " + std::to_string(info.si_status)
                                           : std::string("signal ") + strsignal(info.si_status)) +
               "); restarting it");
  inst.pid = 0;
  if (now_us() - inst.started_at > kHealthyAfterUs) inst.delay = kFirstDelayUs;
  schedule_restart(inst);
}

void DnsmasqService::schedule_restart(Instance& inst) {
  sd_event_source_disable_unref(inst.timer);
  inst.timer = nullptr;
  sd_event_add_time_relative(loop_, &inst.timer, CLOCK_MONOTONIC, inst.delay, 0, &DnsmasqService::timer_cb, &inst);
  inst.delay = std::min(inst.delay * 2, kMaxDelayUs);
}

int DnsmasqService::timer_cb(sd_event_source*, uint64_t, void* data) {
  auto* inst = static_cast<Instance*>(data);
  if (auto r = inst->owner->spawn(*inst); !r) {
    log::error(r.error().message);
    inst->owner->schedule_restart(*inst);
  }
  return 0;
}

void DnsmasqService::halt(const std::string& network) {
  auto it = instances_.find(network);
  if (it == instances_.end()) {
    kill_stale(network);
    return;
  }
  Instance& inst = *it->second;
  sd_event_source_disable_unref(inst.child);
  inst.child = nullptr;
  terminate(inst.pid, true);
  instances_.erase(it);
}

void DnsmasqService::stop(const std::string& network) {
  halt(network);
  auto paths = paths_for(network);
  std::error_code ec;
  for (const auto& p : {conf_path(network).string(), paths.pid_file, paths.hosts_file, paths.addn_hosts, paths.lease_file})
    fs::remove(p, ec);
}

void DnsmasqService::prune(const std::vector<std::string>& active) {
  std::error_code ec;
  std::vector<std::string> stale;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const auto& path = entry.path();
    if (path.extension() != ".pid") continue;
    std::string network = path.stem().string();
    if (std::find(active.begin(), active.end(), network) == active.end()) stale.push_back(network);
  }
  for (const auto& network : stale) {
    halt(network);
    fs::remove(paths_for(network).pid_file, ec);
  }
  // What the pid files do not tell: a dnsmasq on one of these configs that is not the one
  // supervised for its network (its pid file never written, or overwritten by the new one's).
  for (const auto& [network, pids] : dnsmasqs_on_configs(dir_)) {
    auto it = instances_.find(network);
    for (pid_t pid : pids) {
      if (it != instances_.end() && it->second->pid == pid) continue;
      log::info("stopping dnsmasq " + std::to_string(pid) + " of network " + network +
                ": no hostnetd supervises it (left by an earlier one)");
      terminate(pid, false);
    }
  }
}

Result<void> DnsmasqService::reload(const xml::NetworkDef& def) {
  auto it = instances_.find(def.name);
  if (it == instances_.end() || it->second->pid <= 0) return start(def);
  auto paths = paths_for(def.name);
  auto files = dhcp::build_dnsmasq_files(def, paths, options_);
  for (auto [path, text] : {std::pair{paths.hosts_file, &files.hosts_file}, {paths.addn_hosts, &files.addn_hosts}})
    if (auto r = write_file_atomic(path, *text, 0644, Durability::Runtime); !r) return r;
  if (::kill(it->second->pid, SIGHUP) != 0)
    return fail(Errc::Failed, "cannot signal dnsmasq " + std::to_string(it->second->pid) + ": " + std::strerror(errno));
  return {};
}

Result<void> DnsmasqService::seed_leases(const xml::NetworkDef& def, const std::vector<DhcpLease>& seeds) {
  if (instances_.count(def.name)) return fail(Errc::Conflict, "dnsmasq of network " + def.name + " runs already");
  auto path = paths_for(def.name).lease_file;
  std::string text = read_file(path).value_or("");
  auto merged = dhcp::merge_leases(text, dhcp::parse_leases(text, def), seeds);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  return write_file_atomic(path, merged, 0644, Durability::Runtime);
}

Result<std::vector<DhcpLease>> DnsmasqService::leases(const xml::NetworkDef& def) {
  auto text = read_file(paths_for(def.name).lease_file);
  if (!text) return std::vector<DhcpLease>();
  return dhcp::parse_leases(*text, def);
}

}  // namespace hostnet

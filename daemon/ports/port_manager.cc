#include "daemon/ports/port_manager.h"

#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <set>

#include "common/atomic_file.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/netlink/link.h"
#include "common/netlink/qdisc.h"
#include "daemon/shaping/bandwidth.h"
#include "daemon/ports/port_record.h"
#include "daemon/ports/tap_device.h"

namespace hostnet {

namespace {

bool uid_exists(std::uint32_t uid) {
  struct passwd pw, *out = nullptr;
  std::vector<char> buf(16384);
  return ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &out) == 0 && out;
}

bool gid_exists(std::uint32_t gid) {
  struct group gr, *out = nullptr;
  std::vector<char> buf(16384);
  return ::getgrgid_r(gid, &gr, buf.data(), buf.size(), &out) == 0 && out;
}

tap::TapParams tap_params(const PortSettings& s) {
  tap::TapParams p;
  p.name = s.name;
  p.multi_queue = s.queues > 1;
  p.owner = s.owner;
  p.group = s.group;
  return p;
}

// As libvirt does: the tap's own MAC is the guest's with the first byte 0xFE, so the bridge
// (which takes the lowest port MAC as its own unless given one) never takes a guest's address.
netlink::Mac tap_mac(const MacAddress& guest) {
  netlink::Mac m = guest;
  m[0] = 0xfe;
  return m;
}

std::mt19937_64& rng() {
  static std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

}  // namespace

unsigned port_link_group(const std::string& network) {
  // "hn" in the high half keeps clear of the small numbers admins give groups by hand; collisions
  // between two networks are caught before a group is deleted (see network_stopping).
  return 0x686e0000u | (fnv1a(network) & 0xffffu);
}

Result<std::unique_ptr<PortManager>> PortManager::create(Manager& networks, PortManagerOptions options) {
  auto sock = netlink::RtnlSocket::open();
  if (!sock) return tl::unexpected(sock.error());
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir / "ports", ec);
  if (ec) return fail(Errc::Failed, "cannot create " + (options.state_dir / "ports").string() + ": " + ec.message());
  auto pm = std::unique_ptr<PortManager>(new PortManager(networks, std::move(options), std::move(*sock)));
  networks.set_listener(pm.get());
  return pm;
}

PortManager::PortManager(Manager& networks, PortManagerOptions options, netlink::RtnlSocket sock)
    : networks_(networks), options_(std::move(options)), sock_(std::move(sock)) {
  vhost_net_ = ::access(options_.vhost_net_device.c_str(), R_OK | W_OK) == 0;
}

PortManager::~PortManager() { networks_.set_listener(nullptr); }

std::string PortManager::vhost_net_reason() const {
  if (vhost_net_) return "";
  return options_.vhost_net_device.string() +
         " does not exist on this host (the vhost_net kernel module is not available): VMs get tap fds only, "
         "and virtio-net runs in the VM manager";
}

std::filesystem::path PortManager::record_path(const std::string& id) const {
  return options_.state_dir / "ports" / id;
}

std::string PortManager::new_id() const {
  for (;;) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06x", static_cast<unsigned>(rng()() & 0xffffff));
    if (!ports_.count(buf) && !ids_by_name_.count(std::string("hn-") + buf)) return buf;
  }
}

MacAddress PortManager::random_mac() const {
  auto v = rng()();
  return MacAddress{0x52, 0x54, 0x00, static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                    static_cast<std::uint8_t>(v >> 16)};
}

ResolveContext PortManager::resolve_context(const xml::NetworkDef& def) const {
  return ResolveContext{def, uid_exists, gid_exists, [this] { return random_mac(); }};
}

Result<const Network*> PortManager::active_network(const std::string& name) const {
  auto n = networks_.lookup(name);
  if (!n) return n;
  if (!(*n)->active()) return fail(Errc::Conflict, "network '" + name + "' is not active: start it first");
  return n;
}

PortAttachment PortManager::attachment(const Port& port, const xml::NetworkDef& def, bool fresh) const {
  PortAttachment a;
  a.switch_name = def.bridge.name;
  a.switch_owner_tag = owner_tag_for(def.name);
  a.port_name = port.settings.name;
  a.ifindex = port.ifindex;
  a.fresh = fresh;
  a.internal = port.settings.kind == "internal";
  a.foreign = is_foreign_port(port.settings);
  if (is_vhost_user(port.settings)) {
    a.vhost_user_socket = port.socket;
    a.mtu = port.settings.mtu;
  }
  a.vlan = port.settings.vlan;
  a.isolated = port.settings.isolated;
  if (!port.settings.interface_id.empty()) a.external_ids.emplace_back("iface-id", port.settings.interface_id);
  a.external_ids.emplace_back("attached-mac", xml::format_mac(port.settings.mac));
  if (!port.settings.vm_uuid.empty()) a.external_ids.emplace_back("vm-uuid", port.settings.vm_uuid);
  return a;
}

Result<void> PortManager::make_devices(Port& port, const xml::NetworkDef& def, SwitchBackend& backend, Reverter& undo) {
  if (auto r = make_tap(port, undo); !r) return r;
  if (auto r = backend.attach_port(attachment(port, def, true)); !r) return r;
  return finish_internal(port);
}

Result<void> PortManager::finish_internal(Port& port) {
  if (port.settings.kind != "internal") return {};
  // The switch made the device when it took the port; it gets the port's settings as a tap would,
  // its own MAC being the port's (the host, not a guest, sends from it).
  const auto& s = port.settings;
  port.ifindex = static_cast<int>(::if_nametoindex(s.name.c_str()));
  if (port.ifindex == 0) return fail(Errc::Failed, "internal port " + s.name + ": the switch made no device");
  netlink::LinkChange c;
  c.mac = s.mac;
  c.mtu = s.mtu;
  c.alias = port_alias(port);
  c.group = port_link_group(port.network);
  c.up = true;
  return netlink::change_link(sock_, port.ifindex, c, s.name);
}

Result<void> PortManager::make_tap(Port& port, Reverter& undo) {
  const auto& s = port.settings;
  if (s.kind == "internal") return {};  // the switch makes the device
  if (is_vhost_user(s)) return make_socket_dir(port, undo);
  int ifindex = 0;
  // Marked as the port's before it is persistent: a kill in between leaves no unmarked tap.
  auto mark = [&]() -> Result<void> {
    ifindex = static_cast<int>(::if_nametoindex(s.name.c_str()));
    if (ifindex == 0) return fail(Errc::Failed, "tap " + s.name + " vanished right after it was created");
    netlink::LinkChange c;
    c.mac = tap_mac(s.mac);
    c.mtu = s.mtu;
    c.alias = port_alias(port);
    c.group = port_link_group(port.network);
    return netlink::change_link(sock_, ifindex, c, s.name);
  };
  if (auto r = tap::create_persistent(tap_params(s), mark); !r) return r;
  undo.add([this, ifindex, name = s.name] { (void)netlink::delete_link(sock_, ifindex, name); });
  port.ifindex = ifindex;
  return shape(port, undo);
}

namespace {
// The directory is the VM user's (0700) with QEMU's socket in it: taken back first, so hostnetd
// needs no CAP_DAC_OVERRIDE to empty it.
void remove_socket_dir(const std::filesystem::path& dir) {
  if (::chown(dir.c_str(), 0, 0) != 0 && errno != ENOENT)
    log::warning("cannot take back " + dir.string() + ": " + std::strerror(errno));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
}  // namespace

Result<void> PortManager::make_socket_dir(Port& port, Reverter& undo) {
  const auto& s = port.settings;
  // QEMU, as the VM's owner (libvirt's qemu user when none is given), creates the socket here;
  // ovs-vswitchd, as root, connects to it. Nobody else may enter.
  std::optional<std::uint32_t> uid = s.owner;
  if (!uid) {
    struct passwd pw, *out = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r("libvirt-qemu", &pw, buf.data(), buf.size(), &out) == 0 && out) uid = out->pw_uid;
  }
  auto dir = options_.state_dir / "vhost-user" / port.id;
  if (auto r = make_dirs(dir.parent_path(), 0755); !r) return r;
  remove_socket_dir(dir);  // a stale one of a port that was lost
  if (::mkdir(dir.c_str(), s.group ? 0770 : 0700) != 0)
    return fail(Errc::Failed, "cannot create " + dir.string() + ": " + std::strerror(errno));
  undo.add([dir] { remove_socket_dir(dir); });
  if (::chmod(dir.c_str(), s.group ? 0770 : 0700) != 0 ||  // the umask took the group's bits
      ::chown(dir.c_str(), uid.value_or(0), s.group.value_or(0)) != 0)
    return fail(Errc::Failed, "cannot give " + dir.string() + " to its VM's user: " + std::strerror(errno));
  port.socket = (dir / "sock").string();
  port.ifindex = 0;
  return {};
}

Result<void> PortManager::shape(Port& port, Reverter& undo) {
  const auto& s = port.settings;
  int ifindex = port.ifindex;
  bool shaped_in = s.bandwidth && s.bandwidth->inbound;
  bool shaped_out = s.bandwidth && s.bandwidth->outbound;
  // A multi-queue tap going up with the default qdisc gets mq and 256 children: set one root
  // qdisc first (htb when shaped, else pfifo_fast), which makes the port ~15x cheaper to create.
  if (s.queues > 1 && !shaped_in)
    if (auto r = netlink::set_root_qdisc(sock_, ifindex, "pfifo_fast", s.name); !r) return r;
  if (shaped_out) {
    port.ifb = "hb-" + port.id;
    auto ifb = netlink::create_ifb(sock_, port.ifb);
    if (!ifb) return tl::unexpected(ifb.error());
    undo.add([this, i = *ifb, name = port.ifb] { (void)netlink::delete_link(sock_, i, name); });
    netlink::LinkChange ic;
    ic.alias = ifb_alias(port);
    ic.group = port_link_group(port.network);
    ic.up = true;
    if (auto r = netlink::change_link(sock_, *ifb, ic, port.ifb); !r) return r;
  }
  if (s.bandwidth)
    if (auto r = apply_bandwidth(*s.bandwidth, s.name, port.ifb); !r) return r;
  return {};
}

Result<PortManager::Entry*> PortManager::make_port(const Network& network, const PortRequest& request, Reverter& undo) {
  const auto& def = *network.live;
  auto backend = networks_.backend_for(def);
  if (!backend) return tl::unexpected(backend.error());
  if (!(*backend)->info().has(cap::kPorts))
    return fail(Errc::Unsupported, "backend " + (*backend)->info().name + " cannot attach VM ports");

  auto settings = resolve_port_request(request, resolve_context(def));
  if (!settings) return tl::unexpected(settings.error());
  if (is_vhost_user(*settings) && !(*backend)->info().has(cap::kVhostUser))
    return fail(Errc::Unsupported, "kind 'vhost-user': backend " + (*backend)->info().name + " of network '" + network.name +
                                       "' has no vhost-user ports (they need OVS-DPDK: <hostnet:backend name=\"ovs-dpdk\"/>)");

  if (auto taken = macs_.find({network.name, settings->mac}); taken != macs_.end()) {
    if (!request.mac) return make_port(network, request, undo);  // a random MAC collided: draw again
    return fail(Errc::Conflict, "mac '" + xml::format_mac(settings->mac) + "' is already used by port " +
                                    ports_.at(taken->second)->port.settings.name + " on network '" + network.name + "'");
  }

  auto entry = std::make_unique<Entry>();
  Port& port = entry->port;
  port.id = new_id();
  port.network = network.name;
  port.settings = std::move(*settings);
  if (port.settings.name.empty()) port.settings.name = (is_vhost_user(port.settings) ? "vhu-" : "hn-") + port.id;
  const std::string& name = port.settings.name;
  if (ids_by_name_.count(name)) return fail(Errc::Conflict, "name '" + name + "': a port of that name exists");
  auto existing = netlink::get_link(sock_, name);
  if (!existing) return tl::unexpected(existing.error());
  if (*existing && !is_vhost_user(port.settings))
    return fail(Errc::Conflict, "name '" + name + "' is taken by an existing " +
                                    ((*existing)->kind.empty() ? std::string("device") : (*existing)->kind + " device"));

  auto made = make_tap(port, undo);
  if (!made) return fail_with_context(made.error(), "cannot create port " + name + " on network '" + network.name + "'");
  if (auto r = write_file_atomic(record_path(port.id), format_port_record(port), 0644, Durability::Runtime); !r)
    return tl::unexpected(r.error());
  undo.add([this, id = port.id] {
    std::error_code ec;
    std::filesystem::remove(record_path(id), ec);
  });

  Entry* raw = &keep(std::move(entry));
  undo.add([this, id = raw->port.id] { forget(id); });
  return raw;
}

PortManager::Entry& PortManager::keep(std::unique_ptr<Entry> entry) {
  const Port& p = entry->port;
  ids_by_name_[p.settings.name] = p.id;
  macs_.emplace(std::pair(p.network, p.settings.mac), p.id);
  return *ports_.emplace(p.id, std::move(entry)).first->second;
}

void PortManager::forget(const std::string& id) {
  auto it = ports_.find(id);
  if (it == ports_.end()) return;
  const Port& p = it->second->port;
  ids_by_name_.erase(p.settings.name);
  auto [from, to] = macs_.equal_range({p.network, p.settings.mac});
  for (auto m = from; m != to; ++m)
    if (m->second == id) {
      macs_.erase(m);
      break;
    }
  ports_.erase(it);
}

Result<std::unique_ptr<PortManager::Creation>> PortManager::begin_creation(const std::string& network,
                                                                           const std::vector<PortRequest>& requests) {
  if (requests.size() > kMaxPortsPerCall)
    return fail(Errc::InvalidArgument, std::to_string(requests.size()) + " ports in one call: at most " +
                                           std::to_string(kMaxPortsPerCall) + " (send the rest in another)");
  auto n = active_network(network);
  if (!n) return tl::unexpected(n.error());
  auto backend = networks_.backend_for(*(*n)->live);
  if (!backend) return tl::unexpected(backend.error());
  auto c = std::make_unique<Creation>();
  c->network = network;
  c->backend = *backend;
  std::set<std::string> names;
  for (size_t i = 0; i < requests.size(); ++i) {
    auto context = [&](const Error& e) {
      return requests.size() == 1 ? tl::unexpected(e)
                                  : fail_with_context(e, "port " + std::to_string(i) + " of " + std::to_string(requests.size()));
    };
    if (requests[i].name && !names.insert(*requests[i].name).second)
      return context(Error{Errc::InvalidArgument, "name '" + *requests[i].name + "' is given twice"});
    auto e = make_port(**n, requests[i], c->undo);
    if (!e) return context(e.error());
    (*e)->creating = true;
    c->ids.push_back((*e)->port.id);
    c->attachments.push_back(attachment((*e)->port, *(*n)->live, true));
  }
  return c;
}

Result<std::vector<const Port*>> PortManager::finish_creation(Creation& c, Result<void> plugged) {
  auto where = [&] {
    return c.ids.size() == 1 ? "cannot create port " + c.attachments.front().port_name + " on network '" + c.network + "'"
                             : "cannot plug in " + std::to_string(c.ids.size()) + " ports on network '" + c.network + "'";
  };
  if (!plugged) return fail_with_context(plugged.error(), where());
  std::vector<Entry*> entries;
  for (const auto& id : c.ids) {
    auto it = ports_.find(id);
    // The network was stopped (and its ports removed) while the switch was taking them.
    if (it == ports_.end()) return fail(Errc::Conflict, where() + ": the network stopped meanwhile");
    entries.push_back(it->second.get());
  }
  for (Entry* e : entries)
    if (auto r = finish_internal(e->port); !r) return fail_with_context(r.error(), where());
  c.undo.commit();
  std::vector<const Port*> made;
  for (Entry* e : entries) {
    e->creating = false;
    made.push_back(&e->port);
  }
  log::info(made.size() == 1 ? "port " + made.front()->settings.name + " created on network " + c.network
                             : std::to_string(made.size()) + " ports created on network " + c.network);
  for (const Port* p : made) observers_.notify([&](PortObserver& o) { o.port_added(*p); });
  return made;
}

void PortManager::create_ports(const std::string& network, const std::vector<PortRequest>& requests, CreateDone done) {
  auto c = begin_creation(network, requests);
  if (!c) return done(tl::unexpected(c.error()));
  (*c)->done = std::move(done);
  std::uint64_t key = ++last_creation_;
  auto& creation = *creating_.emplace(key, std::move(*c)).first->second;
  // Plugged in together: a backend with transactions (OVSDB) adds them all in one.
  creation.backend->attach_ports_async(creation.attachments, [this, key, alive = std::weak_ptr<int>(alive_)](Result<void> r) {
    if (alive.expired()) return;  // hostnetd is shutting down: the creation was rolled back
    auto node = creating_.extract(key);
    if (node.empty()) return;
    std::unique_ptr<Creation> c = std::move(node.mapped());
    auto made = finish_creation(*c, std::move(r));
    CreateDone reply = std::move(c->done);
    c.reset();  // on failure, the rollback happens before the caller hears of it
    reply(std::move(made));
  });
}

void PortManager::abandon_creations() {
  if (!creating_.empty()) log::info(std::to_string(creating_.size()) + " port creations abandoned at shutdown");
  creating_.clear();
}

void PortManager::remove_ifb(const Port& p) {
  if (p.ifb.empty()) return;
  if (auto link = netlink::get_link(sock_, p.ifb); link && *link && (*link)->alias == ifb_alias(p))
    (void)netlink::delete_link(sock_, (*link)->ifindex, p.ifb);
}

void PortManager::remove_devices(Entry& e) {
  const Port& p = e.port;
  const std::string& name = p.settings.name;
  std::error_code ec;
  if (p.settings.kind == "internal") {  // the switch removes its device with the port
    std::filesystem::remove(record_path(p.id), ec);
    return;
  }
  if (is_vhost_user(p.settings)) {  // no device; the socket is QEMU's, its directory hostnet's
    if (!p.socket.empty()) remove_socket_dir(std::filesystem::path(p.socket).parent_path());
    std::filesystem::remove(record_path(p.id), ec);
    return;
  }
  if (is_foreign_port(p.settings)) {  // its maker's device: only hostnet's shaping goes
    remove_ifb(p);
    std::filesystem::remove(record_path(p.id), ec);
    return;
  }
  // Not persistent any more, the tap goes when its last queue fd closes: at once if no VM holds
  // one, else when the VM lets go. Deleting it outright would pull it from under the VM.
  bool unpersisted = false;
  if (!e.queues.empty()) {
    (void)tap::set_queue_enabled(e.queues[0].get(), true, name);
    unpersisted = bool(tap::set_persistent(e.queues[0].get(), false, name));
    e.queues.clear();
  } else if (auto q = tap::open_queue(tap_params(p.settings)); q) {
    unpersisted = bool(tap::set_persistent(q->get(), false, name));
  }
  if (!unpersisted) {
    // Its only queue is held by a process that opened it before hostnetd restarted.
    if (auto r = netlink::delete_link(sock_, p.ifindex, name); !r) log::warning(r.error().message);
  }
  remove_ifb(p);
  std::filesystem::remove(record_path(p.id), ec);
}

Result<void> PortManager::delete_port(const std::string& id_or_name) {
  auto found = lookup(id_or_name);
  if (!found) return tl::unexpected(found.error());
  std::string id = (*found)->id;
  Entry& e = *ports_.at(id);
  if (is_foreign_port(e.port.settings))
    return fail(Errc::Conflict, "port " + e.port.settings.name + " is " + e.port.settings.kind + "'s (domain '" +
                                    e.port.settings.vm_name + "'): detach the interface there (virsh detach-interface), "
                                    "or stop the domain, and the port goes");
  if (auto n = networks_.lookup(e.port.network); n && (*n)->active())
    if (auto backend = networks_.backend_for(*(*n)->live); backend)
      if (auto r = (*backend)->detach_port(attachment(e.port, *(*n)->live, false)); !r)
        log::warning("port " + e.port.settings.name + ": " + r.error().message);
  remove_devices(e);
  log::info("port " + e.port.settings.name + " deleted");
  forget(id);
  observers_.notify([&](PortObserver& o) { o.port_removed(id); });
  return {};
}

Result<PortFds> PortManager::open_fds(const std::string& id, unsigned queues) {
  auto it = ports_.find(id);
  if (it == ports_.end()) return fail(Errc::NotFound, "port '" + id + "' not found");
  Entry& e = *it->second;
  const auto& s = e.port.settings;
  if (is_foreign_port(s))
    return fail(Errc::Unsupported, "port " + s.name + " is " + s.kind + "'s (domain '" + s.vm_name +
                                       "'): its VM manager made the tap and holds its fds");
  if (is_vhost_user(s))
    return fail(Errc::Unsupported, "port " + s.name + " is a vhost-user port: it has no fds; the VM's QEMU serves the socket " +
                                       e.port.socket + " (GetInterfaceXML)");
  if (s.kind != "tap")
    return fail(Errc::Unsupported, "port " + s.name + " is an internal port: its device is the host's, there are no fds to hand out");
  unsigned want = queues ? queues : s.queues;
  if (want > s.queues)
    return fail(Errc::InvalidArgument, "queues " + std::to_string(queues) + ": port " + s.name + " has " +
                                           std::to_string(s.queues) + (s.queues == 1 ? " queue" : " queues"));
  if (e.queues.empty()) {
    std::vector<UniqueFd> opened;
    for (unsigned i = 0; i < s.queues; ++i) {
      auto q = tap::open_queue(tap_params(s));
      if (!q) return tl::unexpected(q.error());
      opened.push_back(std::move(*q));
    }
    e.queues = std::move(opened);
  }
  PortFds out;
  for (unsigned i = 0; i < e.queues.size(); ++i) {
    if (s.queues > 1)
      if (auto r = tap::set_queue_enabled(e.queues[i].get(), i < want, s.name); !r) return tl::unexpected(r.error());
    if (i >= want) continue;
    int fd = ::fcntl(e.queues[i].get(), F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return fail(Errc::Failed, std::string("cannot duplicate a queue fd: ") + std::strerror(errno));
    out.taps.emplace_back(fd);
  }
  if (vhost_net_)
    for (unsigned i = 0; i < want; ++i) {
      UniqueFd v(::open(options_.vhost_net_device.c_str(), O_RDWR | O_CLOEXEC));
      if (!v) return fail(Errc::Failed, "cannot open " + options_.vhost_net_device.string() + ": " + std::strerror(errno));
      out.vhosts.push_back(std::move(v));
    }
  return out;
}

Result<const Port*> PortManager::lookup(std::string_view key) const {
  // A port still being created is not there yet for anyone but its creator.
  if (auto it = ports_.find(std::string(key)); it != ports_.end() && !it->second->creating) return &it->second->port;
  if (auto it = ids_by_name_.find(std::string(key)); it != ids_by_name_.end() && !ports_.at(it->second)->creating)
    return &ports_.at(it->second)->port;
  return fail(Errc::NotFound, "port '" + std::string(key) + "' not found");
}

std::vector<const Port*> PortManager::list(const std::string& network) const {
  std::vector<const Port*> out;
  for (const auto& [id, e] : ports_)
    if (!e->creating && (network.empty() || e->port.network == network)) out.push_back(&e->port);
  return out;
}

Result<PortStatistics> PortManager::statistics(const std::string& id) {
  auto p = lookup(id);
  if (!p) return tl::unexpected(p.error());
  if (auto n = networks_.lookup((*p)->network); n && (*n)->active())
    if (auto backend = networks_.backend_for(*(*n)->live); backend) {
      auto counters = (*backend)->port_statistics(attachment(**p, *(*n)->live, false));
      if (counters) {
        // The switch's view, as the tap's: what the switch received from the port, the VM sent.
        auto get = [&](const char* k) { auto it = counters->find(k); return it == counters->end() ? 0 : it->second; };
        return PortStatistics{get("rx_bytes"), get("rx_packets"), get("tx_bytes"), get("tx_packets"),
                              get("rx_dropped"), get("tx_dropped")};
      }
    }
  if (is_vhost_user((*p)->settings))
    return fail(Errc::NotFound, "vhost-user port " + (*p)->settings.name + ": the switch keeps no counters for it yet");
  auto link = netlink::get_link(sock_, (*p)->settings.name);
  if (!link) return tl::unexpected(link.error());
  if (!*link) return fail(Errc::NotFound, "tap " + (*p)->settings.name + " does not exist");
  const auto& st = (*link)->stats;
  // The tap's view is the host's: what the VM sent arrives as the tap's rx.
  return PortStatistics{st.rx_bytes, st.rx_packets, st.tx_bytes, st.tx_packets, st.rx_dropped, st.tx_dropped};
}

}  // namespace hostnet

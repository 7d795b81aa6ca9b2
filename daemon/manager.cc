#include "daemon/manager.h"

#include <algorithm>
#include <set>

#include "common/log.h"
#include "common/reverter.h"
#include "daemon/conflicts.h"
#include "daemon/host_routes.h"
#include "daemon/modes/mode_driver.h"
#include "xml/network_xml.h"
#include "xml/network_update.h"
#include "xml/port_forward.h"

namespace hostnet {

Manager::Manager(NetworkStore& store, BackendRegistry& backends, PacketFilter& filter, DhcpService& dhcp,
                 ManagerOptions options)
    : store_(store), backends_(backends), filter_(filter), dhcp_(dhcp), options_(std::move(options)) {}

Result<std::vector<DhcpLease>> Manager::dhcp_leases(const std::string& name) {
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (!n->active()) return fail(Errc::Conflict, "network '" + name + "' is not active");
  return dhcp_.leases(*n->live);
}

Network* Manager::find(const std::string& name) {
  auto it = networks_.find(name);
  return it == networks_.end() ? nullptr : it->second.get();
}

std::vector<const Network*> Manager::list() const {
  std::vector<const Network*> out;
  for (const auto& [name, n] : networks_) out.push_back(n.get());
  return out;
}

Result<const Network*> Manager::lookup(std::string_view name_or_uuid) const {
  if (auto it = networks_.find(std::string(name_or_uuid)); it != networks_.end()) return it->second.get();
  for (const auto& [name, n] : networks_) {
    const auto& def = n->current();
    if (def.uuid && def.uuid->str() == name_or_uuid) return n.get();
  }
  return fail(Errc::NotFound, "network '" + std::string(name_or_uuid) + "' not found");
}

std::string Manager::backend_name(const xml::NetworkDef& def) const {
  if (!def.backend.empty()) return def.backend;
  if (def.virtualport && def.virtualport->type == "openvswitch") return "ovs";
  return options_.default_backend;
}

std::string Manager::xml_desc(const Network& network, bool inactive) const {
  if (inactive && network.persistent) return xml::format_network(*network.persistent, xml::kFormatInactive);
  return xml::format_network(network.current(), inactive ? xml::kFormatInactive : xml::kFormatLive);
}

Result<std::string> Manager::allocate_bridge_name(const std::string& network_name) const {
  std::set<std::string> taken;
  for (const auto& [name, n] : networks_) {
    if (name == network_name) continue;
    if (n->persistent) taken.insert(n->persistent->bridge.name);
    if (n->live) taken.insert(n->live->bridge.name);
  }
  auto backend = backends_.get(options_.default_backend);
  const auto& tmpl = options_.bridge_name_template;
  auto pos = tmpl.find("%d");
  for (int i = 0; i < 256; ++i) {
    std::string candidate = tmpl.substr(0, pos) + std::to_string(i) + tmpl.substr(pos + 2);
    if (taken.count(candidate)) continue;
    if (backend) {
      auto dev = (*backend)->find_device(candidate);
      if (dev && *dev) continue;
    }
    return candidate;
  }
  return fail(Errc::Conflict, "no free bridge name of the form '" + tmpl + "'");
}

Result<void> Manager::complete_definition(xml::NetworkDef& def, const Network* existing) {
  const xml::NetworkDef* old = existing ? &existing->current() : nullptr;
  if (old && existing->persistent) old = &*existing->persistent;
  if (old) {
    if (!def.uuid) def.uuid = old->uuid;
    if (!def.mac && def.creates_bridge()) def.mac = old->mac;
    if (def.bridge.name.empty() && def.creates_bridge()) def.bridge.name = old->bridge.name;
  }
  xml::assign_identity(def);
  if (def.creates_bridge() && (def.bridge.name.empty() || def.bridge.name.find("%d") != std::string::npos)) {
    auto name = allocate_bridge_name(def.name);
    if (!name) return tl::unexpected(name.error());
    def.bridge.name = *name;
  }
  return {};
}

Result<void> Manager::check_identity_free(const xml::NetworkDef& def) const {
  for (const auto& [name, n] : networks_) {
    const auto& other = n->current();
    bool same_uuid = def.uuid && other.uuid && *def.uuid == *other.uuid;
    if (name == def.name && !same_uuid)
      return fail(Errc::Conflict, "network '" + name + "' already exists with uuid " +
                                      (other.uuid ? other.uuid->str() : std::string("?")));
    if (name != def.name && same_uuid)
      return fail(Errc::Conflict, "network '" + name + "' already has uuid " + def.uuid->str());
  }
  return check_bridge_name_free(def, list());
}

Result<void> Manager::check_bridge_device_free(const xml::NetworkDef& def) const {
  // Caught at define time, not only at start: a definition that can never start is a trap.
  if (!def.creates_bridge()) return {};
  auto backend = backends_.get(backend_name(def));
  if (!backend) return {};  // reported when the network starts
  auto dev = (*backend)->find_device(def.bridge.name);
  if (!dev) return tl::unexpected(dev.error());
  if (*dev && (*dev)->owner_tag != owner_tag_for(def.name))
    return fail(Errc::Conflict, "bridge name '" + def.bridge.name + "' is already used by " +
                                    ((*dev)->kind.empty() ? std::string("a") : "a " + (*dev)->kind) +
                                    " device that hostnet does not manage for this network" +
                                    ((*dev)->owner_tag.empty() ? "" : " (it belongs to " + (*dev)->owner_tag + ")"));
  return {};
}

Result<void> Manager::run_definition_checks(const xml::NetworkDef& def) const {
  Result<void> out;
  checks_.notify([&](const DefinitionCheck& c) {
    if (out) out = c.check_definition(def);
  });
  return out;
}

void Manager::log_warnings(const xml::NetworkDef& def, const std::vector<std::string>& known) {
  for (const auto& w : def.warnings)
    if (std::find(known.begin(), known.end(), w) == known.end()) log::warning("network " + def.name + ": " + w);
}

Result<const Network*> Manager::define(std::string_view xml_text) { return define(xml_text, false); }

Result<const Network*> Manager::define(std::string_view xml_text, bool bridge_is_peers) {
  auto parsed = xml::parse_network(xml_text);
  if (!parsed) return tl::unexpected(parsed.error());
  xml::NetworkDef def = std::move(*parsed);
  Network* existing = find(def.name);
  if (auto r = complete_definition(def, existing); !r) return tl::unexpected(r.error());
  if (auto r = run_definition_checks(def); !r) return tl::unexpected(r.error());
  if (auto r = check_identity_free(def); !r) return tl::unexpected(r.error());
  if (!bridge_is_peers)
    if (auto r = check_bridge_device_free(def); !r) return tl::unexpected(r.error());
  if (auto r = store_.save_definition(def); !r) return tl::unexpected(r.error());
  log_warnings(def);

  if (existing) {
    // A redefinition takes effect at the next start, as in libvirt; a running network keeps
    // running as it is.
    existing->persistent = std::move(def);
    notify_changed(*existing);
    log::info("network " + existing->name + " redefined");
    return existing;
  }
  auto n = std::make_unique<Network>();
  n->name = def.name;
  n->persistent = std::move(def);
  Network* raw = n.get();
  networks_.emplace(raw->name, std::move(n));
  observers_.notify([&](ManagerObserver& o) { o.network_added(*raw); });
  log::info("network " + raw->name + " defined");
  return raw;
}

Result<xml::NetworkDef> Manager::prepare_create(std::string_view xml_text) {
  auto parsed = xml::parse_network(xml_text);
  if (!parsed) return tl::unexpected(parsed.error());
  xml::NetworkDef def = std::move(*parsed);
  Network* existing = find(def.name);
  if (existing && existing->active())
    return fail(Errc::Conflict, "network '" + def.name + "' is already active");
  if (auto r = complete_definition(def, existing); !r) return tl::unexpected(r.error());
  if (auto r = run_definition_checks(def); !r) return tl::unexpected(r.error());
  if (auto r = check_identity_free(def); !r) return tl::unexpected(r.error());
  if (auto r = check_bridge_device_free(def); !r) return tl::unexpected(r.error());
  log_warnings(def);
  return def;
}

Result<const Network*> Manager::activate_created(const xml::NetworkDef& def, const SwitchState* made) {
  if (Network* existing = find(def.name)) {
    if (existing->active()) return fail(Errc::Conflict, "network '" + def.name + "' is already active");
    // Starting a defined network with a one-off definition: the stored one stays as it was.
    if (auto r = bring_up(*existing, def, made); !r) return tl::unexpected(r.error());
    notify_changed(*existing);
    return existing;
  }
  Network scratch;
  scratch.name = def.name;
  if (auto r = bring_up(scratch, def, made); !r) return tl::unexpected(r.error());
  auto n = std::make_unique<Network>(std::move(scratch));
  Network* raw = n.get();
  networks_.emplace(raw->name, std::move(n));
  observers_.notify([&](ManagerObserver& o) { o.network_added(*raw); });
  return raw;
}

Result<const Network*> Manager::create(std::string_view xml_text) {
  auto def = prepare_create(xml_text);
  if (!def) return tl::unexpected(def.error());
  return activate_created(*def, nullptr);
}

Result<void> Manager::undefine(const std::string& name) {
  if (auto r = not_starting(name, "undefined"); !r) return r;
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (!n->persistent) return fail(Errc::Conflict, "network '" + name + "' is transient: nothing to undefine");
  if (auto r = store_.remove_definition(name); !r) return r;
  n->persistent.reset();
  n->autostart = false;
  log::info("network " + name + " undefined");
  if (!n->active()) {
    networks_.erase(name);
    observers_.notify([&](ManagerObserver& o) { o.network_removed(name); });
  } else {
    notify_changed(*n);
  }
  return {};
}

Result<void> Manager::check_startable(const xml::NetworkDef& def) const {
  auto driver = mode_driver_for(def);
  if (!driver) return tl::unexpected(driver.error());
  auto backend = backends_.get(backend_name(def));
  if (!backend) return tl::unexpected(backend.error());
  auto others = list();
  if (auto r = check_subnets_free(def, others); !r) return r;
  if (auto r = check_bridge_name_free(def, others); !r) return r;
  if (options_.check_host_routes && def.creates_bridge())
    if (auto r = check_subnets_unrouted(def, pass_routes_ ? &*pass_routes_ : nullptr); !r) return r;
  return {};
}

Result<void> Manager::bring_up(Network& network, const xml::NetworkDef& def, const SwitchState* made) {
  if (auto r = check_startable(def); !r) return r;
  auto driver = mode_driver_for(def);
  auto backend = backends_.get(backend_name(def));
  Reverter undo;
  NetworkHost host{**backend, filter_, dhcp_, shaper_, made};
  if (auto r = (*driver)->start(def, host, undo); !r)
    return fail_with_context(r.error(), "cannot start network '" + def.name + "'");
  if (auto r = store_.save_status(def); !r) return r;
  undo.commit();
  network.live = def;
  return {};
}

Result<xml::NetworkDef> Manager::prepare_start(const std::string& name) {
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (n->active()) return fail(Errc::Conflict, "network '" + name + "' is already active");
  return *n->persistent;
}

Result<const Network*> Manager::activate_defined(const xml::NetworkDef& def, const SwitchState* made) {
  Network* n = find(def.name);
  if (!n) return fail(Errc::NotFound, "network '" + def.name + "' not found");
  if (n->active()) return fail(Errc::Conflict, "network '" + def.name + "' is already active");
  if (auto r = bring_up(*n, def, made); !r) return tl::unexpected(r.error());
  log::info("network " + def.name + " started on " + n->live->bridge.name);
  notify_changed(*n);
  return n;
}

Result<void> Manager::start(const std::string& name) {
  auto def = prepare_start(name);
  if (!def) return tl::unexpected(def.error());
  auto n = activate_defined(*def, nullptr);
  if (!n) return tl::unexpected(n.error());
  return {};
}

void Manager::start_async(const std::string& name, StartDone done) {
  start_queue_.push_back(StartJob{name, std::nullopt, std::move(done)});
  run_next_start();
}

void Manager::create_async(std::string xml_text, StartDone done) {
  start_queue_.push_back(StartJob{"", std::move(xml_text), std::move(done)});
  run_next_start();
}

void Manager::run_next_start() {
  // Only a start waiting for its switch outlives this call (single thread): the others finish
  // within it, so one waiting holds the queue.
  if (starting_ || start_queue_.empty()) return;
  StartJob job = std::move(start_queue_.front());
  start_queue_.pop_front();
  auto finish = [this](StartDone done, Result<const Network*> outcome) {
    done(std::move(outcome));
    run_next_start();
  };
  // Checked when its turn comes, so it sees what the starts before it made.
  bool create = job.xml.has_value();
  auto def = create ? prepare_create(*job.xml) : prepare_start(job.name);
  if (!def) return finish(std::move(job.done), tl::unexpected(def.error()));
  if (!def->creates_bridge()) {  // the admin's bridge: nothing to wait for
    auto outcome = create ? activate_created(*def, nullptr) : activate_defined(*def, nullptr);
    return finish(std::move(job.done), std::move(outcome));
  }
  // Before a switch is made for it (bring_up checks again once the switch exists).
  if (auto r = check_startable(*def); !r) return finish(std::move(job.done), tl::unexpected(r.error()));
  SwitchBackend* backend = *backends_.get(backend_name(*def));
  starting_ = def->name;
  start_done_ = std::move(job.done);
  backend->ensure_switch_async(switch_spec_for(*def), [this, finish, create, backend, def = *def,
                                                       alive = std::weak_ptr<int>(alive_)](Result<SwitchState> made) {
    if (alive.expired() || !start_done_) return;  // abandoned at shutdown
    StartDone done = std::move(start_done_);
    start_done_ = nullptr;
    starting_.reset();
    if (!made) return finish(std::move(done), fail_with_context(made.error(), "cannot start network '" + def.name + "'"));
    auto outcome = create ? activate_created(def, &*made) : activate_defined(def, &*made);
    // A failure inside the driver already removed the switch it was given; one before it did not.
    if (!outcome && made->created) (void)backend->delete_switch(made->name, made->owner_tag);
    finish(std::move(done), std::move(outcome));
  });
}

void Manager::abandon_starts() {
  start_queue_.clear();
  start_done_ = nullptr;
}

Result<void> Manager::not_starting(const std::string& name, const char* what) const {
  if (starting_ && *starting_ == name)
    return fail(Errc::Conflict, std::string("network '") + name + "' is starting: it cannot be " + what + " until it is up");
  return {};
}

Result<void> Manager::tear_down(const xml::NetworkDef& live) {
  auto driver = mode_driver_for(live);
  auto backend = backends_.get(backend_name(live));
  if (driver && backend) {
    NetworkHost host{**backend, filter_, dhcp_, shaper_};
    if (auto r = (*driver)->stop(live, host); !r) return r;
  }
  return store_.remove_status(live.name);
}

Result<void> Manager::stop(const std::string& name) {
  if (auto r = not_starting(name, "stopped"); !r) return r;
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (!n->active()) return fail(Errc::Conflict, "network '" + name + "' is not active");
  if (listener_) listener_->network_stopping(*n);
  if (auto r = tear_down(*n->live); !r) return fail_with_context(r.error(), "cannot stop network '" + name + "'");
  n->live.reset();
  log::info("network " + name + " stopped");
  if (!n->persistent) {
    networks_.erase(name);
    observers_.notify([&](ManagerObserver& o) { o.network_removed(name); });
  } else {
    notify_changed(*n);
  }
  return {};
}

Result<void> Manager::set_autostart(const std::string& name, bool enabled) {
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (!n->persistent) return fail(Errc::Conflict, "network '" + name + "' is transient: it cannot autostart");
  if (n->autostart == enabled) return {};
  if (auto r = store_.set_autostart(name, enabled); !r) return r;
  n->autostart = enabled;
  notify_changed(*n);
  return {};
}

Result<void> Manager::update(const std::string& name, const std::string& command, const std::string& section,
                             const std::string& fragment, bool live, bool config) {
  if (auto r = not_starting(name, "updated"); !r) return r;
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (!live && !config) (n->active() ? live : config) = true;
  if (live && !n->active()) return fail(Errc::Conflict, "network '" + name + "' is not active: nothing live to update");
  if (config && !n->persistent) return fail(Errc::Conflict, "network '" + name + "' is transient: no stored definition");
  // Compute both results before changing anything: all or nothing.
  std::optional<xml::NetworkDef> new_live, new_stored;
  if (live) {
    auto r = xml::apply_update(*n->live, command, section, fragment);
    if (!r) return tl::unexpected(r.error());
    new_live = std::move(*r);
  }
  if (config) {
    auto r = xml::apply_update(*n->persistent, command, section, fragment);
    if (!r) return tl::unexpected(r.error());
    new_stored = std::move(*r);
  }
  std::vector<std::string> known = n->current().warnings;
  if (new_stored)
    if (auto r = store_.save_definition(*new_stored); !r) return r;
  if (new_live && new_live->openflow != n->live->openflow) {
    // Only the bridge's OpenFlow settings change: its ports and their traffic stay as they are.
    auto spec = switch_spec_for(*new_live);
    auto backend = backend_for(*new_live);
    Result<void> r = backend ? (*backend)->set_openflow(spec.name, spec.owner_tag, spec.openflow.value_or(OpenFlowSpec{}))
                             : Result<void>(tl::unexpected(backend.error()));
    if (!r) {
      if (new_stored) (void)store_.save_definition(*n->persistent);
      return fail_with_context(r.error(), "network '" + name + "'");
    }
  }
  if (new_live) {
    if (DhcpService::wanted(*new_live))
      if (auto r = dhcp_.reload(*new_live); !r) {
        if (new_stored) (void)store_.save_definition(*n->persistent);
        return r;
      }
    (void)store_.save_status(*new_live);
    n->live = std::move(*new_live);
  }
  if (new_stored) n->persistent = std::move(*new_stored);
  log_warnings(n->current(), known);
  notify_changed(*n);
  return {};
}

Result<void> Manager::add_port_forward(const std::string& name, const xml::PortForward& forward) {
  if (auto r = not_starting(name, "changed"); !r) return r;
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  const auto& def = n->current();
  if (def.forward.mode != xml::ForwardMode::Nat)
    return fail(Errc::Unsupported, "port forwards lead into nat networks; '" + name + "' has forward mode '" +
                                       xml::forward_mode_name(def.forward.mode) + "'");
  if (auto r = xml::check_port_forward(forward, def); !r) return r;
  for (const auto& [other_name, other] : networks_) {
    if (other_name == name || !other->active()) continue;
    for (const auto& f : other->live->port_forwards)
      if (f.same_key(forward))
        return fail(Errc::Conflict, "port forward: " + forward.proto + " port " + xml::format_port_range(forward) +
                                        " is already forwarded into network '" + other_name + "'");
  }
  auto forwards = def.port_forwards;
  forwards.push_back(forward);
  return set_port_forwards(*n, std::move(forwards), {forward}, {});
}

Result<void> Manager::remove_port_forward(const std::string& name, const xml::PortForward& key) {
  if (auto r = not_starting(name, "changed"); !r) return r;
  Network* n = find(name);
  if (!n) return fail(Errc::NotFound, "network '" + name + "' not found");
  auto forwards = n->current().port_forwards;
  auto it = std::find_if(forwards.begin(), forwards.end(), [&](const xml::PortForward& f) {
    return f.proto == key.proto && f.host_address == key.host_address && f.port_start == key.port_start;
  });
  if (it == forwards.end())
    return fail(Errc::NotFound, "network '" + name + "' has no " + key.proto + " forward of host port " +
                                    std::to_string(key.port_start) +
                                    (key.host_address.empty() ? "" : " on " + key.host_address));
  xml::PortForward gone = *it;
  forwards.erase(it);
  return set_port_forwards(*n, std::move(forwards), {}, {gone});
}

Result<void> Manager::set_port_forwards(Network& n, std::vector<xml::PortForward> forwards,
                                        const std::vector<xml::PortForward>& added,
                                        const std::vector<xml::PortForward>& removed) {
  std::optional<xml::NetworkDef> live, stored;
  Reverter undo;
  if (n.live) {
    live = *n.live;
    live->port_forwards = forwards;
    if (auto r = filter_.change_port_forwards(added, removed); !r) return r;
    undo.add([this, added, removed] { (void)filter_.change_port_forwards(removed, added); });
    if (auto r = store_.save_status(*live); !r) return r;
    undo.add([this, &n] { (void)store_.save_status(*n.live); });
  }
  if (n.persistent) {
    stored = *n.persistent;
    stored->port_forwards = forwards;
    if (auto r = store_.save_definition(*stored); !r) return r;
  }
  undo.commit();
  if (live) n.live = std::move(*live);
  if (stored) n.persistent = std::move(*stored);
  notify_changed(n);
  return {};
}

void Manager::repair() {
  filter_.begin_pass();
  if (listener_) listener_->repair_pass(true);
  for (auto& [name, n] : networks_) {
    if (!n->active()) continue;
    auto driver = mode_driver_for(*n->live);
    auto backend = backends_.get(backend_name(*n->live));
    if (!driver || !backend) continue;
    NetworkHost host{**backend, filter_, dhcp_, shaper_};
    if (auto r = (*driver)->repair(*n->live, host); !r)
      log::error("network " + name + ": cannot repair: " + r.error().message);
    else if (listener_)
      listener_->network_repaired(*n);
  }
  if (listener_) listener_->repair_pass(false);
  filter_.end_pass();
}

void Manager::reconcile() {
  filter_.begin_pass();
  for (auto& rec : store_.load_definitions()) {
    if (!rec.def) {
      log::error("ignoring " + rec.path.string() + ": " + rec.def.error().message);
      continue;
    }
    auto n = std::make_unique<Network>();
    n->name = rec.def->name;
    n->autostart = store_.autostart(n->name);
    n->persistent = std::move(*rec.def);
    networks_.emplace(n->name, std::move(n));
  }

  // Networks that were active when hostnetd last ran: adopt them as they are in the kernel.
  pass_routes_.emplace();
  for (auto& rec : store_.load_status_records()) {
    if (!rec.def) {
      log::error("dropping unreadable status record " + rec.path.string() + ": " + rec.def.error().message);
      std::error_code ec;
      std::filesystem::remove(rec.path, ec);
      continue;
    }
    const std::string name = rec.def->name;
    Network* n = find(name);
    std::unique_ptr<Network> transient;
    if (!n) {
      transient = std::make_unique<Network>();
      transient->name = name;
      n = transient.get();
    }
    if (auto r = bring_up(*n, *rec.def, nullptr); !r) {
      log::error("network " + name + " was active but cannot be restored: " + r.error().message);
      (void)store_.remove_status(name);
      continue;
    }
    log::info("network " + name + " restored on " + n->live->bridge.name);
    if (transient) networks_.emplace(name, std::move(transient));
  }

  pass_routes_.reset();

  remove_orphan_switches();
  remove_orphan_services();
  filter_.end_pass();

  for (auto& [name, n] : networks_) {
    if (!n->autostart || n->active()) continue;
    if (auto r = start(name); !r) log::error("autostart of network " + name + " failed: " + r.error().message);
  }
}

void Manager::remove_orphan_services() {
  std::vector<const xml::NetworkDef*> live;
  std::vector<std::string> names;
  for (const auto& [name, n] : networks_)
    if (n->active()) {
      live.push_back(&*n->live);
      names.push_back(name);
    }
  filter_.prune(live);
  dhcp_.prune(names);
}

void Manager::remove_orphan_switches() {
  for (const auto& info : backends_.infos()) {
    if (!info.available) continue;
    auto backend = backends_.get(info.name);
    auto switches = (*backend)->list_switches();
    if (!switches) {
      log::warning("backend " + info.name + ": cannot list switches: " + switches.error().message);
      continue;
    }
    for (const auto& sw : *switches) {
      std::string network = sw.owner_tag.substr(std::string(kOwnerTagPrefix).size());
      const Network* n = find(network);
      if (n && n->active() && n->live->bridge.name == sw.name) continue;
      log::info("removing " + sw.name + ": made by hostnet for network '" + network + "', which is not active");
      if (auto r = (*backend)->delete_switch(sw.name, sw.owner_tag); !r)
        log::warning("cannot remove " + sw.name + ": " + r.error().message);
    }
  }
}

}  // namespace hostnet

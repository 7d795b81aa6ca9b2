// Ports another program made: libvirt's taps for the domains it runs on hostnet's networks.
// hostnet follows them — adopts, shapes, shows and counts them, gives them the VLAN libvirt
// cannot give on a kernel bridge — but never makes, deletes or opens their devices.
#include "common/atomic_file.h"
#include "common/log.h"
#include "common/netlink/link.h"
#include "daemon/ports/port_manager.h"
#include "daemon/ports/port_record.h"
#include "xml/ip_address.h"

namespace hostnet {

namespace {

std::string describe(const Port& p) {
  return "port " + p.settings.name + " (" + p.settings.kind + " domain '" + p.settings.vm_name + "')";
}

}  // namespace

void PortManager::sync_foreign_ports(const std::string& kind, const std::set<std::string>& networks,
                                     const std::vector<ForeignPort>& ports) {
  std::map<std::string, const ForeignPort*> listed;  // by device
  for (const auto& f : ports)
    if (f.kind == kind && networks.count(f.network)) listed[f.device] = &f;

  std::vector<std::pair<std::string, std::string>> gone;  // id, why
  for (auto& [id, e] : ports_) {
    const Port& p = e->port;
    if (p.settings.kind != kind || !networks.count(p.network)) continue;
    auto it = listed.find(p.settings.name);
    if (it == listed.end()) {
      gone.emplace_back(id, "no longer listed by " + kind);
      continue;
    }
    const ForeignPort& f = *it->second;
    auto link = netlink::get_link(sock_, f.device);
    bool same_device = link && *link && (*link)->ifindex == p.ifindex;
    // The maker's port id names one interface of one domain (libvirt keeps it for the port's life).
    bool same_port = xml::parse_mac(f.mac) == p.settings.mac && f.peer_port == p.settings.peer_port;
    if (!same_device || !same_port) {
      gone.emplace_back(id, "it was replaced");  // adopted anew below
      continue;
    }
    listed.erase(it);
    // Every sync checks it again: libvirt re-plugs a tap hostnet keeps out when libvirtd restarts.
    if (auto n = active_network(p.network); n)
      if (auto backend = networks_.backend_for(*(*n)->live); backend) enforce_foreign(*e, *(*n)->live, **backend);
  }
  for (const auto& [id, why] : gone) drop_foreign(id, why);

  for (const auto& [device, f] : listed)
    if (auto r = adopt_foreign(*f); !r)
      log::warning(kind + " port " + device + " of domain '" + f->vm_name + "' on network " + f->network +
                   " is not followed: " + r.error().message);
}

Result<PortManager::Entry*> PortManager::adopt_foreign(const ForeignPort& f) {
  auto n = active_network(f.network);
  if (!n) return tl::unexpected(n.error());
  const auto& def = *(*n)->live;
  auto backend = networks_.backend_for(def);
  if (!backend) return tl::unexpected(backend.error());

  auto mac = xml::parse_mac(f.mac);
  if (!mac) return fail(Errc::InvalidArgument, "mac '" + f.mac + "': not a MAC address");
  PortSettings given;
  given.kind = f.kind;
  given.name = f.device;
  given.mac = *mac;
  given.portgroup = f.portgroup;
  given.vm_uuid = f.vm_uuid;
  given.vm_name = f.vm_name;
  given.peer_port = f.peer_port;
  // Settings hostnet cannot resolve (a portgroup the network lacks) still make a port: one that
  // is kept off the switch and says why (enforce_foreign), not a VM forwarding unnoticed.
  auto settings = foreign_settings(given, def);
  if (settings) given = std::move(*settings);

  if (ids_by_name_.count(f.device)) return fail(Errc::Conflict, "hostnet already has a port named " + f.device);
  auto link = netlink::get_link(sock_, f.device);
  if (!link) return tl::unexpected(link.error());
  if (!*link) return fail(Errc::NotFound, "its tap " + f.device + " does not exist");

  auto entry = std::make_unique<Entry>();
  Port& port = entry->port;
  port.id = new_id();
  port.network = f.network;
  port.settings = std::move(given);
  port.ifindex = (*link)->ifindex;
  Reverter undo;
  if (auto r = shape(port, undo); !r) return fail_with_context(r.error(), "cannot shape it");
  if (auto r = write_file_atomic(record_path(port.id), format_port_record(port), 0644, Durability::Runtime); !r)
    return tl::unexpected(r.error());
  undo.commit();

  Entry* raw = entry.get();
  keep(std::move(entry));
  enforce_foreign(*raw, def, **backend);
  log::info(describe(raw->port) + " adopted on network " + f.network +
            (raw->port.problem.empty() ? std::string() : ": " + raw->port.problem));
  observers_.notify([&](PortObserver& o) { o.port_added(raw->port); });
  return raw;
}

Result<PortSettings> PortManager::foreign_settings(const PortSettings& given, const xml::NetworkDef& def) const {
  PortRequest request;
  request.name = given.name;
  request.mac = xml::format_mac(given.mac);
  if (!given.portgroup.empty()) request.portgroup = given.portgroup;
  if (!given.vm_uuid.empty()) request.vm_uuid = given.vm_uuid;
  auto s = resolve_port_request(request, resolve_context(def));
  if (!s) return s;
  s->kind = given.kind;
  s->vm_name = given.vm_name;
  s->peer_port = given.peer_port;
  s->mtu.reset();  // the maker sized its device
  return s;
}

void PortManager::enforce_foreign(Entry& e, const xml::NetworkDef& def, SwitchBackend& backend) {
  Port& p = e.port;
  std::string before = p.problem;
  // Checked every time: a portgroup the network lacks (libvirt does not check it on a bridge
  // network), or one removed since.
  auto settings = foreign_settings(p.settings, def);
  Result<void> plugged = settings ? backend.attach_port(attachment(p, def, false))
                                  : Result<void>(tl::unexpected(settings.error()));
  if (plugged) {
    p.problem.clear();
  } else {
    p.problem = "does not forward: " + plugged.error().message;
    // Fail closed: a port whose VLAN cannot be given would forward untagged on the bridge.
    if (auto r = backend.detach_port(attachment(p, def, false)); !r)
      log::error(describe(p) + ": cannot unplug it: " + r.error().message);
  }
  if (p.problem == before) return;
  if (p.problem.empty()) log::info(describe(p) + " forwards again");
  else log::warning(describe(p) + " " + p.problem);
  observers_.notify([&](PortObserver& o) { o.port_changed(p); });
}

void PortManager::drop_foreign(const std::string& id, const std::string& why) {
  auto it = ports_.find(id);
  if (it == ports_.end()) return;
  log::info(describe(it->second->port) + " left network " + it->second->port.network + ": " + why);
  remove_devices(*it->second);
  forget(id);
  observers_.notify([&](PortObserver& o) { o.port_removed(id); });
}

}  // namespace hostnet

// The ports' side of their networks' lives: gone when a network stops, put back when it is
// repaired (a device deleted behind hostnet's back), and adopted as they are when hostnetd
// starts again.
#include <set>
#include <unordered_map>
#include <fstream>
#include <sstream>

#include "common/atomic_file.h"
#include "common/log.h"
#include "common/netlink/link.h"
#include "daemon/ports/port_manager.h"
#include "daemon/ports/port_record.h"

namespace hostnet {

namespace {

bool ends_with_network(const std::string& alias, const std::string& network) {
  return alias.size() > network.size() && alias.ends_with(":" + network);
}

bool is_hostnet_port_device(const std::string& alias) {
  return alias.starts_with(kPortAliasPrefix) || alias.starts_with(kIfbAliasPrefix);
}

// "hostnet-port:<id>:<network>" -> id
std::string id_from_alias(const std::string& alias) {
  auto first = alias.find(':');
  auto second = alias.find(':', first + 1);
  return alias.substr(first + 1, second - first - 1);
}

}  // namespace

void PortManager::network_stopping(const Network& network) {
  std::vector<std::string> ids;
  for (const auto& [id, e] : ports_)
    if (e->port.network == network.name) ids.push_back(id);
  if (ids.empty()) return;
  // One RTM_DELLINK for the whole group when every device in it is this network's: the kernel
  // then synchronises once, not once per device (~20 ms each).
  unsigned group = port_link_group(network.name);
  bool group_is_ours = true;
  size_t members = 0;
  if (auto links = netlink::list_links(sock_); links) {
    for (const auto& l : *links) {
      if (l.group != group) continue;
      ++members;
      if (!is_hostnet_port_device(l.alias) || !ends_with_network(l.alias, network.name)) group_is_ours = false;
    }
  } else {
    group_is_ours = false;
  }
  for (const auto& id : ids) ports_.at(id)->queues.clear();
  if (group_is_ours && members > 0 && netlink::delete_link_group(sock_, group)) {
    for (const auto& id : ids) {
      std::error_code ec;
      std::filesystem::remove(record_path(id), ec);
    }
  } else {
    for (const auto& id : ids) {
      Entry& e = *ports_.at(id);
      if (!is_foreign_port(e.port.settings) && !is_vhost_user(e.port.settings))
        (void)netlink::delete_link(sock_, e.port.ifindex, e.port.settings.name);
      remove_devices(e);
    }
  }
  for (const auto& id : ids) {
    bool announced = !ports_.at(id)->creating;
    forget(id);
    if (announced) observers_.notify([&](PortObserver& o) { o.port_removed(id); });
  }
  log::info("network " + network.name + ": " + std::to_string(ids.size()) + " ports removed");
}

void PortManager::repair_pass(bool starting) {
  pass_links_.reset();
  if (!starting) return;
  if (auto links = netlink::list_links(sock_); links) pass_links_ = std::move(*links);
}

void PortManager::network_repaired(const Network& network) {
  auto backend = networks_.backend_for(*network.live);
  if (!backend) return;
  // One dump for all ports (and, in a repair pass, for all networks): a repair runs after any
  // removal of a hostnet device on the host.
  std::optional<std::vector<netlink::LinkInfo>> own;
  if (!pass_links_) {
    auto links = netlink::list_links(sock_);
    if (!links) return;
    own = std::move(*links);
  }
  const auto& links = pass_links_ ? *pass_links_ : *own;
  std::map<std::string, const netlink::LinkInfo*> by_name;
  for (const auto& l : links) by_name[l.name] = &l;
  std::vector<std::string> gone;
  for (auto& [id, e] : ports_) {
    if (e->port.network != network.name || e->creating) continue;
    auto it = by_name.find(e->port.settings.name);
    if (is_vhost_user(e->port.settings)) {  // no device: the switch is told again (a no-op if it has it)
      if (auto r = (*backend)->attach_port(attachment(e->port, *network.live, false)); !r)
        log::error("port " + e->port.settings.name + ": cannot plug it in again: " + r.error().message);
      continue;
    }
    if (is_foreign_port(e->port.settings)) {
      // Its maker's to remake: a tap gone (or made anew under the name) is a port that ended.
      if (it == by_name.end() || it->second->ifindex != e->port.ifindex) gone.push_back(id);
      else enforce_foreign(*e, *network.live, **backend);
      continue;
    }
    if (it == by_name.end()) {
      Reverter undo;
      e->queues.clear();
      remove_ifb(e->port);
      e->port.ifb.clear();
      if (auto r = make_devices(e->port, *network.live, **backend, undo); !r) {
        log::error("port " + e->port.settings.name + ": cannot remake it: " + r.error().message);
        continue;
      }
      undo.commit();
      log::warning("port " + e->port.settings.name + " was deleted behind hostnet's back; remade");
      (void)write_file_atomic(record_path(id), format_port_record(e->port), 0644, Durability::Runtime);
      // Not [&] over e: clang before 16 cannot capture a structured binding (the fuzz build).
      const Port& remade = e->port;
      observers_.notify([&remade](PortObserver& o) { o.port_changed(remade); });
      continue;
    }
    if (it->second->master != 0 && it->second->up()) continue;  // still plugged in
    if (auto r = (*backend)->attach_port(attachment(e->port, *network.live, false)); !r)
      log::error("port " + e->port.settings.name + ": cannot plug it in again: " + r.error().message);
  }
  for (const auto& id : gone) drop_foreign(id, "its device is gone");
}

void PortManager::reconcile() {
  std::error_code ec;
  // One dump for every port's device rather than a request each (10,000 at scale); if it
  // fails, each port asks for its own.
  std::unordered_map<std::string, const netlink::LinkInfo*> links_by_name;
  auto dumped = netlink::list_links(sock_);
  if (dumped)
    for (const auto& l : *dumped) links_by_name.emplace(l.name, &l);
  std::set<int> deleted;  // devices of the dump removed below
  auto link_named = [&](const std::string& name) -> Result<std::optional<netlink::LinkInfo>> {
    if (!dumped) return netlink::get_link(sock_, name);
    auto it = links_by_name.find(name);
    if (it == links_by_name.end()) return std::optional<netlink::LinkInfo>();
    return std::optional<netlink::LinkInfo>(*it->second);
  };
  for (const auto& file : std::filesystem::directory_iterator(options_.state_dir / "ports", ec)) {
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    auto port = parse_port_record(text.str());
    if (!port || port->id != file.path().filename().string()) {
      log::error("dropping unreadable port record " + file.path().string() +
                 (port ? std::string(": id does not match the file name") : ": " + port.error().message));
      std::filesystem::remove(file.path(), ec);
      continue;
    }
    auto entry = std::make_unique<Entry>();
    entry->port = std::move(*port);
    Port& p = entry->port;
    auto network = active_network(p.network);
    auto link = link_named(p.settings.name);
    bool ours = link && *link && (*link)->alias == port_alias(p);
    SwitchBackend* active_backend = nullptr;  // the switch of the port's network, if it is active
    if (network)
      if (auto b = networks_.backend_for(*(*network)->live); b) active_backend = *b;
    if (is_vhost_user(p.settings)) {
      // No device to find: the socket directory and the switch's row are kept as they are (a
      // connected QEMU stays connected), or go with a network that is not active any more.
      if (!active_backend) {
        log::info("port " + p.settings.name + ": network '" + p.network + "' is not active; removing the port");
        remove_devices(*entry);
        continue;
      }
      if (auto r = active_backend->attach_port(attachment(p, *(*network)->live, false)); !r)
        log::error("port " + p.settings.name + ": cannot plug it in: " + r.error().message);
      keep(std::move(entry));
      continue;
    }
    if (is_foreign_port(p.settings)) {
      // Adopted as it is if its maker's device is still the one it was; else its maker tells
      // the next sync what there is now.
      bool same = link && *link && (*link)->ifindex == p.ifindex;
      if (!active_backend || !same) {
        log::info("port " + p.settings.name + " (" + p.settings.kind + "): " +
                  (!network ? "network '" + p.network + "' is not active" : std::string("its device is gone")) +
                  "; forgetting it");
        remove_devices(*entry);
        continue;
      }
      Entry& adopted = keep(std::move(entry));
      enforce_foreign(adopted, *(*network)->live, *active_backend);
      continue;
    }
    if (!network) {
      log::info("port " + p.settings.name + ": network '" + p.network + "' is not active; removing the port");
      if (ours) {
        (void)netlink::delete_link(sock_, (*link)->ifindex, p.settings.name);
        deleted.insert((*link)->ifindex);
      }
      remove_ifb(p);
      std::filesystem::remove(file.path(), ec);
      continue;
    }
    const auto& def = *(*network)->live;
    auto backend = networks_.backend_for(def);
    if (!backend) {
      log::error("port " + p.settings.name + ": " + backend.error().message);
      continue;
    }
    if (ours) {
      p.ifindex = (*link)->ifindex;
      auto plug = attachment(p, def, false);
      plug.current = PortAttachment::DeviceState{(*link)->master, (*link)->up(), (*link)->port_isolated.value_or(false)};
      if (auto r = (*backend)->attach_port(plug); !r)
        log::error("port " + p.settings.name + ": cannot plug it in: " + r.error().message);
    } else {
      if (link && *link) {
        log::error("port " + p.settings.name + ": the name is now taken by another device; dropping the port");
        std::filesystem::remove(file.path(), ec);
        continue;
      }
      Reverter undo;
      remove_ifb(p);
      p.ifb.clear();
      if (auto r = make_devices(p, def, **backend, undo); !r) {
        log::error("port " + p.settings.name + " was lost and cannot be remade: " + r.error().message);
        std::filesystem::remove(file.path(), ec);
        continue;
      }
      undo.commit();
      log::info("port " + p.settings.name + " was missing: remade");
    }
    // Rewritten only when something changed (an ifindex, a remade device): a restart that finds
    // everything in place writes nothing.
    if (auto record = format_port_record(p); record != text.str())
      (void)write_file_atomic(file.path(), record, 0644, Durability::Runtime);
    keep(std::move(entry));
  }

  // Devices hostnet made for ports it no longer has (a record lost with a crash mid-create),
  // from the dump above: what the loop made has a port, what it removed is skipped.
  if (!dumped) dumped = netlink::list_links(sock_);
  if (dumped) {
    for (const auto& l : *dumped) {
      if (is_hostnet_port_device(l.alias) && !ports_.count(id_from_alias(l.alias)) && !deleted.count(l.ifindex)) {
        log::info("removing " + l.name + ": left over from a port that no longer exists");
        (void)netlink::delete_link(sock_, l.ifindex, l.name);
      } else if (l.alias.starts_with(kNetworkIfbAliasPrefix)) {
        // A network's shaping ifb, left by a start a kill cut off (the network is not active):
        // swept here because this is the restart's one walk over every link.
        std::string network = l.alias.substr(std::string_view(kNetworkIfbAliasPrefix).size());
        auto n = networks_.lookup(network);
        if (n && (*n)->active()) continue;
        log::info("removing " + l.name + ": the shaping device of network '" + network + "', which is not active");
        (void)netlink::delete_link(sock_, l.ifindex, l.name);
      }
    }
  }
  if (!ports_.empty()) log::info(std::to_string(ports_.size()) + " ports restored");
}

}  // namespace hostnet

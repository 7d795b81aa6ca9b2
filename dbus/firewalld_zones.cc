#include "dbus/firewalld_zones.h"

#include <net/if.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <vector>

#include <sdbus-c++/sdbus-c++.h>

#include "common/log.h"
#include "dbus/bus_event_source.h"

namespace hostnet::dbus {

namespace {

constexpr const char* kPath = "/org/fedoraproject/FirewallD1";
constexpr const char* kZoneInterface = "org.fedoraproject.FirewallD1.zone";
constexpr const char* kFallbackZone = "trusted";
// firewalld answers from one Python thread, and not while it (re)loads its ruleset; a call made
// then waits for the load to end.
constexpr auto kCallTimeout = std::chrono::seconds(10);

std::string describe(const sdbus::Error& e) { return e.getName() + ": " + e.getMessage(); }

}  // namespace

FirewalldZones::FirewalldZones(PacketFilter& inner, std::string default_zone)
    : PacketFilterDecorator(inner), default_zone_(std::move(default_zone)) {}

FirewalldZones::~FirewalldZones() = default;

sdbus::IConnection* FirewalldZones::connection() {
  if (connection_lost_) forget_connection();
  if (!connection_) {
    try {
      connection_ = sdbus::createSystemBusConnection();
    } catch (const sdbus::Error& e) {
      log::warning("firewalld: no system bus to ask it on (" + describe(e) + ")");
      return nullptr;
    }
    if (loop_) watch();
  }
  return connection_.get();
}

void FirewalldZones::forget_connection() {
  source_.reset();
  connection_.reset();
  connection_lost_ = false;
  present_.reset();
}

void FirewalldZones::follow(sd_event* loop, std::function<void()> rebind) {
  loop_ = loop;
  rebind_ = std::move(rebind);
  if (connection_ && !connection_lost_)
    watch();
  else
    connection();  // opens it and watches it
}

void FirewalldZones::watch() {
  auto changed = [this](sdbus::Message& msg) {
    if (msg.getMemberName() == std::string("NameOwnerChanged")) {
      std::string name, old_owner, new_owner;
      msg >> name >> old_owner >> new_owner;
      present_ = !new_owner.empty();
      log::info(std::string("firewalld ") + (new_owner.empty() ? "left the bus" : "is on the bus") +
                (new_owner.empty() ? "" : "; its zones get hostnet's bridges again"));
    } else {
      log::info("firewalld reloaded; its zones get hostnet's bridges again");
    }
    if (rebind_) rebind_();
  };
  try {
    connection_->addMatch(std::string("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                                      "member='NameOwnerChanged',arg0='") + kFirewalldBusName + "'",
                          changed, sdbus::floating_slot);
    connection_->addMatch(std::string("type='signal',sender='") + kFirewalldBusName +
                              "',interface='org.fedoraproject.FirewallD1',member='Reloaded'",
                          changed, sdbus::floating_slot);
  } catch (const sdbus::Error& e) {
    log::warning("firewalld: cannot follow its restarts and reloads (" + describe(e) + ")");
    return;
  }
  auto source = BusEventSource::attach(loop_, *connection_, {}, [this](const std::string& why) {
    log::warning("firewalld: lost the bus connection it is followed on (" + why + "); opened again on next use");
    connection_lost_ = true;  // dropped outside the source's own callback
  });
  if (!source) {
    log::warning("firewalld: " + source.error().message);
    return;
  }
  source_ = std::move(*source);
}

bool FirewalldZones::firewalld_present() {
  auto* c = connection();
  if (!c) return false;
  if (present_ && source_) return *present_;  // kept current by NameOwnerChanged
  try {
    bool has = false;
    auto bus = sdbus::createProxy(*c, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bus->callMethod("NameHasOwner").onInterface("org.freedesktop.DBus").withArguments(std::string(kFirewalldBusName))
        .storeResultsTo(has);
    present_ = has;
  } catch (const sdbus::Error& e) {
    log::warning("firewalld: cannot tell whether it runs (" + describe(e) + ")");
    return false;
  }
  return *present_;
}

std::optional<std::string> FirewalldZones::wanted_zone(const xml::NetworkDef& def) const {
  if (def.bridge.name.empty()) return std::nullopt;
  if (!def.bridge.zone.empty()) return def.bridge.zone;
  // As in libvirt: an open network gets no firewall handling unless it names a zone.
  if (def.forward.mode == xml::ForwardMode::Open) return std::nullopt;
  return default_zone_;
}

Result<std::string> FirewalldZones::resolve_zone(const xml::NetworkDef& def, const std::string& wanted) {
  std::vector<std::string> zones;
  try {
    auto proxy = sdbus::createProxy(*connection_, kFirewalldBusName, kPath);
    proxy->callMethod("getZones").onInterface(kZoneInterface).withTimeout(kCallTimeout).storeResultsTo(zones);
  } catch (const sdbus::Error& e) {
    // firewalld is there but does not answer: the network is not refused for it; the binding is
    // tried again at the next repair.
    log::warning("network " + def.name + ": cannot list firewalld's zones (" + describe(e) + ")");
    return wanted;
  }
  if (std::find(zones.begin(), zones.end(), wanted) != zones.end()) return wanted;
  if (!def.bridge.zone.empty())
    return fail(Errc::InvalidArgument, "bridge zone '" + wanted + "': firewalld has no such zone");
  if (warned_.insert(wanted).second)
    log::warning("firewalld has no '" + wanted + "' zone (install dbus/firewalld/" + wanted +
                 ".xml in /etc/firewalld/zones and reload it): hostnet's bridges go in '" + kFallbackZone +
                 "', where guests reach every service of the host");
  return std::string(kFallbackZone);
}

Result<void> FirewalldZones::add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous) {
  auto wanted = wanted_zone(def);
  std::optional<std::string> zone;
  if (wanted && firewalld_present()) {
    auto z = resolve_zone(def, *wanted);
    if (!z) return tl::unexpected(z.error());
    zone = std::move(*z);
  }
  if (auto r = inner_.add_network(def, previous); !r) return r;
  if (previous && previous->bridge.name != def.bridge.name) unbind(*previous);
  if (zone) bind(def, *zone);
  return {};
}

Result<void> FirewalldZones::remove_network(const xml::NetworkDef& def) {
  unbind(def);
  return inner_.remove_network(def);
}

void FirewalldZones::bind(const xml::NetworkDef& def, const std::string& zone) {
  try {
    auto proxy = sdbus::createProxy(*connection_, kFirewalldBusName, kPath);
    std::string current;
    proxy->callMethod("getZoneOfInterface").onInterface(kZoneInterface).withTimeout(kCallTimeout)
        .withArguments(def.bridge.name).storeResultsTo(current);
    if (current == zone) return;  // there already: nothing changes
    std::string answered;
    proxy->callMethod("changeZoneOfInterface").onInterface(kZoneInterface).withTimeout(kCallTimeout)
        .withArguments(zone, def.bridge.name).storeResultsTo(answered);
    log::info("network " + def.name + ": bridge " + def.bridge.name + " put in firewalld zone '" + zone + "'" +
              (current.empty() ? "" : " (it was in '" + current + "')"));
  } catch (const sdbus::Error& e) {
    log::warning("network " + def.name + ": cannot put bridge " + def.bridge.name + " in firewalld zone '" + zone +
                 "' (" + describe(e) + "); tried again at the next repair");
  }
}

void FirewalldZones::unbind(const xml::NetworkDef& def) {
  if (!wanted_zone(def) || !firewalld_present()) return;
  try {
    auto proxy = sdbus::createProxy(*connection_, kFirewalldBusName, kPath);
    std::string current;
    proxy->callMethod("getZoneOfInterface").onInterface(kZoneInterface).withTimeout(kCallTimeout)
        .withArguments(def.bridge.name).storeResultsTo(current);
    // Only out of the zones hostnet puts it in: a zone the admin chose stays.
    if (current != *wanted_zone(def) && current != kFallbackZone) return;
    std::string answered;
    proxy->callMethod("removeInterface").onInterface(kZoneInterface).withTimeout(kCallTimeout)
        .withArguments(current, def.bridge.name).storeResultsTo(answered);
  } catch (const sdbus::Error& e) {
    log::warning("network " + def.name + ": cannot take bridge " + def.bridge.name + " out of its firewalld zone (" +
                 describe(e) + ")");
  }
}

void FirewalldZones::prune(const std::vector<const xml::NetworkDef*>& active) {
  inner_.prune(active);
  if (!firewalld_present()) return;
  std::set<std::string> bridges;
  for (const auto* def : active) bridges.insert(def->bridge.name);
  try {
    auto proxy = sdbus::createProxy(*connection_, kFirewalldBusName, kPath);
    std::vector<std::string> bound;
    proxy->callMethod("getInterfaces").onInterface(kZoneInterface).withTimeout(kCallTimeout)
        .withArguments(default_zone_).storeResultsTo(bound);
    for (const auto& name : bound) {
      // Only bindings whose device is gone: an interface that exists stays, whoever put it
      // in the zone.
      if (bridges.count(name) || ::if_nametoindex(name.c_str()) != 0) continue;
      std::string answered;
      proxy->callMethod("removeInterface").onInterface(kZoneInterface).withTimeout(kCallTimeout)
          .withArguments(default_zone_, name).storeResultsTo(answered);
      log::info("firewalld: " + name + " taken out of zone '" + default_zone_ + "': no active network has it");
    }
  } catch (const sdbus::Error& e) {
    // A zone firewalld lacks (its bridges went in the fallback) has nothing to prune.
    if (e.getName() != "org.fedoraproject.FirewallD1.Exception")
      log::warning("firewalld: cannot list zone '" + default_zone_ + "' (" + describe(e) + ")");
  }
}

}  // namespace hostnet::dbus

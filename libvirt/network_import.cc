// net-import and net-release: a network libvirt's own driver runs becomes hostnet's (libvirt
// keeps it as hostnet's registration) and is given back. The steps alternate between the
// libvirt thread and the loop; the order is what keeps the guests connected:
//   read libvirt's network, its leases, its guests' ports and taps   (libvirt)
//   define it in hostnet and put hostnet's nftables rules in           (loop)
//   stop libvirt's network, its registration in its place              (libvirt)
//   start hostnet's (same bridge name and MAC, leases kept), the
//   guests' taps plugged in and adopted as libvirt ports               (loop)
//   start the registration, reclaim the guests' network ports on it    (libvirt)
// A failure at any step gives libvirt its network back.
#include <libvirt/libvirt.h>

#include "common/log.h"
#include "common/netlink/link.h"
#include "common/netlink/neighbour.h"
#include "xml/ip_address.h"
#include "libvirt/libvirt_link.h"
#include "libvirt/network_handover.h"
#include "libvirt/registration_xml.h"
#include "xml/network_xml.h"

namespace hostnet::libvirt {

namespace {

// Networks whose bridge libvirt makes (and so hostnet can make in its place).
Result<xml::NetworkDef> importable_definition(const LibvirtOwnNetwork& own) {
  auto def = xml::parse_network(own.xml);
  if (!def) return fail_with_context(def.error(), "libvirt's definition of '" + own.name + "'");
  if (!def->creates_bridge())
    return fail(Errc::Unsupported, "network '" + own.name + "' is not one whose bridge libvirt makes (forward mode nat, "
                                   "route, open or none): a network on a bridge or device of the host's stays libvirt's");
  return def;
}

std::string bridge_of(const LibvirtOwnNetwork& own) {
  auto def = xml::parse_network(own.xml);
  return def ? def->bridge.name : "";
}

std::vector<std::string> taps_of(const LibvirtOwnNetwork& own) {
  std::vector<std::string> out;
  for (const auto& p : own.ports) out.push_back(p.tap);
  return out;
}

}  // namespace

std::vector<std::string> LibvirtLink::importable() const {
  std::vector<std::string> out;
  for (const auto& name : foreign_names_)
    if (!importing_.count(name)) out.push_back(name);
  return out;
}

void LibvirtLink::import_network(const std::string& name, ImportDone done) {
  PeerLink link = manager_.peers().link(kPeerName);
  if (!link.connected) return done(fail(Errc::Failed, "libvirt is not connected (" + link.reason + ")"));
  if (importing_.count(name)) return done(fail(Errc::Conflict, "network '" + name + "' is being imported or released already"));
  if (manager_.lookup(name)) return done(fail(Errc::Conflict, "hostnet has a network named '" + name + "' already"));
  importing_.insert(name);
  using Read = std::pair<std::string, LibvirtOwnNetwork>;
  on_libvirt<Read>(
      [name](Session& s) {
        Read read;
        read.first = s.connection() ? read_own_network(s.connection(), name, read.second) : "libvirt is not connected";
        return read;
      },
      [this, name, done](Read read) {
        if (!read.first.empty()) {
          importing_.erase(name);
          return done(fail(Errc::NotFound, read.first));
        }
        take_over(std::move(read.second), done);
      });
}

void LibvirtLink::take_over(LibvirtOwnNetwork own, ImportDone done) {
  auto stop_here = [&](const Error& e) {
    importing_.erase(own.name);
    done(tl::unexpected(e));
  };
  auto def = importable_definition(own);
  if (!def) return stop_here(def.error());
  if (auto r = originals_.save(own); !r) return stop_here(r.error());
  auto taken = manager_.begin_takeover(own.xml);
  if (!taken) {
    originals_.remove(own.name);
    return stop_here(taken.error());
  }
  std::string why;
  auto registration = registration_xml((*taken)->current(), &why);
  if (!registration) return import_failed(own, Error{Errc::Unsupported, "it cannot be registered in libvirt: " + why}, false, done);

  using Stopped = std::pair<std::string, bool>;  // libvirt's refusal, and whether its network is down
  on_libvirt<Stopped>(
      [own, xml = *registration](Session& s) {
        Stopped out{stop_and_replace(s.connection(), own, xml), false};
        NetworkRef net(virNetworkLookupByName(s.connection(), own.name.c_str()));
        out.second = !net || virNetworkIsActive(net.get()) != 1;
        return out;
      },
      [this, own, done](Stopped stopped) {
        // Touched if its network went down (a failed destroy changes nothing, and a definition
        // is replaced only after the destroy).
        if (!stopped.first.empty())
          return import_failed(own, Error{Errc::Failed, stopped.first}, own.active && stopped.second, done);
        swap_in(own, done);
      });
}

void LibvirtLink::swap_in(LibvirtOwnNetwork own, ImportDone done) {
  // The guests' taps, left without a bridge by libvirt's stop, go on hostnet's as soon as it
  // exists (adopting them plugs them in), not after libvirt's round trip.
  auto plug_guests = [&] {
    std::vector<ForeignPort> guests;
    for (const auto& p : own.ports)
      guests.push_back(ForeignPort{kPeerName, p.network, p.tap, p.mac, p.portgroup, p.domain, p.domain_uuid, p.port_uuid});
    if (!guests.empty()) ports_.sync_foreign_ports(kPeerName, {own.name}, guests);
    plug_taps({}, bridge_of(own), own.leases);
  };
  auto started = own.active ? manager_.finish_takeover(own.name, own.leases, plug_guests) : manager_.lookup(own.name);
  // libvirt's side was changed by now: its network stopped, or its definition replaced.
  if (!started) return import_failed(own, started.error(), true, done);
  if (own.autostart)
    if (auto r = manager_.set_autostart(own.name, true); !r) log::warning("network " + own.name + ": " + r.error().message);
  std::string why;
  auto registration = registration_xml((*started)->current(), &why);
  on_libvirt<std::string>(
      [own, xml = registration.value_or("")](Session& s) {
        std::string problem = own.active ? start_and_reclaim(s.connection(), own.name, xml, own.persistent, own.port_xmls) : "";
        s.refresh();
        return problem;
      },
      [this, own, done](std::string problem) {
        // Kept until now so that no port listing from before the reclaim drops the guests.
        importing_.erase(own.name);
        if (!problem.empty()) log::warning("libvirt: import of " + own.name + ": " + problem);
        log::notice("libvirt: network " + own.name + " imported" +
                    (own.ports.empty() ? std::string() : " with " + std::to_string(own.ports.size()) + " running guest ports"));
        publish();
        done(manager_.lookup(own.name));
      });
}

void LibvirtLink::import_failed(const LibvirtOwnNetwork& own, const Error& error, bool libvirt_touched, ImportDone done) {
  log::error("libvirt: import of " + own.name + " failed: " + error.message +
             (libvirt_touched ? "; giving libvirt its network back" : ""));
  // hostnet's half goes first: its bridge of the same name would keep libvirt's from starting.
  manager_.abandon_takeover(own.name);
  originals_.remove(own.name);
  on_libvirt<std::string>(
      [own, libvirt_touched](Session& s) {
        // Untouched (libvirt refused to stop it), libvirt's network is left exactly as it is.
        std::string why = libvirt_touched ? give_back(s.connection(), own, own.port_xmls) : "";
        s.refresh();
        return why;
      },
      [this, own, error, done, libvirt_touched](std::string why) {
        if (!why.empty()) log::error("libvirt: cannot give network " + own.name + " back: " + why);
        if (libvirt_touched) plug_taps(taps_of(own), bridge_of(own), own.leases);
        importing_.erase(own.name);
        publish();
        done(fail(error.code, "cannot import network '" + own.name + "': " + error.message +
                                  (why.empty() ? std::string() : "; and libvirt did not take it back: " + why)));
      });
}

void LibvirtLink::release_network(const std::string& name, ReleaseDone done) {
  std::string why;
  auto own = originals_.load(name, &why);
  if (!own) return done(fail(Errc::InvalidArgument, why + ": only a network hostnet imported can be released"));
  PeerLink link = manager_.peers().link(kPeerName);
  if (!link.connected) return done(fail(Errc::Failed, "libvirt is not connected (" + link.reason + ")"));
  if (importing_.count(name)) return done(fail(Errc::Conflict, "network '" + name + "' is being imported or released already"));
  auto network = manager_.lookup(name);
  own->active = network && (*network)->active();  // libvirt's runs if hostnet's does
  std::vector<std::string> taps;
  for (const Port* p : ports_.list(name))
    if (p->settings.kind == kPeerName) taps.push_back(p->settings.name);
  own->leases = manager_.dhcp_leases(name).value_or(std::vector<DhcpLease>());
  importing_.insert(name);
  using Read = std::pair<std::string, std::vector<std::string>>;
  on_libvirt<Read>(
      [name](Session& s) {
        Read read;
        read.first = s.connection() ? read_port_xmls(s.connection(), name, read.second) : "libvirt is not connected";
        return read;
      },
      [this, own = *own, taps, done](Read read) {
        auto stop_here = [&](const Error& e) {
          importing_.erase(own.name);
          done(tl::unexpected(e));
        };
        if (!read.first.empty()) return stop_here(Error{Errc::Failed, read.first});
        // hostnet's half goes first: libvirt makes its bridge anew under the same name.
        if (auto n = manager_.lookup(own.name); n && (*n)->active())
          if (auto r = manager_.stop(own.name); !r) return stop_here(r.error());
        if (manager_.lookup(own.name))
          if (auto r = manager_.undefine(own.name); !r) return stop_here(r.error());
        on_libvirt<std::string>(
            [own, xmls = read.second](Session& s) {
              std::string problem = give_back(s.connection(), own, xmls);
              s.refresh();
              return problem;
            },
            [this, own, taps, done](std::string problem) {
              importing_.erase(own.name);
              if (!problem.empty())
                // The original stays saved: net-release can be tried again once libvirt takes it.
                return done(fail(Errc::Failed, "libvirt did not take network '" + own.name + "' back: " + problem));
              plug_taps(taps, bridge_of(own), own.leases);
              originals_.remove(own.name);
              log::notice("libvirt: network " + own.name + " given back to libvirt");
              done({});
            });
      });
}

void LibvirtLink::plug_taps(const std::vector<std::string>& taps, const std::string& bridge,
                            const std::vector<DhcpLease>& leases) {
  if ((taps.empty() && leases.empty()) || bridge.empty()) return;
  auto sock = netlink::RtnlSocket::open();
  if (!sock) return log::error("libvirt: cannot plug the guests' taps into " + bridge + ": " + sock.error().message);
  auto br = netlink::get_link(*sock, bridge);
  if (!br || !*br) return log::error("libvirt: bridge " + bridge + " is not there for the guests' taps");
  // With STP running a new port listens and learns for 4 s before it forwards; ports that
  // forward when STP starts keep forwarding. So STP pauses while the guests go in, and the
  // bridge ends as libvirt made it.
  bool stp = (*br)->stp_state.value_or(0) != 0;
  netlink::BridgeParams pause;
  pause.name = bridge;
  pause.stp = false;
  if (stp)
    if (auto r = netlink::change_bridge(*sock, (*br)->ifindex, pause); !r) log::warning("libvirt: " + r.error().message);
  for (const auto& tap : taps) {
    netlink::LinkChange c;
    c.master = (*br)->ifindex;
    c.up = true;
    auto link = netlink::get_link(*sock, tap);
    if (link && *link)
      if (auto r = netlink::change_link(*sock, (*link)->ifindex, c, tap); !r) log::error("libvirt: " + r.error().message);
  }
  netlink::BridgeParams resume = pause;
  resume.stp = true;
  if (stp)
    if (auto r = netlink::change_bridge(*sock, (*br)->ifindex, resume); !r)
      log::error("libvirt: cannot turn STP on again on " + bridge + ": " + r.error().message);
  // The host's ARP for a guest, sent while the guest's port was not on the bridge yet, would be
  // retried only a second later: the leases say where each guest is.
  for (const auto& l : leases) {
    auto ip = xml::parse_ip(l.ip);
    auto mac = xml::parse_mac(l.mac);
    if (l.protocol != "ipv4" || !ip || !mac) continue;
    std::array<std::uint8_t, 4> v4;
    std::copy_n(ip->bytes.begin(), 4, v4.begin());
    if (auto r = netlink::set_stale_neighbour(*sock, (*br)->ifindex, v4, *mac, bridge); !r)
      log::warning("libvirt: " + r.error().message);
  }
}

}  // namespace hostnet::libvirt

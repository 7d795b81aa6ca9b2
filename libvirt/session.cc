#include "libvirt/session.h"

#include <libvirt/libvirt.h>

#include "libvirt/api_text.h"
#include "libvirt/registration_xml.h"
#include "xml/network_xml.h"

namespace hostnet::libvirt {

namespace {

const char* close_reason(int reason) {
  switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR: return "a connection error";
    case VIR_CONNECT_CLOSE_REASON_EOF: return "libvirtd closed the connection";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: return "libvirtd stopped answering keepalives";
    default: return "the connection was closed";
  }
}

// The libvirt network as hostnet formats it, for comparing with what hostnet wants.
std::string canonical(const std::string& libvirt_xml) {
  auto def = xml::parse_network(libvirt_xml);
  return def ? xml::format_network(*def, xml::kFormatInactive) : libvirt_xml;
}

std::string xml_of(virNetworkPtr net, unsigned flags) {
  char* text = virNetworkGetXMLDesc(net, flags);
  // Drivers without a separate inactive definition (libvirt's test driver) refuse the flag.
  if (!text && flags) text = virNetworkGetXMLDesc(net, 0);
  return take_string(text);
}

}  // namespace

NetworkRef::~NetworkRef() {
  if (net_) virNetworkFree(net_);
}

Session::Session(Worker& worker, std::string uri, Reports reports)
    : worker_(worker), uri_(std::move(uri)), reports_(std::move(reports)) {}

Session::~Session() {
  worker_.cancel(retry_timer_);
  worker_.cancel(sync_timer_);
  worker_.cancel(close_timer_);
  worker_.cancel(port_sync_timer_);
  close_connection();
}

void Session::close_connection() {
  if (!conn_) return;
  if (network_events_ >= 0) virConnectNetworkEventDeregisterAny(conn_, network_events_);
  network_events_ = -1;
  for (int id : domain_events_) virConnectDomainEventDeregisterAny(conn_, id);
  domain_events_.clear();
  virConnectUnregisterCloseCallback(conn_, &Session::on_close);
  virConnectClose(conn_);
  conn_ = nullptr;
}

void Session::connect() { try_connect(); }

void Session::try_connect() {
  retry_timer_ = -1;
  conn_ = virConnectOpen(uri_.c_str());
  if (!conn_) {
    std::string why = "cannot connect to " + uri_ + ": " + last_error();
    // The same failure again is not news; the retry goes on quietly.
    if (why != last_failure_) reports_.link(LinkReport{false, why});
    last_failure_ = why;
    retry_timer_ = worker_.after(backoff_.next(), [this] { try_connect(); });
    return;
  }
  virConnectRegisterCloseCallback(conn_, &Session::on_close, this, nullptr);
  // A hung libvirtd keeps its socket open: keepalive (5 s, 3 missed) tells it from an idle one.
  virConnectSetKeepAlive(conn_, 5, 3);
  network_events_ = virConnectNetworkEventRegisterAny(conn_, nullptr, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                                      VIR_NETWORK_EVENT_CALLBACK(&Session::on_network_event),
                                                      this, nullptr);
  // Registered before the first listing, so nothing that happens after it is missed.
  domain_events_.push_back(virConnectDomainEventRegisterAny(conn_, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                            VIR_DOMAIN_EVENT_CALLBACK(&Session::on_domain_event),
                                                            this, nullptr));
  for (int id : {VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED})
    domain_events_.push_back(virConnectDomainEventRegisterAny(conn_, nullptr, id,
                                                              VIR_DOMAIN_EVENT_CALLBACK(&Session::on_device_event),
                                                              this, nullptr));
  std::erase(domain_events_, -1);
  backoff_.reset();
  last_failure_.clear();
  reports_.link(LinkReport{true, ""});
  sync();
}

void Session::on_close(virConnectPtr, int reason, void* p) {
  auto* self = static_cast<Session*>(p);
  std::string why = std::string("lost the connection to ") + self->uri_ + ": " + close_reason(reason);
  // Not from inside libvirt's callback: the connection is closed from a later iteration.
  self->close_timer_ = self->worker_.after(std::chrono::milliseconds(0), [self, why] {
    self->close_timer_ = -1;
    self->disconnect(why);
  });
}

void Session::disconnect(const std::string& why) {
  if (!conn_) return;
  close_connection();
  worker_.cancel(sync_timer_);
  sync_timer_ = -1;
  worker_.cancel(port_sync_timer_);
  port_sync_timer_ = -1;
  last_failure_ = why;
  reports_.link(LinkReport{false, why});
  retry_timer_ = worker_.after(backoff_.next(), [this] { try_connect(); });
}

int Session::on_network_event(virConnectPtr, virNetworkPtr, int, int, void* p) {
  // Someone else changed libvirt's networks (or hostnet's own registration): look again.
  static_cast<Session*>(p)->schedule_sync();
  return 0;
}

int Session::on_domain_event(virConnectPtr, virDomainPtr, int, int, void* p) {
  static_cast<Session*>(p)->schedule_port_sync();
  return 0;
}

void Session::on_device_event(virConnectPtr, virDomainPtr, const char*, void* p) {
  static_cast<Session*>(p)->schedule_port_sync();
}

void Session::schedule_port_sync() {
  // A start is Resumed then Started: one listing for both.
  if (!conn_ || port_sync_timer_ >= 0) return;
  port_sync_timer_ = worker_.after(std::chrono::milliseconds(0), [this] {
    port_sync_timer_ = -1;
    sync_ports();
  });
}

void Session::sync_ports() {
  if (!conn_ || !told_) return;
  PortsReport report;
  for (const auto& w : wanted_) {
    if (!w.active) continue;
    NetworkRef net(virNetworkLookupByName(conn_, w.name.c_str()));
    if (!net) continue;  // not registered (yet): its ports stay as they are
    if (virNetworkIsActive(net.get()) != 1) {
      report.networks.insert(w.name);  // an inactive libvirt network has no VM plugged in
      continue;
    }
    DomainPortListing listing;
    if (!list_domain_ports(conn_, net.get(), w.name, listing).empty()) continue;
    report.networks.insert(w.name);
    for (auto& p : listing.ports) report.ports.push_back(std::move(p));
  }
  reports_.ports(std::move(report));
}

void Session::want(std::vector<Registration> wanted) {
  if (told_ && wanted == wanted_) return;
  told_ = true;
  wanted_ = std::move(wanted);
  schedule_sync();
}

void Session::schedule_sync() {
  // Changes that come together (a start is define + start, an event burst) make one sync.
  if (!conn_ || sync_timer_ >= 0) return;
  sync_timer_ = worker_.after(std::chrono::milliseconds(0), [this] {
    sync_timer_ = -1;
    sync();
  });
}

void Session::sync() {
  // Until hostnet has said what it wants, an empty list would read as "nothing": every
  // registration would be destroyed, and the ports of running VMs with it.
  if (!conn_ || !told_) return;
  virNetworkPtr* list = nullptr;
  int n = virConnectListAllNetworks(conn_, &list, 0);
  if (n < 0) {
    SyncReport failed;
    for (const auto& w : wanted_) failed.notes[w.name] = "not registered: libvirt cannot list its networks: " + last_error();
    reports_.sync(std::move(failed));
    return;
  }
  std::map<std::string, LibvirtNetwork> ours;
  SyncReport report;
  for (int i = 0; i < n; ++i) {
    NetworkRef net(list[i]);
    std::string name = virNetworkGetName(net.get());
    std::string inactive = xml_of(net.get(), VIR_NETWORK_XML_INACTIVE);
    if (!is_registration(inactive)) {
      report.foreign_names.insert(name);
      continue;
    }
    LibvirtNetwork ln;
    ln.active = virNetworkIsActive(net.get()) == 1;
    ln.persistent = virNetworkIsPersistent(net.get()) == 1;
    ln.inactive_xml = canonical(inactive);
    ln.live_xml = ln.active ? canonical(xml_of(net.get(), 0)) : "";
    ln.net = std::move(net);
    ours.emplace(name, std::move(ln));
  }
  free(list);

  for (const auto& w : wanted_) {
    if (report.foreign_names.count(w.name)) {
      report.notes[w.name] = "not registered: libvirt has a network of its own named '" + w.name + "'";
      continue;
    }
    LibvirtNetwork none;
    auto it = ours.find(w.name);
    LibvirtNetwork& have = it == ours.end() ? none : it->second;
    std::string failure = apply(w, have);
    report.notes[w.name] = failure.empty() ? std::string("registered as libvirt bridge network '") + w.name + "'" +
                                                 (w.active ? " (active)" : " (inactive)")
                                           : "not registered: libvirt refused it: " + failure;
  }
  // hostnet's registrations of networks that are gone (or opted out) go too.
  for (auto& [name, ln] : ours) {
    bool kept = false;
    for (const auto& w : wanted_) kept = kept || w.name == name;
    if (kept) continue;
    if (ln.active) virNetworkDestroy(ln.net.get());
    if (ln.persistent) virNetworkUndefine(ln.net.get());
  }
  reports_.sync(std::move(report));
  // A network registered (or started) now may have VMs already: libvirtd re-plugs them after
  // its own restart.
  sync_ports();
}

std::string Session::apply(const Registration& w, LibvirtNetwork& have) {
  if (w.persistent && (!have.net || !have.persistent || have.inactive_xml != w.xml)) {
    NetworkRef defined(virNetworkDefineXML(conn_, w.xml.c_str()));
    if (!defined) return last_error();
    if (!have.net) have.net = std::move(defined);
    have.persistent = true;
  }
  if (!w.persistent && have.net && have.persistent) {
    if (virNetworkUndefine(have.net.get()) < 0) return last_error();
    have.persistent = false;
    if (!have.active) have.net = NetworkRef();
  }
  // A running libvirt network whose definition changed takes the new one by a restart, which
  // libvirt's bridge mode makes without touching the bridge; only when no VM is plugged in, so
  // no port record of a running VM is lost. Otherwise it takes it at its next start.
  if (w.active && have.active && have.live_xml != w.xml && virNetworkListAllPorts(have.net.get(), nullptr, 0) == 0) {
    if (virNetworkDestroy(have.net.get()) < 0) return last_error();
    have.active = false;
    if (!have.persistent) have.net = NetworkRef();
  }
  if (w.active && !have.active) {
    if (have.net) {
      if (virNetworkCreate(have.net.get()) < 0) return last_error();
    } else {
      NetworkRef made(virNetworkCreateXML(conn_, w.xml.c_str()));
      if (!made) return last_error();
    }
  }
  if (!w.active && have.active && virNetworkDestroy(have.net.get()) < 0) return last_error();
  return "";
}

}  // namespace hostnet::libvirt

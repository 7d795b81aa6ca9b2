#include "libvirt/libvirt_link.h"

#include "common/log.h"
#include "libvirt/registration_xml.h"

namespace hostnet::libvirt {

Result<std::unique_ptr<LibvirtLink>> LibvirtLink::start(sd_event* loop, Manager& manager, PortManager& ports,
                                                        std::string uri, const std::filesystem::path& config_dir) {
  std::unique_ptr<LibvirtLink> self(new LibvirtLink(manager, ports, std::move(uri), config_dir));
  auto mailbox = LoopMailbox::attach(loop);
  if (!mailbox) return tl::unexpected(mailbox.error());
  self->mailbox_ = std::move(*mailbox);
  auto worker = Worker::start();
  if (!worker) return tl::unexpected(worker.error());
  self->worker_ = std::move(*worker);
  manager.peers().set_link(kPeerName, PeerLink{true, false, self->uri_, "connecting"});

  LibvirtLink* link = self.get();
  LoopMailbox* mail = self->mailbox_.get();
  Session::Reports reports{
      [mail, link](LinkReport r) { mail->post([link, r] { link->take_link(r); }); },
      [mail, link](SyncReport r) { mail->post([link, r = std::move(r)]() mutable { link->take_sync(std::move(r)); }); },
      [mail, link](PortsReport r) { mail->post([link, r = std::move(r)] { link->take_ports(r); }); },
  };
  self->session_ = new Session(*self->worker_, self->uri_, std::move(reports));
  self->worker_->post([s = self->session_] { s->connect(); });
  manager.add_observer(link);
  manager.add_definition_check(link);
  manager.set_importer(link);
  self->publish();
  return self;
}

LibvirtLink::~LibvirtLink() {
  manager_.remove_observer(this);
  manager_.remove_definition_check(this);
  manager_.set_importer(nullptr);
  // The session goes on its own thread, then the thread; reports still queued for the loop are
  // dropped with the mailbox.
  worker_->post([s = session_] { delete s; });
  worker_.reset();
}

void LibvirtLink::network_removed(const std::string& name) {
  manager_.peers().set_note(kPeerName, name, "");
  publish();
}

void LibvirtLink::publish() {
  std::vector<Registration> wanted;
  for (const Network* n : manager_.list()) {
    std::string why;
    auto xml = registration_xml(n->current(), &why);
    if (!xml) {
      manager_.peers().set_note(kPeerName, n->name, "not registered: " + why);
      continue;
    }
    wanted.push_back(Registration{n->name, *xml, n->is_persistent(), n->active()});
  }
  worker_->post([s = session_, wanted = std::move(wanted)]() mutable { s->want(std::move(wanted)); });
}

void LibvirtLink::take_link(LinkReport report) {
  PeerLink before = manager_.peers().link(kPeerName);
  if (report.connected) {
    log::notice("libvirt: connected to " + uri_);
  } else if (before.connected || before.reason != report.reason) {
    // Absent libvirtd is a normal state of a host: said once, retried quietly.
    log::info("libvirt: not connected: " + report.reason + " (retrying in the background)");
  }
  manager_.peers().set_link(kPeerName, PeerLink{true, report.connected, uri_, report.reason});
}

void LibvirtLink::take_sync(SyncReport report) {
  foreign_names_ = std::move(report.foreign_names);
  for (const auto& [network, note] : report.notes) {
    if (!manager_.lookup(network)) continue;  // gone meanwhile
    if (importing_.count(network)) continue;  // libvirt's own until the import swaps it
    std::string before = manager_.peers().note(kPeerName, network);
    if (note != before && note.starts_with("not registered"))
      log::warning("libvirt: network " + network + " " + note);
    manager_.peers().set_note(kPeerName, network, note);
  }
}

void LibvirtLink::take_ports(const PortsReport& report) {
  std::vector<ForeignPort> ports;
  for (const auto& p : report.ports)
    ports.push_back(ForeignPort{kPeerName, p.network, p.tap, p.mac, p.portgroup, p.domain, p.domain_uuid, p.port_uuid});
  ports_.sync_foreign_ports(kPeerName, report.networks, ports);
}

Result<void> LibvirtLink::check_definition(const xml::NetworkDef& def) const {
  if (def.libvirt.register_network == false || !foreign_names_.count(def.name) || importing_.count(def.name)) return {};
  return fail(Errc::Conflict, "libvirt already has a network of its own named '" + def.name +
                                  "': choose another name, or keep this one out of libvirt with "
                                  "<hostnet:libvirt register=\"no\"/> in its hostnet metadata");
}

}  // namespace hostnet::libvirt

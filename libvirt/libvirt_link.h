// hostnet as the network manager under libvirt, on the loop side: follows the core's networks and
// has each registered in libvirt (Session, on the libvirt thread), and tells the core what it
// learns: connection state and each network's registration through PeerStatus, the VMs libvirt
// plugs into them as the PortManager's "libvirt" ports. The core never
// sees a libvirt type; libvirt never sees the core from its own thread.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <systemd/sd-event.h>

#include "daemon/manager.h"
#include "daemon/ports/port_manager.h"
#include "libvirt/imported_originals.h"
#include "libvirt/loop_mailbox.h"
#include "libvirt/session.h"
#include "libvirt/worker.h"

namespace hostnet::libvirt {

inline constexpr const char* kPeerName = kLibvirtPeer;

class LibvirtLink final : public ManagerObserver, public DefinitionCheck, public NetworkImporter {
 public:
  // Starts connecting to `uri` in the background: hostnetd works without libvirtd and connects
  // when it appears.
  // What libvirt had of imported networks is kept under `config_dir` (for net-release).
  static Result<std::unique_ptr<LibvirtLink>> start(sd_event* loop, Manager& manager, PortManager& ports, std::string uri,
                                                    const std::filesystem::path& config_dir);
  ~LibvirtLink() override;

  // ManagerObserver
  void network_added(const Network&) override { publish(); }
  void network_changed(const Network&) override { publish(); }
  void network_removed(const std::string& name) override;
  // DefinitionCheck: a name libvirt uses for a network of its own is refused.
  Result<void> check_definition(const xml::NetworkDef& def) const override;
  // NetworkImporter (network_import.cc)
  std::vector<std::string> importable() const override;
  void import_network(const std::string& name, ImportDone done) override;
  void release_network(const std::string& name, ReleaseDone done) override;

 private:
  LibvirtLink(Manager& manager, PortManager& ports, std::string uri, const std::filesystem::path& config_dir)
      : manager_(manager), ports_(ports), uri_(std::move(uri)), originals_(config_dir / "libvirt-imported") {}
  // Runs `job` on the libvirt thread with the session, then `then` with its outcome on the loop.
  template <class T>
  void on_libvirt(std::function<T(Session&)> job, std::function<void(T)> then) {
    worker_->post([s = session_, mail = mailbox_.get(), job = std::move(job), then = std::move(then)]() mutable {
      auto out = std::make_shared<T>(job(*s));
      mail->post([then = std::move(then), out] { then(std::move(*out)); });
    });
  }
  // The import's steps after libvirt's network was read; each failure gives libvirt its network back.
  void take_over(LibvirtOwnNetwork own, ImportDone done);
  void swap_in(LibvirtOwnNetwork own, ImportDone done);
  void import_failed(const LibvirtOwnNetwork& own, const Error& error, bool libvirt_touched, ImportDone done);
  // Plugs `taps` into `bridge` (the libvirt guests' taps, after a swap of bridges) and tells the
  // kernel where the guests that hold `leases` are.
  void plug_taps(const std::vector<std::string>& taps, const std::string& bridge, const std::vector<DhcpLease>& leases);
  // Sends the wanted registrations of every network to the libvirt thread.
  void publish();
  void take_link(LinkReport report);
  void take_sync(SyncReport report);
  void take_ports(const PortsReport& report);

  Manager& manager_;
  PortManager& ports_;
  std::string uri_;
  std::unique_ptr<LoopMailbox> mailbox_;
  std::unique_ptr<Worker> worker_;
  Session* session_ = nullptr;  // lives on the libvirt thread
  std::set<std::string> foreign_names_;
  ImportedOriginals originals_;
  std::set<std::string> importing_;  // names being imported or released: not libvirt's, not yet hostnet's
};

}  // namespace hostnet::libvirt

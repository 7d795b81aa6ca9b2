// Taking over a network another manager runs: libvirt's own networks at net-import.
#include "common/log.h"
#include "daemon/manager.h"
#include "daemon/modes/mode_driver.h"

namespace hostnet {

Result<const Network*> Manager::begin_takeover(std::string_view xml_text) {
  // Its bridge is the other manager's until the swap: finish_takeover's start checks it then.
  auto defined = define(xml_text, true);
  if (!defined) return defined;
  const xml::NetworkDef& def = *(*defined)->persistent;
  // Rules name the bridge, not its ifindex: they hold for the other manager's bridge now and for
  // hostnet's of the same name after the swap.
  if (auto r = filter_.add_network(def); !r) {
    (void)undefine(def.name);
    return fail_with_context(r.error(), "cannot take over network '" + def.name + "'");
  }
  log::info("network " + def.name + ": firewall rules in place for the takeover");
  return defined;
}

Result<const Network*> Manager::finish_takeover(const std::string& name, const std::vector<DhcpLease>& leases,
                                                const std::function<void()>& plug_guests) {
  Network* n = find(name);
  if (!n || !n->persistent) return fail(Errc::NotFound, "network '" + name + "' not found");
  if (n->active()) return fail(Errc::Conflict, "network '" + name + "' is already active");
  const xml::NetworkDef def = *n->persistent;
  if (!leases.empty() && DhcpService::wanted(def))
    if (auto r = dhcp_.seed_leases(def, leases); !r)
      log::warning("network " + name + ": the leases given before the takeover are not kept: " + r.error().message);
  // STP makes a new port listen and learn for twice the forward delay (at least 2 s each in the
  // kernel) before it forwards: the bridge starts without it, takes the guests, and only then
  // starts STP, which leaves ports that forward forwarding.
  xml::NetworkDef first = def;
  bool stp = def.bridge.stp.value_or(true);
  first.bridge.stp = false;
  if (auto r = bring_up(*n, first, nullptr); !r) return tl::unexpected(r.error());
  if (plug_guests) plug_guests();
  n->live = def;
  if (stp) {
    auto backend = backends_.get(backend_name(def));
    if (auto r = backend ? (*backend)->ensure_switch(switch_spec_for(def)) : Result<SwitchState>(tl::unexpected(backend.error())); !r)
      log::warning("network " + name + ": cannot turn STP on after the takeover: " + r.error().message);
  }
  if (auto r = store_.save_status(def); !r) log::warning("network " + name + ": " + r.error().message);
  log::notice("network " + name + " taken over on " + def.bridge.name +
              (leases.empty() ? std::string() : " with " + std::to_string(leases.size()) + " leases kept"));
  notify_changed(*n);
  return n;
}

void Manager::abandon_takeover(const std::string& name) {
  Network* n = find(name);
  if (!n || !n->persistent) return;
  if (n->active()) (void)stop(name);
  else (void)filter_.remove_network(*n->persistent);
  (void)undefine(name);
}

}  // namespace hostnet

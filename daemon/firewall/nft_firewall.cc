#include "daemon/firewall/nft_firewall.h"

#include <nftables/libnftables.h>

#include "common/log.h"
#include "common/sysctl.h"
#include "daemon/firewall/ruleset.h"

namespace hostnet {

namespace {
nft_ctx* new_context() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return nullptr;
  // Errors and listings come back in buffers, never on hostnetd's own stdout/stderr.
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return ctx;
}
}  // namespace

Result<std::unique_ptr<NftFirewall>> NftFirewall::open() {
  nft_ctx* ctx = new_context();
  if (!ctx) return fail(Errc::Failed, "cannot create an nftables context");
  return std::unique_ptr<NftFirewall>(new NftFirewall(ctx));
}

NftFirewall::~NftFirewall() { nft_ctx_free(ctx_); }

Result<void> NftFirewall::run(const std::string& batch, const std::string& what) {
  // Outside a pass what was read is out of date from now on. Inside one, a network's add only
  // makes its own objects (and the base, the same every time), so what was read still tells
  // about every other network; removals forget it themselves.
  if (!in_pass_) listing_.reset();
  if (nft_run_cmd_from_buffer(ctx_, batch.c_str()) != 0) {
    std::string err = nft_ctx_get_error_buffer(ctx_);
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    return fail(Errc::Failed, what + ": nftables refused the change: " + err);
  }
  return {};
}

void NftFirewall::begin_pass() {
  in_pass_ = true;
  listing_.reset();
}

void NftFirewall::end_pass() {
  in_pass_ = false;
  listing_.reset();
  // A pass's `list table` left every rule of every network in libnftables' cache (megabytes at
  // 1000 networks), which later batches never need: a new context starts without it.
  if (nft_ctx* fresh = new_context()) {
    nft_ctx_free(ctx_);
    ctx_ = fresh;
  }
}

const firewall::TableListing& NftFirewall::listing() {
  if (!listing_) {
    std::string text;
    if (nft_run_cmd_from_buffer(ctx_, (std::string("list table inet ") + firewall::kTable).c_str()) == 0)
      text = nft_ctx_get_output_buffer(ctx_);
    listing_.emplace(text);
  }
  return *listing_;
}

bool NftFirewall::in_place(const xml::NetworkDef& def) {
  return listing().holds(firewall::base_batch() + firewall::network_state(def));
}

void NftFirewall::prune(const std::vector<const xml::NetworkDef*>& active) {
  // Inside a pass the listing read at its start still shows every leftover: the pass only adds
  // active networks' own objects, and anything it removed dropped the listing.
  if (!listing().has_table()) return;
  auto orphans = firewall::orphans_batch(listing(), active);
  for (const auto& b : orphans.bridges) log::info("removing the firewall rules of bridge " + b + ": no active network has it");
  Result<void> r;
  if (networks_.empty()) {
    r = remove_all();  // nothing active: the host carries nothing of hostnet's
  } else if (!orphans.batch.empty()) {
    r = run(orphans.batch, "removing firewall rules no active network has");
  }
  listing_.reset();
  if (!r) log::warning(r.error().message);
}

Result<void> NftFirewall::add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous) {
  if (in_pass_ && !previous && in_place(def)) {
    networks_.insert(def.name);
    return {};
  }
  if (auto r = run(firewall::add_network_batch(def, previous), "firewall rules of network '" + def.name + "'"); !r)
    return r;
  networks_.insert(def.name);
  return {};
}

Result<void> NftFirewall::change_port_forwards(const std::vector<xml::PortForward>& added,
                                               const std::vector<xml::PortForward>& removed) {
  listing_.reset();
  return run(firewall::port_forward_change_batch(added, removed), "port forwards");
}

Result<void> NftFirewall::remove_network(const xml::NetworkDef& def) {
  listing_.reset();  // what goes may be more than one network's (the table with the last)
  networks_.erase(def.name);
  if (networks_.empty()) return remove_all();
  return run(firewall::remove_network_batch(def), "removing the firewall rules of network '" + def.name + "'");
}

Result<void> NftFirewall::remove_all() { return run(firewall::remove_all_batch(), "removing hostnet's table"); }

// Forwarding is switched on in the daemon's network namespace and never back off: other software
// on the host may rely on it by then (libvirt does the same).
Result<void> NftFirewall::enable_forwarding(bool ipv4, bool ipv6) {
  if (ipv4)
    if (auto r = write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"); !r) return r;
  if (ipv6)
    if (auto r = write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1"); !r) return r;
  return {};
}

}  // namespace hostnet

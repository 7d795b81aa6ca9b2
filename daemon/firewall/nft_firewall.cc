#include "daemon/firewall/nft_firewall.h"

#include <nftables/libnftables.h>

#include "common/sysctl.h"
#include "daemon/firewall/ruleset.h"

namespace hostnet {

Result<std::unique_ptr<NftFirewall>> NftFirewall::open() {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return fail(Errc::Failed, "cannot create an nftables context");
  // Errors and listings come back in buffers, never on hostnetd's own stdout/stderr.
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return std::unique_ptr<NftFirewall>(new NftFirewall(ctx));
}

NftFirewall::~NftFirewall() { nft_ctx_free(ctx_); }

Result<void> NftFirewall::run(const std::string& batch, const std::string& what) {
  if (nft_run_cmd_from_buffer(ctx_, batch.c_str()) != 0) {
    std::string err = nft_ctx_get_error_buffer(ctx_);
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    return fail(Errc::Failed, what + ": nftables refused the change: " + err);
  }
  return {};
}

Result<void> NftFirewall::add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous) {
  if (auto r = run(firewall::add_network_batch(def, previous), "firewall rules of network '" + def.name + "'"); !r)
    return r;
  networks_.insert(def.name);
  return {};
}

Result<void> NftFirewall::change_port_forwards(const std::vector<xml::PortForward>& added,
                                               const std::vector<xml::PortForward>& removed) {
  return run(firewall::port_forward_change_batch(added, removed), "port forwards");
}

Result<void> NftFirewall::remove_network(const xml::NetworkDef& def) {
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

// PacketFilter on nftables through libnftables: every change is one batch, one kernel
// transaction; a batch the kernel refuses commits nothing and comes back as an error with nft's
// own message.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemon/firewall/packet_filter.h"
#include "daemon/firewall/table_state.h"

struct nft_ctx;

namespace hostnet {

class NftFirewall final : public PacketFilter {
 public:
  static Result<std::unique_ptr<NftFirewall>> open();
  ~NftFirewall() override;

  Result<void> add_network(const xml::NetworkDef& def, const xml::NetworkDef* previous = nullptr) override;
  Result<void> change_port_forwards(const std::vector<xml::PortForward>& added,
                                    const std::vector<xml::PortForward>& removed) override;
  Result<void> remove_network(const xml::NetworkDef& def) override;
  Result<void> enable_forwarding(bool ipv4, bool ipv6) override;
  void begin_pass() override;
  void end_pass() override;
  void prune(const std::vector<const xml::NetworkDef*>& active) override;
  Result<void> remove_all();

  // Runs a batch of nft commands as one transaction.
  Result<void> run(const std::string& batch, const std::string& what);

 private:
  explicit NftFirewall(nft_ctx* ctx) : ctx_(ctx) {}
  // Whether the table already holds what def's rules would make (read once a pass).
  bool in_place(const xml::NetworkDef& def);
  const firewall::TableListing& listing();
  nft_ctx* ctx_;
  bool in_pass_ = false;
  std::optional<firewall::TableListing> listing_;
  // Networks whose rules are in the table: when the last one goes, so does the table, so a host
  // without active networks carries nothing of hostnet's.
  std::set<std::string> networks_;
};


}  // namespace hostnet

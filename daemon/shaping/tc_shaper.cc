#include "daemon/shaping/tc_shaper.h"

#include "common/netlink/link.h"
#include "common/reverter.h"
#include "daemon/shaping/bandwidth.h"

namespace hostnet {

Result<TcShaper> TcShaper::open() {
  auto sock = netlink::RtnlSocket::open();
  if (!sock) return tl::unexpected(sock.error());
  return TcShaper(std::move(*sock));
}

Result<void> TcShaper::shape(const std::string& device, const xml::BandwidthDef& bw, const std::string& ifb,
                             const std::string& ifb_alias) {
  Reverter undo;
  std::string used_ifb;
  if (bw.outbound && bw.outbound->average) {
    unshape(ifb, ifb_alias);  // left over from a crash between making it and recording the network
    auto made = netlink::create_ifb(sock_, ifb);
    if (!made) return tl::unexpected(made.error());
    undo.add([this, i = *made, ifb] { (void)netlink::delete_link(sock_, i, ifb); });
    netlink::LinkChange c;
    c.alias = ifb_alias;
    c.up = true;
    if (auto r = netlink::change_link(sock_, *made, c, ifb); !r) return r;
    used_ifb = ifb;
  }
  if (auto r = apply_bandwidth(bw, device, used_ifb); !r) return r;
  undo.commit();
  return {};
}

void TcShaper::unshape(const std::string& ifb, const std::string& ifb_alias) {
  auto link = netlink::get_link(sock_, ifb);
  if (link && *link && (*link)->alias == ifb_alias) (void)netlink::delete_link(sock_, (*link)->ifindex, ifb);
}

}  // namespace hostnet

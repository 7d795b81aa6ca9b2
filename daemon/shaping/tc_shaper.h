// TrafficShaper with tc batches and an ifb device made over rtnetlink.
#pragma once

#include "common/netlink/rtnl_socket.h"
#include "daemon/shaping/traffic_shaper.h"

namespace hostnet {

class TcShaper final : public TrafficShaper {
 public:
  static Result<TcShaper> open();
  Result<void> shape(const std::string& device, const xml::BandwidthDef& bandwidth, const std::string& ifb,
                     const std::string& ifb_alias) override;
  void unshape(const std::string& ifb, const std::string& ifb_alias) override;

 private:
  explicit TcShaper(netlink::RtnlSocket sock) : sock_(std::move(sock)) {}
  netlink::RtnlSocket sock_;
};

}  // namespace hostnet

// Shaping a network's bridge by its <bandwidth> (the network's total, as libvirt does), behind an
// interface so the core can be tested without tc.
#pragma once

#include <string>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet {

class TrafficShaper {
 public:
  virtual ~TrafficShaper() = default;
  // Shapes `device`: inbound (towards the guests) on its egress, outbound through a new ifb device
  // named `ifb`, marked with `ifb_alias`. On failure nothing of it remains.
  virtual Result<void> shape(const std::string& device, const xml::BandwidthDef& bandwidth, const std::string& ifb,
                             const std::string& ifb_alias) = 0;
  // Removes the ifb (the device's own qdiscs go with the device). Tolerates it being gone.
  virtual void unshape(const std::string& ifb, const std::string& ifb_alias) = 0;
};

}  // namespace hostnet

// libvirt's <bandwidth> on a tap, with tc. Inbound (towards the VM) is shaped where the tap sends
// to the guest: an htb root class, as libvirt makes. Outbound (what the VM sends) arrives as the
// tap's ingress, which the kernel cannot shape; libvirt polices it, but this kernel has no police
// action, so it is redirected to an ifb device and shaped there by the same htb class. Shaping
// rather than policing also drops less: excess is queued, not discarded.
#pragma once

#include <string>

#include "common/result.h"
#include "xml/network_def.h"

namespace hostnet {

// `tc -batch` lines for a port. ifb is the device outbound traffic is redirected to ("" when
// there is no outbound limit); leaf is the qdisc under each class (libvirt uses "sfq perturb 10").
std::string tc_bandwidth_batch(const xml::BandwidthDef& bandwidth, const std::string& tap, const std::string& ifb,
                               const std::string& leaf);

// Applies it with tc; on failure leaves the devices without qdiscs of hostnet's. Falls back from
// sfq to pfifo where the kernel has no sfq (and says so once in the log).
Result<void> apply_bandwidth(const xml::BandwidthDef& bandwidth, const std::string& tap, const std::string& ifb);

}  // namespace hostnet

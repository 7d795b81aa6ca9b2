#include "daemon/shaping/bandwidth.h"

#include "common/log.h"
#include "common/run_command.h"

namespace hostnet {

namespace {

// rate / ceil / burst as libvirt words them: KiB/s and KiB, which tc calls kbps and kb.
std::string htb_class(const std::string& dev, const xml::BandwidthRate& r) {
  std::string line = "class add dev " + dev + " parent 1: classid 1:1 htb rate " + std::to_string(*r.average) + "kbps";
  if (r.peak) line += " ceil " + std::to_string(*r.peak) + "kbps";
  if (r.burst) line += " burst " + std::to_string(*r.burst) + "kb";
  return line + "\n";
}

// Everything to one class: libvirt adds an fw filter for this, but `default 1` says the same
// without needing the fw classifier (which this kernel lacks too).
std::string shaper(const std::string& dev, const xml::BandwidthRate& r, const std::string& leaf) {
  // replace: a tap libvirt made has its own root qdisc already (noqueue).
  return "qdisc replace dev " + dev + " root handle 1: htb default 1\n" + htb_class(dev, r) + "qdisc add dev " + dev +
         " parent 1:1 handle 2: " + leaf + "\n";
}

void clear(const std::string& tap, const std::string& ifb) {
  std::string batch = "qdisc del dev " + tap + " root\nqdisc del dev " + tap + " ingress\n";
  if (!ifb.empty()) batch += "qdisc del dev " + ifb + " root\n";
  (void)run_command({"tc", "-force", "-batch", "-"}, batch);
}

}  // namespace

std::string tc_bandwidth_batch(const xml::BandwidthDef& bw, const std::string& tap, const std::string& ifb,
                               const std::string& leaf) {
  std::string batch;
  if (bw.inbound && bw.inbound->average) batch += shaper(tap, *bw.inbound, leaf);
  if (bw.outbound && bw.outbound->average && !ifb.empty()) {
    batch += "qdisc add dev " + tap + " handle ffff: ingress\n";
    batch += "filter add dev " + tap + " parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev " +
             ifb + "\n";
    batch += shaper(ifb, *bw.outbound, leaf);
  }
  return batch;
}

Result<void> apply_bandwidth(const xml::BandwidthDef& bw, const std::string& tap, const std::string& ifb) {
  static std::string leaf = "sfq perturb 10";
  auto r = run_command({"tc", "-batch", "-"}, tc_bandwidth_batch(bw, tap, ifb, leaf));
  if (!r && leaf != "pfifo" && r.error().message.find("qdisc kind is unknown") != std::string::npos) {
    log::warning("this kernel has no sfq qdisc: shaped ports queue in pfifo instead");
    leaf = "pfifo";
    clear(tap, ifb);
    r = run_command({"tc", "-batch", "-"}, tc_bandwidth_batch(bw, tap, ifb, leaf));
  }
  if (!r) {
    clear(tap, ifb);
    return fail_with_context(r.error(), "bandwidth of " + tap);
  }
  return {};
}

}  // namespace hostnet

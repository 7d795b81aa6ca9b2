// What a port can inherit: <vlan>, <bandwidth>, <virtualport>, and the <portgroup> that bundles
// them.
#include "xml/parse_context.h"

namespace hostnet::xml::detail {

Result<VlanDef> parse_vlan(const XMLElement* e) {
  VlanDef vlan;
  auto trunk = yes_no(e, "trunk");
  if (!trunk) return tl::unexpected(trunk.error());
  vlan.trunk = *trunk;
  for (const auto* t : children(e, "tag")) {
    if (!has_attr(t, "id")) return bad(t, "", "missing required attribute 'id'");
    auto id = number(t, "id", 0, 4095);
    if (!id) return tl::unexpected(id.error());
    VlanTag tag{static_cast<unsigned>(**id), attr(t, "nativeMode")};
    if (!tag.native_mode.empty() && tag.native_mode != "tagged" && tag.native_mode != "untagged")
      return bad(t, "nativeMode", "must be 'tagged' or 'untagged'");
    vlan.tags.push_back(tag);
  }
  if (vlan.tags.empty()) return bad(e, "", "a <vlan> needs at least one <tag>");
  // Several tags make a trunk; libvirt fills trunk='yes' in, and refuses an explicit 'no'.
  if (vlan.tags.size() > 1) {
    if (vlan.trunk == false) return bad(e, "trunk", "several tags need trunk='yes'");
    vlan.trunk = true;
  }
  int natives = 0;
  for (const auto& t : vlan.tags) natives += !t.native_mode.empty();
  if (natives > 1) return bad(e, "", "only one tag can be the native VLAN");
  if (natives && !vlan.trunk.value_or(false)) return bad(e, "", "a native VLAN needs trunk='yes'");
  return vlan;
}

namespace {
Result<std::optional<BandwidthRate>> parse_rate(const XMLElement* parent, const char* name) {
  const XMLElement* e = parent->FirstChildElement(name);
  if (!e) return std::optional<BandwidthRate>();
  BandwidthRate rate;
  const std::pair<const char*, std::optional<unsigned long long>*> fields[] = {
      {"average", &rate.average}, {"peak", &rate.peak}, {"floor", &rate.floor}, {"burst", &rate.burst}};
  for (auto [field, slot] : fields) {
    auto v = number(e, field, 0, 18446744073709551615ull);
    if (!v) return tl::unexpected(v.error());
    *slot = *v;
  }
  if (rate.floor) return bad(e, "floor", "floor is only supported on a VM's interface, not on a network or portgroup");
  if (!rate.average) return bad(e, "", "missing required attribute 'average'");
  if (*rate.average == 0) return bad(e, "average", "must be greater than 0");
  if (rate.peak && *rate.peak < *rate.average) return bad(e, "peak", "must not be below average");
  return std::optional<BandwidthRate>(rate);
}
}  // namespace

Result<BandwidthDef> parse_bandwidth(const XMLElement* e) {
  BandwidthDef bw;
  for (const char* dir : {"inbound", "outbound"})
    if (children(e, dir).size() > 1) return bad(e, "", std::string("only one <") + dir + "> is allowed");
  auto in = parse_rate(e, "inbound");
  if (!in) return tl::unexpected(in.error());
  auto out = parse_rate(e, "outbound");
  if (!out) return tl::unexpected(out.error());
  bw.inbound = *in;
  bw.outbound = *out;
  return bw;
}

Result<VirtualPortDef> parse_virtualport(const XMLElement* e, bool require_type) {
  VirtualPortDef vp;
  vp.type = attr(e, "type");
  if (vp.type.empty() && require_type) return bad(e, "", "missing required attribute 'type'");
  if (!vp.type.empty() && vp.type != "openvswitch" && vp.type != "802.1Qbg" && vp.type != "802.1Qbh" &&
      vp.type != "midonet")
    return bad(e, "type", "unknown virtualport type (expected openvswitch, 802.1Qbg, 802.1Qbh or midonet)");
  if (const auto* p = e->FirstChildElement("parameters")) {
    // libvirt's order, whatever order they were written in.
    for (const char* key : {"managerid", "typeid", "typeidversion", "instanceid", "interfaceid", "profileid"}) {
      std::string v = attr(p, key);
      if (v.empty()) continue;
      if (auto r = check_plain_text(p, key, v); !r) return tl::unexpected(r.error());
      vp.parameters.emplace_back(key, v);
    }
  }
  return vp;
}

Result<PortGroupDef> parse_portgroup(const XMLElement* e) {
  PortGroupDef pg;
  pg.name = attr(e, "name");
  if (pg.name.empty()) return bad(e, "", "missing required attribute 'name'");
  if (auto r = check_plain_text(e, "name", pg.name); !r) return tl::unexpected(r.error());
  auto is_default = yes_no(e, "default");
  if (!is_default) return tl::unexpected(is_default.error());
  pg.is_default = is_default->value_or(false);
  auto trust = yes_no(e, "trustGuestRxFilters");
  if (!trust) return tl::unexpected(trust.error());
  pg.trust_guest_rx_filters = *trust;
  if (const auto* v = e->FirstChildElement("vlan")) {
    auto vlan = parse_vlan(v);
    if (!vlan) return tl::unexpected(vlan.error());
    pg.vlan = *vlan;
  }
  if (const auto* b = e->FirstChildElement("bandwidth")) {
    auto bw = parse_bandwidth(b);
    if (!bw) return tl::unexpected(bw.error());
    pg.bandwidth = *bw;
  }
  if (const auto* vp = e->FirstChildElement("virtualport")) {
    auto port = parse_virtualport(vp, false);
    if (!port) return tl::unexpected(port.error());
    pg.virtualport = *port;
  }
  return pg;
}

}  // namespace hostnet::xml::detail

#include "common/netlink/link.h"

#include "common/netlink/attr.h"

#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/if_tunnel.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace hostnet::netlink {

bool LinkInfo::up() const { return (flags & IFF_UP) != 0; }

namespace {

struct Message {
  std::vector<char> buf = std::vector<char>(kMessageBufferSize, 0);
  struct nlmsghdr* nlh;
  struct ifinfomsg* ifm;
  Message(uint16_t type, uint16_t flags) {
    nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    ifm = static_cast<struct ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
  }
};

void parse_bridge_data(const struct nlattr* data, LinkInfo& info) {
  for_each_nested(data, [&](const struct nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case IFLA_BR_STP_STATE: info.stp_state = attr_u32(attr); break;
      case IFLA_BR_FORWARD_DELAY: info.forward_delay_cs = attr_u32(attr); break;
      default: break;
    }
  });
}

void parse_bridge_port_data(const struct nlattr* data, LinkInfo& info) {
  for_each_nested(data, [&](const struct nlattr* attr) {
    if (mnl_attr_get_type(attr) == IFLA_BRPORT_ISOLATED) info.port_isolated = attr_u8(attr) != 0;
  });
}

void parse_linkinfo(const struct nlattr* nest, LinkInfo& info) {
  const struct nlattr* data = nullptr;
  const struct nlattr* slave_data = nullptr;
  std::string slave_kind;
  for_each_nested(nest, [&](const struct nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case IFLA_INFO_KIND: info.kind = attr_str(attr); break;
      case IFLA_INFO_DATA: data = attr; break;
      case IFLA_INFO_SLAVE_KIND: slave_kind = attr_str(attr); break;
      case IFLA_INFO_SLAVE_DATA: slave_data = attr; break;
      default: break;
    }
  });
  if (data && info.kind == "bridge") parse_bridge_data(data, info);
  if (slave_data && slave_kind == "bridge") parse_bridge_port_data(slave_data, info);
}

}  // namespace

LinkInfo parse_link(const struct nlmsghdr* nlh) {
  LinkInfo info;
  if (!has_header(nlh, sizeof(struct ifinfomsg))) return info;
  auto* ifm = static_cast<const struct ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  info.ifindex = ifm->ifi_index;
  info.flags = ifm->ifi_flags;
  for_each_attr(nlh, sizeof(*ifm), [&](const struct nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case IFLA_IFNAME: info.name = attr_str(attr); break;
      case IFLA_IFALIAS: info.alias = attr_str(attr); break;
      case IFLA_MTU: info.mtu = attr_u32(attr); break;
      case IFLA_MASTER: info.master = static_cast<int>(attr_u32(attr)); break;
      case IFLA_GROUP: info.group = attr_u32(attr); break;
      case IFLA_STATS64:
        if (mnl_attr_get_payload_len(attr) >= sizeof(struct rtnl_link_stats64)) {
          struct rtnl_link_stats64 st;
          std::memcpy(&st, mnl_attr_get_payload(attr), sizeof st);
          info.stats = LinkStats{st.rx_packets, st.tx_packets, st.rx_bytes, st.tx_bytes, st.rx_dropped, st.tx_dropped};
        }
        break;
      case IFLA_ADDRESS:
        if (mnl_attr_get_payload_len(attr) == 6) {
          Mac m;
          std::memcpy(m.data(), mnl_attr_get_payload(attr), 6);
          info.mac = m;
        }
        break;
      case IFLA_LINKINFO: parse_linkinfo(attr, info); break;
      default: break;
    }
  });
  return info;
}

namespace {

// The kernel takes IFLA_BR_FORWARD_DELAY in centiseconds (USER_HZ clock ticks).
void put_bridge_attrs(struct nlmsghdr* nlh, const BridgeParams& p) {
  if (p.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *p.mtu);
  if (p.mac) mnl_attr_put(nlh, IFLA_ADDRESS, 6, p.mac->data());
  if (p.alias) mnl_attr_put_strz(nlh, IFLA_IFALIAS, p.alias->c_str());
  struct nlattr* linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  // The kernel wants the kind on changes too, to route IFLA_INFO_DATA to the bridge driver.
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
  struct nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  if (p.stp) mnl_attr_put_u32(nlh, IFLA_BR_STP_STATE, *p.stp ? 1 : 0);
  if (p.forward_delay_s) mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, *p.forward_delay_s * 100);
  if (p.vlan_filtering) mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, *p.vlan_filtering ? 1 : 0);
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, linkinfo);
}

}  // namespace

Result<std::vector<LinkInfo>> list_links(RtnlSocket& sock) {
  Message m(RTM_GETLINK, 0);
  std::vector<LinkInfo> out;
  auto r = sock.dump(m.nlh, "listing links", [&](const struct nlmsghdr* nlh) {
    if (nlh->nlmsg_type == RTM_NEWLINK) out.push_back(parse_link(nlh));
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<std::optional<LinkInfo>> get_link(RtnlSocket& sock, const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return std::optional<LinkInfo>();
  Message m(RTM_GETLINK, 0);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
  std::optional<LinkInfo> found;
  int err = 0;
  auto r = sock.request(m.nlh, "looking up " + name, &err, [&](const struct nlmsghdr* nlh) {
    if (nlh->nlmsg_type == RTM_NEWLINK) found = parse_link(nlh);
  });
  if (!r && err == ENODEV) return std::optional<LinkInfo>();
  if (!r) return tl::unexpected(r.error());
  return found;
}

Result<int> create_bridge(RtnlSocket& sock, const BridgeParams& params) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, params.name.c_str());
  put_bridge_attrs(m.nlh, params);
  if (auto r = sock.request(m.nlh, "creating bridge " + params.name); !r) return tl::unexpected(r.error());
  auto made = get_link(sock, params.name);
  if (!made) return tl::unexpected(made.error());
  if (!*made) return fail(Errc::Failed, "bridge " + params.name + " vanished right after it was created");
  int ifindex = (*made)->ifindex;
  if (params.alias) {
    if (auto r = set_alias(sock, ifindex, *params.alias, params.name); !r) {
      (void)delete_link(sock, ifindex, params.name);
      return tl::unexpected(r.error());
    }
  }
  return ifindex;
}

Result<void> set_alias(RtnlSocket& sock, int ifindex, const std::string& alias, const std::string& name) {
  Message m(RTM_NEWLINK, 0);
  m.ifm->ifi_index = ifindex;
  mnl_attr_put_strz(m.nlh, IFLA_IFALIAS, alias.c_str());
  return sock.request(m.nlh, "setting the alias of " + name);
}

Result<void> change_bridge(RtnlSocket& sock, int ifindex, const BridgeParams& params) {
  Message m(RTM_NEWLINK, 0);
  m.ifm->ifi_index = ifindex;
  put_bridge_attrs(m.nlh, params);
  return sock.request(m.nlh, "changing bridge " + params.name);
}

Result<void> delete_link(RtnlSocket& sock, int ifindex, const std::string& name) {
  Message m(RTM_DELLINK, 0);
  m.ifm->ifi_index = ifindex;
  return sock.request(m.nlh, "deleting " + name);
}

Result<void> set_link_up(RtnlSocket& sock, int ifindex, bool up, const std::string& name) {
  Message m(RTM_NEWLINK, 0);
  m.ifm->ifi_index = ifindex;
  m.ifm->ifi_change = IFF_UP;
  m.ifm->ifi_flags = up ? IFF_UP : 0;
  return sock.request(m.nlh, std::string(up ? "bringing up " : "bringing down ") + name);
}

Result<void> set_master(RtnlSocket& sock, int ifindex, int master_ifindex, const std::string& name) {
  Message m(RTM_NEWLINK, 0);
  m.ifm->ifi_index = ifindex;
  mnl_attr_put_u32(m.nlh, IFLA_MASTER, static_cast<uint32_t>(master_ifindex));
  return sock.request(m.nlh, "attaching " + name);
}

struct nlmsghdr* build_link_change(char* buf, int ifindex, const LinkChange& c) {
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_NEWLINK;
  auto* ifm = static_cast<struct ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  if (c.up) {
    ifm->ifi_change = IFF_UP;
    ifm->ifi_flags = *c.up ? IFF_UP : 0;
  }
  if (c.mac) mnl_attr_put(nlh, IFLA_ADDRESS, 6, c.mac->data());
  if (c.mtu) mnl_attr_put_u32(nlh, IFLA_MTU, *c.mtu);
  if (c.group) mnl_attr_put_u32(nlh, IFLA_GROUP, *c.group);
  if (c.alias) mnl_attr_put_strz(nlh, IFLA_IFALIAS, c.alias->c_str());
  if (c.master) mnl_attr_put_u32(nlh, IFLA_MASTER, static_cast<uint32_t>(*c.master));
  return nlh;
}

Result<void> change_link(RtnlSocket& sock, int ifindex, const LinkChange& change, const std::string& name) {
  std::vector<char> buf(kMessageBufferSize, 0);
  return sock.request(build_link_change(buf.data(), ifindex, change), "configuring " + name);
}

struct nlmsghdr* build_port_isolation(char* buf, int ifindex, bool isolated) {
  // Through the bridge's slave data (as `ip link set X type bridge_slave isolated on`), which the
  // kernel routes to the master's driver.
  struct nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_NEWLINK;
  auto* ifm = static_cast<struct ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = ifindex;
  struct nlattr* linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
  struct nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
  mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, isolated ? 1 : 0);
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, linkinfo);
  return nlh;
}

Result<void> set_port_isolated(RtnlSocket& sock, int ifindex, bool isolated, const std::string& name) {
  std::vector<char> buf(kMessageBufferSize, 0);
  return sock.request(build_port_isolation(buf.data(), ifindex, isolated),
                      std::string(isolated ? "isolating " : "un-isolating ") + "bridge port " + name);
}

Result<int> create_ifb(RtnlSocket& sock, const std::string& name) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, name.c_str());
  struct nlattr* linkinfo = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, "ifb");
  mnl_attr_nest_end(m.nlh, linkinfo);
  if (auto r = sock.request(m.nlh, "creating ifb device " + name); !r) return tl::unexpected(r.error());
  auto made = get_link(sock, name);
  if (!made) return tl::unexpected(made.error());
  if (!*made) return fail(Errc::Failed, "ifb device " + name + " vanished right after it was created");
  return (*made)->ifindex;
}

Result<void> delete_link_group(RtnlSocket& sock, unsigned group) {
  Message m(RTM_DELLINK, 0);
  mnl_attr_put_u32(m.nlh, IFLA_GROUP, group);
  return sock.request(m.nlh, "deleting the devices of link group " + std::to_string(group));
}

namespace {

void put_tunnel_data(struct nlmsghdr* nlh, const TunnelParams& p) {
  struct nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  std::uint32_t remote;
  std::memcpy(&remote, p.remote.data(), 4);
  if (p.kind == "vxlan") {
    mnl_attr_put_u32(nlh, IFLA_VXLAN_ID, p.key);
    mnl_attr_put_u32(nlh, IFLA_VXLAN_GROUP, remote);  // a unicast "group" is the one remote
    mnl_attr_put_u16(nlh, IFLA_VXLAN_PORT, htons(static_cast<std::uint16_t>(p.dst_port ? p.dst_port : 4789)));
  } else if (p.kind == "geneve") {
    mnl_attr_put_u32(nlh, IFLA_GENEVE_ID, p.key);
    mnl_attr_put_u32(nlh, IFLA_GENEVE_REMOTE, remote);
    mnl_attr_put_u16(nlh, IFLA_GENEVE_PORT, htons(static_cast<std::uint16_t>(p.dst_port ? p.dst_port : 6081)));
  } else if (p.kind == "gretap") {
    mnl_attr_put_u32(nlh, IFLA_GRE_REMOTE, remote);
    mnl_attr_put_u16(nlh, IFLA_GRE_IFLAGS, htons(0x2000));  // GRE_KEY
    mnl_attr_put_u16(nlh, IFLA_GRE_OFLAGS, htons(0x2000));
    mnl_attr_put_u32(nlh, IFLA_GRE_IKEY, htonl(p.key));
    mnl_attr_put_u32(nlh, IFLA_GRE_OKEY, htonl(p.key));
  }
  mnl_attr_nest_end(nlh, data);
}

}  // namespace

Result<int> create_tunnel(RtnlSocket& sock, const TunnelParams& p) {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  mnl_attr_put_strz(m.nlh, IFLA_IFNAME, p.name.c_str());
  struct nlattr* linkinfo = mnl_attr_nest_start(m.nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(m.nlh, IFLA_INFO_KIND, p.kind.c_str());
  put_tunnel_data(m.nlh, p);
  mnl_attr_nest_end(m.nlh, linkinfo);
  if (auto r = sock.request(m.nlh, "creating " + p.kind + " device " + p.name); !r) return tl::unexpected(r.error());
  auto made = get_link(sock, p.name);
  if (!made) return tl::unexpected(made.error());
  if (!*made) return fail(Errc::Failed, p.kind + " device " + p.name + " vanished right after it was created");
  return (*made)->ifindex;
}

bool kernel_has_link_kind(RtnlSocket& sock, const std::string& kind) {
  static unsigned counter = 0;
  TunnelParams p;
  p.name = "hnprobe" + std::to_string(::getpid() % 10000) + std::to_string(counter++ % 100);
  p.kind = kind;
  p.remote = {192, 0, 2, 1};
  p.key = 1;
  auto made = create_tunnel(sock, p);
  if (!made) return false;
  (void)delete_link(sock, *made, p.name);
  return true;
}

}  // namespace hostnet::netlink

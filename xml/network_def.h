// The libvirt network definition as a plain value. Parsed from and formatted to libvirt network
// XML by network_parse.cc and network_format.cc; nothing here knows tinyxml2.
//
// Optional fields are std::optional so that "absent" and "default" stay distinguishable: libvirt
// formats back only what was given (plus the defaults it fills in at parse time, mirrored here).
// Addresses are kept as canonical text (what libvirt prints) next to their binary form where the
// daemon computes with them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/mac.h"

namespace hostnet::xml {

enum class ForwardMode { None, Nat, Route, Open, Bridge, Private, Vepa, Passthrough, Hostdev };

// libvirt's spelling ("nat", "route", ...); None is "none".
const char* forward_mode_name(ForwardMode mode);

using Mac = std::array<std::uint8_t, 6>;
using ::hostnet::format_mac;  // lower case, colon separated (common/mac.h)

struct Uuid {
  std::array<std::uint8_t, 16> bytes{};
  std::string str() const;  // 8-4-4-4-12, lower case
  bool operator==(const Uuid&) const = default;
};

// An IPv4 or IPv6 address in binary form, plus its family.
struct IpAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};
  std::string str() const;
  bool operator==(const IpAddress&) const = default;
};

struct PortRange {
  unsigned start = 0;
  unsigned end = 0;  // 0: not given
};

struct AddressRange {
  std::string start;  // canonical text
  std::string end;    // may be empty
};

struct NatDef {
  std::optional<bool> ipv6;             // <nat ipv6='yes'>
  std::optional<AddressRange> address;  // <address start end/>
  std::optional<PortRange> port;        // <port start end/>
};

struct ForwardInterface {
  std::string dev;
  std::optional<unsigned> connections;  // live only
};

struct PciAddress {
  unsigned domain = 0, bus = 0, slot = 0, function = 0;
};

struct ForwardDef {
  bool present = false;  // <forward> appeared at all
  ForwardMode mode = ForwardMode::None;
  std::string dev;  // <forward dev=...>, also the first interface
  std::optional<bool> managed;     // hostdev
  std::string driver_name;         // <driver name='vfio'/>; "" when not given
  std::string driver_model;        // <driver model='vfio-pci-igb'/>: the host driver to bind (libvirt 10.0)
  std::optional<NatDef> nat;
  std::vector<ForwardInterface> interfaces;
  std::vector<std::string> pfs;    // <pf dev=...> (libvirt allows one)
  std::vector<PciAddress> pci_addresses;
};

struct BridgeDef {
  std::string name;
  std::optional<bool> stp;         // nullopt: not written (libvirt's default is on)
  std::optional<unsigned> delay;
  std::string mac_table_manager;   // "kernel" | "libvirt" | ""
  std::string zone;                // firewalld zone
};

struct DnsForwarder {
  std::string domain;
  std::string addr;  // canonical, may be empty
};

struct DnsHost {
  std::string ip;
  std::vector<std::string> hostnames;
};

struct DnsSrv {
  std::string service, protocol, domain, target;
  std::optional<unsigned> port, priority, weight;
};

struct DnsTxt {
  std::string name;
  std::string value;
};

struct DnsDef {
  std::optional<bool> enable;
  std::optional<bool> forward_plain_names;
  std::vector<DnsForwarder> forwarders;
  std::vector<DnsTxt> txts;
  std::vector<DnsHost> hosts;
  std::vector<DnsSrv> srvs;
};

struct Lease {
  unsigned long long expiry = 0;  // 0: infinite
  std::string unit;               // seconds | minutes | hours (default minutes)
};

struct DhcpRange {
  std::string start;
  std::string end;
  std::optional<Lease> lease;
};

struct DhcpHost {
  std::string mac;  // as written (libvirt keeps the case)
  std::string id;   // DHCPv6 DUID
  std::string name;
  std::string ip;   // canonical
  std::optional<Lease> lease;
};

struct DhcpBootp {
  std::string file;
  std::string server;
};

struct DhcpDef {
  std::vector<DhcpRange> ranges;
  std::vector<DhcpHost> hosts;
  std::optional<DhcpBootp> bootp;
};

struct IpDef {
  std::string family;  // as written: "", "ipv4", "ipv6"
  IpAddress address;
  std::string netmask;             // canonical, when given as netmask
  std::optional<unsigned> prefix;  // when given as prefix
  std::optional<bool> local_ptr;
  std::string tftp_root;
  std::optional<DhcpDef> dhcp;

  bool is_ipv6() const;
  unsigned prefix_length() const;  // from prefix, netmask, or the classful default
};

struct RouteDef {
  std::string family;
  std::string address;
  std::string netmask;
  std::optional<unsigned> prefix;
  std::string gateway;
  std::optional<unsigned> metric;
};

struct VlanTag {
  unsigned id = 0;
  std::string native_mode;  // "tagged" | "untagged" | ""
};

struct VlanDef {
  std::optional<bool> trunk;
  std::vector<VlanTag> tags;
};

struct BandwidthRate {
  std::optional<unsigned long long> average, peak, floor, burst;
  bool operator==(const BandwidthRate&) const = default;
};

struct BandwidthDef {
  std::optional<BandwidthRate> inbound;
  std::optional<BandwidthRate> outbound;
  bool operator==(const BandwidthDef&) const = default;
};

struct VirtualPortDef {
  std::string type;  // "openvswitch", "802.1Qbh", "802.1Qbg", "midonet", "" (portgroup without type)
  // <parameters .../> attributes, in libvirt's order.
  std::vector<std::pair<std::string, std::string>> parameters;
};

// A port forward into the network (hostnet's own extension, kept in <metadata> in hostnet's
// XML namespace so the file stays valid libvirt XML).
struct PortForward {
  std::string proto;         // "tcp" | "udp"
  std::string host_address;  // IPv4 of the host, or "" for every host address
  unsigned port_start = 0;   // host port(s)
  unsigned port_end = 0;     // == port_start for a single port
  std::string target;        // IPv4 inside the network
  unsigned target_port = 0;  // first target port; 0: the same as the host port
  // The target port of one host port of the range.
  unsigned target_port_for(unsigned host_port) const {
    return target_port ? target_port + (host_port - port_start) : host_port;
  }
  bool same_key(const PortForward& o) const {
    return proto == o.proto && host_address == o.host_address && port_start <= o.port_end && o.port_start <= port_end;
  }
  bool operator==(const PortForward&) const = default;
};

// How the network meets libvirt (hostnet's extension, in <metadata>):
//   <hostnet:libvirt register="no"/>   keep this network out of libvirt (it is registered by default)
//   <hostnet:registration/>            this libvirt network is hostnet's registration of its own
//                                      network of that name: hostnet wrote it and may change it
struct LibvirtDef {
  std::optional<bool> register_network;
  bool is_registration = false;
  bool operator==(const LibvirtDef&) const = default;
};

// A tunnel to another host carrying the network (hostnet's extension, in <metadata>):
//   <hostnet:tunnel type="vxlan" remote="192.0.2.2" key="42" dst-port="4789"/>
struct TunnelDef {
  std::string type;    // "vxlan" | "gre" | "geneve"
  std::string remote;  // the other host's underlay IPv4 address
  unsigned key = 0;    // VNI (vxlan, geneve: 24 bits) or GRE key
  unsigned dst_port = 0;  // 0: the type's default (4789 vxlan, 6081 geneve)
  bool operator==(const TunnelDef&) const = default;
};

// A DPDK port of the network's OVS-DPDK bridge that reaches the LAN without the kernel
// (hostnet's extension, in <metadata>; only with <hostnet:backend name="ovs-dpdk"/>):
//   <hostnet:uplink type="dpdk" devargs="0000:03:00.0" name="dpdk0" rx-queues="2"/>
// devargs are DPDK's device arguments (a PCI address, or a virtual device such as
// "net_af_packet0,iface=eth1"); name is the OVS port's ("" for BRIDGE-upN); rx-queues is the
// Interface's n_rxq (0: OVS's default, or what the device needs: see the OVS backend).
struct UplinkDef {
  std::string type;  // "dpdk"
  std::string name;
  std::string devargs;
  unsigned rx_queues = 0;
  bool operator==(const UplinkDef&) const = default;
};

// OpenFlow control of an Open vSwitch network's bridge (hostnet's extension, in <metadata>):
//   <hostnet:openflow fail-mode="secure" protocols="OpenFlow10,OpenFlow13">
//     <hostnet:controller target="tcp:127.0.0.1:6653"/>
//   </hostnet:openflow>
// fail_mode is what the bridge does while no controller is connected ("" for OVS's default,
// standalone: it learns as a plain switch; secure: it keeps only the flows it has); protocols
// the versions it speaks ("" for OVS's default); controllers their OVS targets
// (tcp:IP[:PORT], ssl:IP[:PORT], unix:PATH), in the order given.
struct OpenFlowDef {
  std::string fail_mode;
  std::vector<std::string> protocols;
  std::vector<std::string> controllers;
  bool operator==(const OpenFlowDef&) const = default;
};

inline constexpr const char* kHostnetNamespace = "https://hostnet.dev/xmlns/network/1.0";

// <metadata> as libvirt keeps it (xml/metadata.cc): other applications' elements as libvirt
// prints them, around hostnet's own element, which is printed from port_forwards and tunnels.
// hostnet's element is printed only while it holds something, so that removing the last forward
// removes it (libvirt would keep an empty one).
struct MetadataDef {
  bool given_empty = false;    // <metadata> given with nothing libvirt keeps in it: printed as <metadata/>
  std::string attributes;      // on <metadata> itself, as printed: namespace declarations, then the rest
  std::string before_hostnet;  // other applications' elements ahead of hostnet's, formatted at depth 2
  std::string after_hostnet;   // those after it
  std::string hostnet_prefix = "hostnet";  // as the user wrote it ("" for a default namespace)
  std::string hostnet_attributes;          // its own declarations and attributes, as printed
};

struct PortGroupDef {
  std::string name;
  bool is_default = false;
  std::optional<bool> trust_guest_rx_filters;
  std::optional<VirtualPortDef> virtualport;
  std::optional<VlanDef> vlan;
  std::optional<BandwidthDef> bandwidth;
};

struct NetworkDef {
  std::string name;
  std::optional<Uuid> uuid;
  std::string title;
  std::string description;
  MetadataDef metadata;
  std::vector<PortForward> port_forwards;  // from hostnet's own element in <metadata>
  std::vector<TunnelDef> tunnels;          // likewise
  std::vector<UplinkDef> uplinks;          // likewise
  std::optional<OpenFlowDef> openflow;     // likewise
  LibvirtDef libvirt;                      // likewise
  // <hostnet:backend name="ovs-dpdk"/>: the switching plugin ("bridge", "ovs", "ovs-dpdk"); ""
  // for the default (the kernel bridge, or "ovs" with <virtualport type='openvswitch'/>).
  std::string backend;

  bool ipv6 = false;  // <network ipv6='yes'>: guest-to-guest IPv6 without a gateway address
  std::optional<bool> trust_guest_rx_filters;
  std::optional<unsigned> connections;  // live only

  ForwardDef forward;
  BridgeDef bridge;
  std::optional<Mac> mac;
  std::optional<unsigned> mtu;
  std::string domain_name;
  std::optional<bool> domain_local_only;
  DnsDef dns;
  std::vector<IpDef> ips;
  std::vector<RouteDef> routes;
  std::optional<VlanDef> vlan;
  std::optional<BandwidthDef> bandwidth;
  std::optional<VirtualPortDef> virtualport;
  std::vector<PortGroupDef> portgroups;
  std::optional<bool> port_isolated;  // <port isolated='yes'/>

  // What libvirt accepts but will not work as written ("line 9: <host ip=...>: outside the
  // network's subnet ..."): reported, never refused, never formatted.
  std::vector<std::string> warnings;

  // Does this mode use a bridge that the network itself creates and owns?
  bool creates_bridge() const;
};

}  // namespace hostnet::xml

// Handing a network between libvirt's own driver and hostnet, the libvirt half (on the libvirt
// thread): read what libvirt has of a network of its own, put hostnet's registration in its
// place, reclaim its guests' network ports on the registration, and the way back.
//
// A running guest's port survives the swap through libvirt's own reclaim path
// (virNetworkPortCreateXML with VIR_NETWORK_PORT_CREATE_RECLAIM, what libvirtd does for running
// domains when it restarts): the domain's interface keeps its port uuid, so libvirt still knows
// which network the guest is on and releases the port when the guest stops.
#pragma once

#include <string>
#include <vector>

#include "daemon/dhcp/dhcp_service.h"
#include "libvirt/domain_ports.h"

typedef struct _virConnect* virConnectPtr;

namespace hostnet::libvirt {

struct LibvirtOwnNetwork {
  std::string name;
  std::string xml;  // its definition: the inactive one if persistent, else the live one
  bool active = false, persistent = false, autostart = false;
  std::vector<DhcpLease> leases;        // what its dnsmasq gave (IPv4 and IPv6)
  std::vector<std::string> port_xmls;   // its network ports: its running guests' interfaces
  std::vector<DomainPort> ports;        // the same ports with their taps
};

// "" or why not (not found, hostnet's own registration, libvirt's error).
std::string read_own_network(virConnectPtr conn, const std::string& name, LibvirtOwnNetwork& out);
// The network ports of a network, as XML; "" or why not.
std::string read_port_xmls(virConnectPtr conn, const std::string& name, std::vector<std::string>& out);
// Stops libvirt's network (its bridge, dnsmasq and iptables rules go with it) and defines
// `replacement` (same name and uuid) in its place; a transient network is only stopped.
std::string stop_and_replace(virConnectPtr conn, const LibvirtOwnNetwork& own, const std::string& replacement);
// Puts libvirt's own network back as `own` describes it, in place of hostnet's registration
// (stopped first), active, with `port_xmls` reclaimed on it.
std::string give_back(virConnectPtr conn, const LibvirtOwnNetwork& own, const std::vector<std::string>& port_xmls);
// Makes network `name` (defined from `xml` when it is not there) active and reclaims `port_xmls`
// on it. Returns "" or the first problem; the other ports are still reclaimed.
std::string start_and_reclaim(virConnectPtr conn, const std::string& name, const std::string& xml, bool persistent,
                              const std::vector<std::string>& port_xmls);

}  // namespace hostnet::libvirt

// The VMs libvirt has plugged into one of its networks, read through its network-port API
// (virNetworkListAllPorts: owner, MAC, portgroup) joined with each owner's live domain XML (the
// tap libvirt made, which the network port does not name). Runs on the libvirt thread.
#pragma once

#include <string>
#include <vector>

typedef struct _virConnect* virConnectPtr;
typedef struct _virNetwork* virNetworkPtr;

namespace hostnet::libvirt {

struct DomainPort {
  std::string network;
  std::string tap;
  std::string mac;
  std::string portgroup;
  std::string domain, domain_uuid;
  std::string port_uuid;  // libvirt's network port
  bool operator==(const DomainPort&) const = default;
};

struct DomainPortListing {
  std::vector<DomainPort> ports;
  // Ports whose domain shows no tap for them yet (being started): a later event finds them.
  unsigned pending = 0;
};

// "" on success, else why libvirt could not list them (the ports then stay as they were).
std::string list_domain_ports(virConnectPtr conn, virNetworkPtr net, const std::string& network,
                              DomainPortListing& out);

// The running domains' interfaces on `network` with a tap, from their live XML alone: also those
// libvirt keeps no network port for any more (a `virsh net-destroy` + `net-start` drops them
// while the guests run on).
std::vector<DomainPort> scan_running_domains(virConnectPtr conn, const std::string& network);

// A network port as libvirt's reclaim takes it (VIR_NETWORK_PORT_CREATE_RECLAIM), for a guest
// whose port libvirt no longer records.
std::string network_port_xml(const DomainPort& port, const std::string& bridge);

}  // namespace hostnet::libvirt

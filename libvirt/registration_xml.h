// The libvirt network that stands for a hostnet network: forward mode 'bridge' on hostnet's
// bridge, so virsh, virt-manager and virt-install see it and plug VMs into it, while hostnet keeps
// the bridge, addresses, DHCP and firewall. It carries what libvirt applies itself when it plugs
// a tap; the rest hostnet applies to the port:
//   - <port isolated>: libvirt sets it on the tap at plug time;
//   - portgroups by name (a VM names one), with VLANs and virtualport parameters on OVS only:
//     libvirt refuses <vlan> on a bridge-mode network of a kernel bridge;
//   - no <bandwidth>: libvirt's tc commands (sfq perturb, police) fail on kernels without those
//     modules and the VM then does not start; hostnet shapes ports itself (htb + ifb).
#pragma once

#include <optional>
#include <string>

#include "xml/network_def.h"

namespace hostnet::libvirt {

// nullopt: the network is not registered, and `why` says why (opted out, no bridge to plug into).
std::optional<std::string> registration_xml(const xml::NetworkDef& def, std::string* why = nullptr);

// Is this libvirt network XML hostnet's registration (marked in hostnet's metadata namespace)?
// XML hostnet cannot read is libvirt's own: never touched.
bool is_registration(const std::string& libvirt_xml);

}  // namespace hostnet::libvirt

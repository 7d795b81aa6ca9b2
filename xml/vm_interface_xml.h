// What libvirt says of the VMs plugged into a network, read from its XML: a network port
// (virNetworkPortGetXMLDesc: who owns it, its MAC and portgroup) and a running domain's
// interfaces (virDomainGetXMLDesc: which tap carries which MAC). Together they name the tap
// libvirt made for a port, which the network port alone does not.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace hostnet::xml {

struct NetworkPortDef {
  std::string uuid;
  std::string owner_name, owner_uuid;  // the domain
  std::string mac;                     // lower case
  std::string portgroup;               // <group>, "" when the domain named none
  std::string bridge;                  // <plug type='bridge' bridge=...>
};

Result<NetworkPortDef> parse_network_port(std::string_view text);

struct DomainInterface {
  std::string mac;      // lower case
  std::string network;  // <source network=...>, "" for an interface not on a libvirt network
  std::string portid;   // <source portid=...> (the network port's uuid)
  std::string portgroup;
  std::string target;   // <target dev=...>: the tap, "" while the domain is not running
};

Result<std::vector<DomainInterface>> parse_domain_interfaces(std::string_view domain_xml);

}  // namespace hostnet::xml

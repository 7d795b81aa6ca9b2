// One network as the daemon holds it: its stored definition (if persistent), its running
// definition (if active), and its autostart flag.
#pragma once

#include <optional>
#include <string>

#include "xml/network_def.h"

namespace hostnet {

struct Network {
  std::string name;
  std::optional<xml::NetworkDef> persistent;  // nullopt: transient (exists only while active)
  std::optional<xml::NetworkDef> live;        // nullopt: inactive
  bool autostart = false;

  bool active() const { return live.has_value(); }
  bool is_persistent() const { return persistent.has_value(); }
  // What the network is now: the running definition if active, else the stored one.
  const xml::NetworkDef& current() const { return live ? *live : *persistent; }
};

// The owner tag hostnet marks a network's switch with (interface alias, OVSDB external_ids).
std::string owner_tag_for(const std::string& network_name);
inline constexpr const char* kOwnerTagPrefix = "hostnet:";
// The alias of the ifb that shapes what a network sends out: this and the network's name.
inline constexpr const char* kNetworkIfbAliasPrefix = "hostnet-netifb:";

}  // namespace hostnet

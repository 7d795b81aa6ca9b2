// dnsmasq configuration from a network definition: pure text generation, tested with golden
// files. Everything user-controlled was validated by the XML parser (no control characters, DNS
// names restricted), so nothing here can start a new config line.
#pragma once

#include <string>

#include "xml/network_def.h"

namespace hostnet::dhcp {

struct DnsmasqPaths {
  std::string pid_file, lease_file, hosts_file, addn_hosts;
};

struct DnsmasqOptions {
  bool no_ping = false;  // skip dnsmasq's ping-before-offer (3 s per new lease); tests use it
};

struct DnsmasqFiles {
  std::string conf;        // --conf-file
  std::string hosts_file;  // dhcp-hostsfile: static DHCP hosts, re-read on SIGHUP
  std::string addn_hosts;  // addn-hosts: <dns><host> names, re-read on SIGHUP
};

DnsmasqFiles build_dnsmasq_files(const xml::NetworkDef& def, const DnsmasqPaths& paths, const DnsmasqOptions& options);

}  // namespace hostnet::dhcp

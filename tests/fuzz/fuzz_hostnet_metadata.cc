// libFuzzer target for hostnet's metadata in network XML (<metadata><hostnet:network>, parsed by
// xml/parse_hostnet_metadata.cc): the fuzz input is the inside of a <hostnet:network> element,
// wrapped in an otherwise valid NAT network and fed through the public network XML parser, so
// the fuzzer spends its time on hostnet's own elements rather than on the wrapper.
// Invariant: whatever parses formats to XML that parses back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "xml/network_xml.h"

namespace {
constexpr const char* kBefore =
    "<network>\n  <name>meta</name>\n  <forward mode='nat'/>\n  <bridge name='virbr9'/>\n"
    "  <ip address='192.168.130.1' netmask='255.255.255.0'>\n"
    "    <dhcp><range start='192.168.130.10' end='192.168.130.99'/></dhcp>\n  </ip>\n"
    "  <metadata>\n    <hostnet:network xmlns:hostnet=\"https://hostnet.dev/xmlns/network/1.0\">";
constexpr const char* kAfter = "</hostnet:network>\n  </metadata>\n</network>\n";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = kBefore;
  text.append(reinterpret_cast<const char*>(data), size);
  text += kAfter;
  auto def = hostnet::xml::parse_network(text);
  if (!def) return 0;
  std::string once = hostnet::xml::format_network(*def);
  auto again = hostnet::xml::parse_network(once);
  if (!again) std::abort();
  if (hostnet::xml::format_network(*again) != once) std::abort();
  return 0;
}

// libFuzzer target for network status records: the live definition of an active network that
// hostnetd writes to <state-dir>/networks/NAME.xml and reads back after a restart
// (NetworkStore::load_status_records), a file a crash may have cut short or someone may have
// edited. Unlike a definition it is formatted with live state (kFormatLive: connections).
// Invariant: a record that parses formats, live, to a record that parses back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xml/network_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto def = hostnet::xml::parse_network(text);
  if (!def) return 0;
  std::string once = hostnet::xml::format_network(*def, hostnet::xml::kFormatLive);
  auto again = hostnet::xml::parse_network(once);
  if (!again) std::abort();
  if (hostnet::xml::format_network(*again, hostnet::xml::kFormatLive) != once) std::abort();
  // The record's name is what load_status_records() checks the file name against.
  if (again->name != def->name) std::abort();
  return 0;
}

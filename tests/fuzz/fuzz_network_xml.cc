// libFuzzer target for the network XML parser, the one parser of outside input hostnet has so
// far. Invariant: whatever parses must format, and what it formats must parse back to the same
// text. Build with `meson setup build-fuzz -Dfuzz=true` and CXX=clang++.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xml/network_xml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto def = hostnet::xml::parse_network(text);
  if (!def) return 0;
  std::string once = hostnet::xml::format_network(*def);
  auto again = hostnet::xml::parse_network(once);
  if (!again) std::abort();
  if (hostnet::xml::format_network(*again) != once) std::abort();
  return 0;
}

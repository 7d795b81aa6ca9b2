// libFuzzer target for port status records, which hostnetd reads back after a restart (a file in
// its state dir someone may have edited or truncated). Invariant: a record that parses formats to
// a record that parses back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/ports/port_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto port = hostnet::parse_port_record(text);
  if (!port) return 0;
  std::string once = hostnet::format_port_record(*port);
  auto again = hostnet::parse_port_record(once);
  if (!again) std::abort();
  if (hostnet::format_port_record(*again) != once) std::abort();
  return 0;
}

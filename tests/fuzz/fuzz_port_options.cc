// libFuzzer target for CreatePort's option dictionary (a{sv} from any D-Bus client) as the daemon
// reads it: dbus::port_request_from() type-checks each option by name and the core's
// resolve_port_request() turns the request into PortSettings on a network with portgroups.
// sdbus-c++ variants need no bus, so the input is decoded into a small typed map: records of
// <type byte><key byte><length byte><value bytes>, the type picking s/u/i/q/n/y/t/x/b/d, the key
// one of the options (or, for a high byte, the value taken as the key's name).
// Invariants: invalid options are Errors, never exceptions or aborts; and settings that resolve,
// written as a port record and read back (as after a restart), are the same settings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "daemon/ports/port_record.h"
#include "daemon/ports/port_request.h"
#include "dbus/port_options.h"
#include "xml/network_xml.h"

namespace {
const char* const kKeys[] = {"kind", "name", "mac", "portgroup", "vlan", "native-mode", "inbound", "outbound",
                             "interface-id", "vm-uuid", "queues", "owner", "group", "mtu", "native-vlan", "isolated",
                             "trunk"};
constexpr std::size_t kKeyCount = sizeof kKeys / sizeof kKeys[0];

const hostnet::xml::NetworkDef& network() {
  static const hostnet::xml::NetworkDef def = [] {
    auto d = hostnet::xml::parse_network(
        "<network><name>lab</name><forward mode='bridge'/><bridge name='br0'/>"
        "<virtualport type='openvswitch'/><vlan><tag id='5'/></vlan>"
        "<portgroup name='web' default='yes'><vlan trunk='yes'><tag id='42'/><tag id='47' nativeMode='untagged'/>"
        "</vlan><bandwidth><inbound average='1000' peak='2000' burst='256'/></bandwidth></portgroup>"
        "<portgroup name='db'><vlan><tag id='10'/></vlan></portgroup></network>");
    if (!d) std::abort();
    return *d;
  }();
  return def;
}

template <class T>
T number(const std::string& bytes) {
  T v{};
  std::memcpy(&v, bytes.data(), std::min(sizeof v, bytes.size()));
  return v;
}

sdbus::Variant variant(std::uint8_t type, const std::string& value) {
  switch (type % 10) {
    case 0: return sdbus::Variant(value);
    case 1: return sdbus::Variant(number<std::uint32_t>(value));
    case 2: return sdbus::Variant(number<std::int32_t>(value));
    case 3: return sdbus::Variant(number<std::uint16_t>(value));
    case 4: return sdbus::Variant(number<std::int16_t>(value));
    case 5: return sdbus::Variant(number<std::uint8_t>(value));
    case 6: return sdbus::Variant(number<std::uint64_t>(value));
    case 7: return sdbus::Variant(number<std::int64_t>(value));
    case 8: return sdbus::Variant(!value.empty() && (value[0] & 1));
    default: return sdbus::Variant(number<double>(value));
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::map<std::string, sdbus::Variant> options;
  for (std::size_t at = 0; at + 3 <= size;) {
    std::uint8_t type = data[at], key = data[at + 1];
    std::size_t len = std::min<std::size_t>(data[at + 2], size - at - 3);
    std::string value(reinterpret_cast<const char*>(data + at + 3), len);
    at += 3 + len;
    std::string name = key < 0xf0 ? kKeys[key % kKeyCount] : value;
    // D-Bus strings are UTF-8 without NULs (sd-bus refuses anything else before it reaches the
    // daemon); ASCII stands in for that here.
    bool text = type % 10 == 0 || key >= 0xf0;
    bool ascii = true;
    for (unsigned char c : value) ascii = ascii && c != 0 && c < 0x80;
    if (text && !ascii) continue;
    options.insert_or_assign(name, variant(type, value));
  }
  auto request = hostnet::dbus::port_request_from(options);
  if (!request) return 0;
  hostnet::ResolveContext context{network(), [](std::uint32_t uid) { return uid == 0 || uid == 1000; },
                                  [](std::uint32_t gid) { return gid == 0 || gid == 100; },
                                  [] { return hostnet::MacAddress{0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}; }};
  auto settings = hostnet::resolve_port_request(*request, context);
  if (!settings) return 0;

  hostnet::Port port;
  port.id = "3f2a9c";
  port.network = network().name;
  port.settings = *settings;
  // A request without a name gets the port's default device name, as PortManager gives it.
  if (port.settings.name.empty()) port.settings.name = "hn-" + port.id;
  auto back = hostnet::parse_port_record(hostnet::format_port_record(port));
  if (!back || back->settings != port.settings) std::abort();
  return 0;
}

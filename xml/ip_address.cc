#include "xml/ip_address.h"

#include "common/hex.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>

namespace hostnet::xml {

namespace {
size_t byte_len(int family) { return family == AF_INET ? 4 : 16; }
}  // namespace

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family != AF_INET && family != AF_INET6) return {};
  inet_ntop(family, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string Uuid::str() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::optional<IpAddress> parse_ip(std::string_view text, int family) {
  std::string s(text);
  IpAddress a;
  for (int f : {AF_INET, AF_INET6}) {
    if (family && family != f) continue;
    if (inet_pton(f, s.c_str(), a.bytes.data()) == 1) {
      a.family = f;
      return a;
    }
  }
  return std::nullopt;
}

std::optional<Mac> parse_mac(std::string_view text) {
  // libvirt accepts one or two hex digits per octet, ':' or '-' separated.
  Mac m{};
  size_t i = 0;
  for (int octet = 0; octet < 6; ++octet) {
    int v = 0, digits = 0;
    while (i < text.size() && hex_digit_value(text[i]) >= 0 && digits < 2) {
      v = v * 16 + hex_digit_value(text[i++]);
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    m[octet] = static_cast<std::uint8_t>(v);
    if (octet < 5) {
      if (i >= text.size() || (text[i] != ':' && text[i] != '-')) return std::nullopt;
      ++i;
    }
  }
  if (i != text.size()) return std::nullopt;
  return m;
}

std::optional<Uuid> parse_uuid(std::string_view text) {
  // 32 hex digits; dashes (and spaces, as libvirt allows) anywhere between byte pairs.
  Uuid u;
  size_t n = 0;
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  for (; i < text.size() && n < 16;) {
    if (text[i] == '-' || text[i] == ' ') {
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || hex_digit_value(text[i]) < 0 || hex_digit_value(text[i + 1]) < 0) return std::nullopt;
    u.bytes[n++] = static_cast<std::uint8_t>(hex_digit_value(text[i]) * 16 + hex_digit_value(text[i + 1]));
    i += 2;
  }
  while (i < text.size() && text[i] == ' ') ++i;
  if (n != 16 || i != text.size()) return std::nullopt;
  return u;
}

std::optional<unsigned> netmask_prefix(const IpAddress& mask) {
  unsigned bits = 0;
  bool zero_seen = false;
  for (size_t i = 0; i < byte_len(mask.family); ++i) {
    for (int b = 7; b >= 0; --b) {
      bool one = (mask.bytes[i] >> b) & 1;
      if (one && zero_seen) return std::nullopt;
      if (one) ++bits;
      else zero_seen = true;
    }
  }
  return bits;
}

bool in_subnet(const IpAddress& addr, const IpAddress& net, unsigned prefix) {
  if (addr.family != net.family) return false;
  for (unsigned bit = 0; bit < prefix && bit < byte_len(addr.family) * 8; ++bit) {
    unsigned mask = 0x80u >> (bit % 8);
    if ((addr.bytes[bit / 8] & mask) != (net.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

int compare(const IpAddress& a, const IpAddress& b) {
  return std::memcmp(a.bytes.data(), b.bytes.data(), byte_len(a.family));
}

}  // namespace hostnet::xml

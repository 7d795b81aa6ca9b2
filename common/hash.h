// A short, stable hash of text (FNV-1a, 32 bits) for names hostnet derives from other names:
// device names that must fit 15 bytes, link groups. Not for anything an attacker chooses to
// collide: every use checks ownership before acting on a match.
#pragma once

#include <cstdint>
#include <string_view>

namespace hostnet {

constexpr std::uint32_t fnv1a(std::string_view text, std::uint32_t h = 2166136261u) {
  for (unsigned char c : text) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace hostnet

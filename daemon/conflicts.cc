#include "daemon/conflicts.h"

#include <sys/socket.h>

namespace hostnet {

bool prefixes_overlap(const xml::IpAddress& a, unsigned a_len, const xml::IpAddress& b, unsigned b_len) {
  if (a.family != b.family) return false;
  // Two prefixes overlap exactly when they agree on the shorter one's bits.
  unsigned len = std::min(a_len, b_len);
  // Whole bytes first: a restore checks every active network against every other.
  unsigned whole = len / 8;
  for (unsigned i = 0; i < whole; ++i)
    if (a.bytes[i] != b.bytes[i]) return false;
  if (unsigned rest = len % 8) {
    unsigned mask = (0xffu << (8 - rest)) & 0xffu;
    if ((a.bytes[whole] & mask) != (b.bytes[whole] & mask)) return false;
  }
  return true;
}

Result<void> check_subnets_free(const xml::NetworkDef& def, const std::vector<const Network*>& others) {
  for (const Network* other : others) {
    if (!other->active() || other->name == def.name) continue;
    for (const auto& mine : def.ips) {
      for (const auto& theirs : other->live->ips) {
        if (prefixes_overlap(mine.address, mine.prefix_length(), theirs.address, theirs.prefix_length()))
          return fail(Errc::Conflict, "subnet " + mine.address.str() + "/" + std::to_string(mine.prefix_length()) +
                                          " overlaps " + theirs.address.str() + "/" +
                                          std::to_string(theirs.prefix_length()) + " of active network '" +
                                          other->name + "' on " + other->live->bridge.name);
      }
    }
  }
  return {};
}

Result<void> check_bridge_name_free(const xml::NetworkDef& def, const std::vector<const Network*>& others) {
  // Several 'bridge'-mode networks may well share one host bridge; only bridges hostnet makes
  // must be unique.
  if (!def.creates_bridge() || def.bridge.name.empty()) return {};
  for (const Network* other : others) {
    if (other->name == def.name) continue;
    for (const auto* d : {other->persistent ? &*other->persistent : nullptr, other->live ? &*other->live : nullptr}) {
      if (d && d->creates_bridge() && d->bridge.name == def.bridge.name)
        return fail(Errc::Conflict, "bridge name '" + def.bridge.name + "' is already used by network '" +
                                        other->name + "'");
    }
  }
  return {};
}

}  // namespace hostnet

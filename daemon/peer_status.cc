#include "daemon/peer_status.h"

namespace hostnet {

void PeerStatus::set_link(const std::string& peer, PeerLink link) {
  auto& slot = links_[peer];
  if (slot == link) return;
  slot = std::move(link);
  observers_.notify([&](PeerStatusObserver& o) { o.peer_link_changed(peer); });
}

void PeerStatus::set_note(const std::string& peer, const std::string& network, const std::string& note) {
  auto key = std::make_pair(peer, network);
  auto it = notes_.find(key);
  if (note.empty()) {
    if (it == notes_.end()) return;
    notes_.erase(it);
  } else {
    if (it != notes_.end() && it->second == note) return;
    notes_[key] = note;
  }
  observers_.notify([&](PeerStatusObserver& o) { o.peer_note_changed(peer, network); });
}

PeerLink PeerStatus::link(const std::string& peer) const {
  auto it = links_.find(peer);
  return it == links_.end() ? PeerLink{} : it->second;
}

std::string PeerStatus::note(const std::string& peer, const std::string& network) const {
  auto it = notes_.find({peer, network});
  return it == notes_.end() ? "" : it->second;
}

}  // namespace hostnet

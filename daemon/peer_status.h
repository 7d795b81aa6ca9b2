// What the daemon's peers at the edge (libvirt today) report, kept by the core for every client to
// read: whether a peer is connected and why not, and a note per network ("registered in libvirt
// as ..."). The core stores these words; it does not interpret them.
#pragma once

#include <map>
#include <string>

#include "common/observers.h"

namespace hostnet {

// The peers there are: the name D-Bus and libvirt/ both use for libvirt's entries.
inline constexpr const char* kLibvirtPeer = "libvirt";

struct PeerLink {
  bool enabled = false;    // hostnetd was asked to use this peer at all
  bool connected = false;
  std::string target;      // where: the libvirt URI
  std::string reason;      // why not connected (empty when connected)
  bool operator==(const PeerLink&) const = default;
};

class PeerStatusObserver {
 public:
  virtual ~PeerStatusObserver() = default;
  virtual void peer_link_changed(const std::string& peer) = 0;
  virtual void peer_note_changed(const std::string& peer, const std::string& network) = 0;
};

class PeerStatus {
 public:
  void set_link(const std::string& peer, PeerLink link);
  // An empty note removes it.
  void set_note(const std::string& peer, const std::string& network, const std::string& note);

  PeerLink link(const std::string& peer) const;
  std::string note(const std::string& peer, const std::string& network) const;

  void add_observer(PeerStatusObserver* o) { observers_.add(o); }
  void remove_observer(PeerStatusObserver* o) { observers_.remove(o); }

 private:
  std::map<std::string, PeerLink> links_;
  std::map<std::pair<std::string, std::string>, std::string> notes_;
  Observers<PeerStatusObserver> observers_;
};

}  // namespace hostnet

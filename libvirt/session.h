// hostnetd's connection to libvirtd, on the libvirt thread: connects, reconnects with backoff when
// libvirtd goes (a restart disconnects every client; keepalive notices a hung one), and keeps
// libvirt's networks in step with what hostnet wants registered. Every method runs on the
// libvirt thread; reports go out through the callbacks, also from that thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "common/backoff.h"
#include "libvirt/domain_ports.h"
#include "libvirt/worker.h"

typedef struct _virConnect* virConnectPtr;
typedef struct _virNetwork* virNetworkPtr;
typedef struct _virDomain* virDomainPtr;

namespace hostnet::libvirt {

// One hostnet network as libvirt should know it.
struct Registration {
  std::string name;
  std::string xml;  // registration_xml()
  bool persistent = false;
  bool active = false;
  bool operator==(const Registration&) const = default;
};

struct LinkReport {
  bool connected = false;
  std::string reason;  // why not
};

// The VMs plugged into hostnet's registered networks, for the networks libvirt could list.
struct PortsReport {
  std::set<std::string> networks;
  std::vector<DomainPort> ports;
};

struct SyncReport {
  std::map<std::string, std::string> notes;  // per wanted network: registered, or why not
  std::set<std::string> foreign_names;       // libvirt's own networks, never touched
};

// Owns one reference to a libvirt network object.
class NetworkRef {
 public:
  NetworkRef() = default;
  explicit NetworkRef(virNetworkPtr net) : net_(net) {}
  NetworkRef(NetworkRef&& o) noexcept : net_(std::exchange(o.net_, nullptr)) {}
  NetworkRef& operator=(NetworkRef&& o) noexcept {
    std::swap(net_, o.net_);
    return *this;
  }
  ~NetworkRef();
  virNetworkPtr get() const { return net_; }
  explicit operator bool() const { return net_ != nullptr; }

 private:
  virNetworkPtr net_ = nullptr;
};

// What libvirt has of one of hostnet's registrations, in hostnet's canonical formatting.
struct LibvirtNetwork {
  NetworkRef net;
  bool active = false, persistent = false;
  std::string inactive_xml, live_xml;
};

class Session {
 public:
  struct Reports {
    std::function<void(LinkReport)> link;
    std::function<void(SyncReport)> sync;
    std::function<void(PortsReport)> ports;
  };
  Session(Worker& worker, std::string uri, Reports reports);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void connect();
  // For the import's libvirt calls (libvirt thread only); null while not connected.
  virConnectPtr connection() const { return conn_; }
  // Looks at libvirt's networks and ports again (after a change hostnet made behind the session).
  void refresh() {
    schedule_sync();
    schedule_port_sync();
  }
  // The whole wanted set; synced now if connected, else on connecting.
  void want(std::vector<Registration> wanted);

 private:
  static void on_close(virConnectPtr, int reason, void* self);
  static int on_network_event(virConnectPtr, virNetworkPtr, int event, int detail, void* self);
  static int on_domain_event(virConnectPtr, virDomainPtr, int event, int detail, void* self);
  static void on_device_event(virConnectPtr, virDomainPtr, const char* alias, void* self);
  void try_connect();
  void disconnect(const std::string& why);
  void close_connection();
  void schedule_sync();
  void sync();
  // Domain starts and stops, interfaces attached and detached: which VMs are on which network.
  void schedule_port_sync();
  void sync_ports();
  // Makes libvirt's network `have` what `w` wants; "" or libvirt's refusal.
  std::string apply(const Registration& w, LibvirtNetwork& have);

  Worker& worker_;
  std::string uri_;
  Reports reports_;
  virConnectPtr conn_ = nullptr;
  int network_events_ = -1;
  std::vector<int> domain_events_;
  int retry_timer_ = -1;
  int sync_timer_ = -1;
  int close_timer_ = -1;
  int port_sync_timer_ = -1;
  Backoff backoff_{std::chrono::milliseconds(200), std::chrono::milliseconds(5000)};
  std::string last_failure_;
  std::vector<Registration> wanted_;
  bool told_ = false;  // want() has been called
};

}  // namespace hostnet::libvirt

#include "dbus/port_tree.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <sdbus-c++/Error.h>

#include "daemon/ports/interface_xml.h"
#include "dbus/bus_error.h"
#include "dbus/object_path.h"
#include "dbus/signal_emission.h"

namespace hostnet::dbus {

std::string describe_vlan(const PortSettings& s) {
  if (!s.vlan) return "";
  std::string out = format_vlan_option(*s.vlan);
  if (s.vlan->native_tag)
    out += " native " + std::to_string(*s.vlan->native_tag) + (s.vlan->native_tagged ? " tagged" : " untagged");
  return out;
}

std::string describe_bandwidth(const PortSettings& s) {
  if (!s.bandwidth) return "";
  std::string out;
  if (s.bandwidth->inbound) out += "inbound=" + format_rate_option(*s.bandwidth->inbound);
  if (s.bandwidth->outbound) out += std::string(out.empty() ? "" : " ") + "outbound=" + format_rate_option(*s.bandwidth->outbound);
  return out;
}

namespace {

constexpr const char* kInterface = "org.hostnet1.Port";

struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
using MessageRef = std::unique_ptr<sd_bus_message, MessageUnref>;

// The port id a path names: /org/hostnet1/port/<escaped id>, nothing deeper.
std::optional<std::string> id_of(const char* path) {
  std::string_view p(path);
  std::string_view prefix(kPortPathPrefix);
  if (p.size() <= prefix.size() + 1 || p.substr(0, prefix.size()) != prefix || p[prefix.size()] != '/') return std::nullopt;
  std::string_view label = p.substr(prefix.size() + 1);
  if (label.find('/') != std::string_view::npos) return std::nullopt;
  return unescape_path_label(label);
}

void check(int r, const char* what) {
  if (r < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-r));
}

// Runs a handler, turning what it throws into the error reply sd-bus sends: hostnet's own errors
// arrive as sdbus::Error (org.hostnet1.Error.*), as from the sdbus-c++ objects.
template <class Handler>
int answer(sd_bus_error* error, Handler handler) noexcept {
  try {
    return handler();
  } catch (const sdbus::Error& e) {
    return sd_bus_error_set(error, e.getName().c_str(), e.getMessage().c_str());
  } catch (const std::exception& e) {
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, e.what());
  } catch (...) {
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "unexpected error");
  }
}

int append_string(sd_bus_message* m, const std::string& s) { return sd_bus_message_append_basic(m, 's', s.c_str()); }

int append_property(sd_bus_message* m, const Port& p, std::string_view name, const PortManager& ports) {
  const PortSettings& s = p.settings;
  if (name == "Id") return append_string(m, p.id);
  if (name == "Name") return append_string(m, s.name);
  if (name == "Network") return append_string(m, p.network);
  if (name == "MAC") return append_string(m, xml::format_mac(s.mac));
  if (name == "Kind") return append_string(m, s.kind);
  if (name == "Queues") {
    std::uint32_t v = s.queues;
    return sd_bus_message_append_basic(m, 'u', &v);
  }
  if (name == "Owner") {
    std::uint32_t v = s.owner.value_or(0xffffffffu);
    return sd_bus_message_append_basic(m, 'u', &v);
  }
  if (name == "Ifindex") {
    std::int32_t v = p.ifindex;
    return sd_bus_message_append_basic(m, 'i', &v);
  }
  if (name == "Portgroup") return append_string(m, s.portgroup);
  if (name == "VLAN") return append_string(m, describe_vlan(s));
  if (name == "Isolated") {
    int v = s.isolated;
    return sd_bus_message_append_basic(m, 'b', &v);
  }
  if (name == "Bandwidth") return append_string(m, describe_bandwidth(s));
  if (name == "InterfaceId") return append_string(m, s.interface_id);
  if (name == "VhostNet") {
    int v = ports.vhost_net();
    return sd_bus_message_append_basic(m, 'b', &v);
  }
  if (name == "VhostNetReason") return append_string(m, ports.vhost_net_reason());
  if (name == "VMName") return append_string(m, s.vm_name);
  if (name == "VMUUID") return append_string(m, s.vm_uuid);
  if (name == "Problem") return append_string(m, p.problem);
  if (name == "Socket") return append_string(m, p.socket);
  return -ENOENT;
}

// Every property reads the core's Port when asked, so a read always sees its state.
constexpr std::uint64_t kProperty = SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE;
// hostnet authorizes each call itself (root, the admin group, the port's owner, polkit).
constexpr std::uint64_t kMethod = SD_BUS_VTABLE_UNPRIVILEGED;

}  // namespace

PortTree::PortTree(sdbus::IConnection& connection, sd_bus* bus, PortManager& ports, const AuthPolicy& auth)
    : connection_(connection), bus_(sd_bus_ref(bus)), ports_(ports), auth_(auth) {
  static const sd_bus_vtable vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_METHOD_WITH_ARGS("OpenFds", SD_BUS_ARGS("u", queues), SD_BUS_RESULT("ah", taps, "ah", vhosts),
                              &PortTree::open_fds, kMethod),
      SD_BUS_METHOD_WITH_ARGS("GetInterfaceXML", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", xml), &PortTree::get_interface_xml,
                              kMethod),
      SD_BUS_METHOD_WITH_ARGS("GetStatistics", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{st}", statistics),
                              &PortTree::get_statistics, kMethod),
      SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, &PortTree::delete_port, kMethod),
      SD_BUS_PROPERTY("Id", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Name", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Network", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("MAC", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Kind", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Queues", "u", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Owner", "u", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Ifindex", "i", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Portgroup", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("VLAN", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Isolated", "b", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Bandwidth", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("InterfaceId", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("VhostNet", "b", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("VhostNetReason", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("VMName", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("VMUUID", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Problem", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_PROPERTY("Socket", "s", &PortTree::get_property, 0, kProperty),
      SD_BUS_VTABLE_END};
  int r = sd_bus_add_fallback_vtable(bus_, &vtable_slot_, kPortPathPrefix, kInterface, vtable, &PortTree::find, this);
  if (r >= 0) r = sd_bus_add_node_enumerator(bus_, &enumerator_slot_, kPortPathPrefix, &PortTree::enumerate, this);
  if (r < 0) {
    sd_bus_slot_unref(vtable_slot_);
    sd_bus_unref(bus_);
    throw sdbus::Error(SD_BUS_ERROR_FAILED, std::string("cannot export the port objects: ") + std::strerror(-r));
  }
}

PortTree::~PortTree() {
  sd_bus_slot_unref(enumerator_slot_);
  sd_bus_slot_unref(vtable_slot_);
  sd_bus_unref(bus_);
}

void PortTree::added(const std::string& id) {
  std::string path = port_path(id);
  emit_signal("InterfacesAdded",
              [&] { check(sd_bus_emit_interfaces_added(bus_, path.c_str(), kInterface, nullptr), "InterfacesAdded"); });
}

void PortTree::removed(const std::string& id) {
  std::string path = port_path(id);
  emit_signal("InterfacesRemoved", [&] {
    check(sd_bus_emit_interfaces_removed(bus_, path.c_str(), kInterface, nullptr), "InterfacesRemoved");
  });
}

void PortTree::changed(const std::string& id) {
  std::string path = port_path(id);
  emit_signal("PropertiesChanged", [&] {
    check(sd_bus_emit_properties_changed(bus_, path.c_str(), kInterface, "Ifindex", "Problem", nullptr),
          "PropertiesChanged");
  });
}

int PortTree::find(sd_bus*, const char* path, const char*, void* self, void** found, sd_bus_error*) {
  auto* tree = static_cast<PortTree*>(self);
  auto id = id_of(path);
  if (!id) return 0;
  auto port = tree->ports_.lookup(*id);
  // Only by id: a port's name is not its path.
  if (!port || (*port)->id != *id) return 0;
  *found = tree;
  return 1;
}

int PortTree::enumerate(sd_bus*, const char*, void* self, char*** nodes, sd_bus_error* error) {
  auto* tree = static_cast<PortTree*>(self);
  auto ports = tree->ports_.list();
  // A NULL-terminated strv of malloc'd strings, which sd-bus frees.
  char** out = static_cast<char**>(std::calloc(ports.size() + 1, sizeof(char*)));
  if (!out) return sd_bus_error_set_errno(error, ENOMEM);
  for (std::size_t i = 0; i < ports.size(); ++i) {
    out[i] = ::strdup(port_path(ports[i]->id).c_str());
    if (!out[i]) {
      for (std::size_t j = 0; j < i; ++j) std::free(out[j]);
      std::free(out);
      return sd_bus_error_set_errno(error, ENOMEM);
    }
  }
  *nodes = out;
  return 0;
}

const Port& PortTree::port_at(const char* path) const {
  auto id = id_of(path ? path : "");
  if (!id) throw to_bus_error(Error{Errc::NotFound, std::string("no port at ") + (path ? path : "")});
  return *value_or_throw(ports_.lookup(*id));
}

int PortTree::get_property(sd_bus*, const char* path, const char*, const char* property, sd_bus_message* reply,
                           void* self, sd_bus_error* error) {
  auto* tree = static_cast<PortTree*>(self);
  return answer(error, [&] { return append_property(reply, tree->port_at(path), property, tree->ports_); });
}

int PortTree::open_fds(sd_bus_message* call, void* self, sd_bus_error* error) {
  auto* tree = static_cast<PortTree*>(self);
  return answer(error, [&] {
    std::uint32_t queues = 0;
    check(sd_bus_message_read_basic(call, 'u', &queues), "reading the queue count");
    const Port& p = tree->port_at(sd_bus_message_get_path(call));
    Caller caller = caller_of(call);
    if (!(p.settings.owner && *p.settings.owner == caller.uid)) {
      std::string what = "opening the fds of port " + p.settings.name +
                         (p.settings.owner ? " (owner uid " + std::to_string(*p.settings.owner) + ")" : std::string());
      authorize(tree->connection_, caller, tree->auth_, Action::OpenPortFds, what,
                {{"network", p.network}, {"port", p.settings.name}});
    }
    auto fds = value_or_throw(tree->ports_.open_fds(p.id, queues));
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "building the reply");
    MessageRef reply(raw);
    // sd-bus duplicates each fd it is given; ours close when `fds` goes.
    for (const auto* list : {&fds.taps, &fds.vhosts}) {
      check(sd_bus_message_open_container(raw, 'a', "h"), "building the reply");
      for (const auto& fd : *list) {
        int f = fd.get();
        check(sd_bus_message_append_basic(raw, 'h', &f), "passing an fd");
      }
      check(sd_bus_message_close_container(raw), "building the reply");
    }
    return sd_bus_send(nullptr, raw, nullptr);
  });
}

int PortTree::get_interface_xml(sd_bus_message* call, void* self, sd_bus_error* error) {
  auto* tree = static_cast<PortTree*>(self);
  return answer(error, [&] {
    const Port& p = tree->port_at(sd_bus_message_get_path(call));
    if (is_foreign_port(p.settings))
      throw to_bus_error(Error{Errc::Unsupported, "port " + p.settings.name + " is " + p.settings.kind +
                                                      "'s: domain '" + p.settings.vm_name + "' has its <interface> already"});
    if (p.settings.kind == "internal")
      throw to_bus_error(
          Error{Errc::Unsupported, "port " + p.settings.name + " is an internal port: it is the host's device, not a VM's"});
    std::string text = interface_xml(p, tree->ports_.vhost_net());
    return sd_bus_reply_method_return(call, "s", text.c_str());
  });
}

int PortTree::get_statistics(sd_bus_message* call, void* self, sd_bus_error* error) {
  auto* tree = static_cast<PortTree*>(self);
  return answer(error, [&] {
    const Port& p = tree->port_at(sd_bus_message_get_path(call));
    auto st = value_or_throw(tree->ports_.statistics(p.id));
    // The guest's view: what the host's tap transmits, the guest receives.
    std::uint64_t rx_bytes = st.tx_bytes, rx_packets = st.tx_packets, rx_dropped = st.tx_dropped;
    std::uint64_t tx_bytes = st.rx_bytes, tx_packets = st.rx_packets, tx_dropped = st.rx_dropped;
    return sd_bus_reply_method_return(call, "a{st}", 6, "rx_bytes", rx_bytes, "rx_dropped", rx_dropped, "rx_packets",
                                      rx_packets, "tx_bytes", tx_bytes, "tx_dropped", tx_dropped, "tx_packets",
                                      tx_packets);
  });
}

int PortTree::delete_port(sd_bus_message* call, void* self, sd_bus_error* error) {
  auto* tree = static_cast<PortTree*>(self);
  return answer(error, [&] {
    const Port& p = tree->port_at(sd_bus_message_get_path(call));
    std::string id = p.id;
    authorize(tree->connection_, caller_of(call), tree->auth_, Action::ManagePorts, "deleting port " + p.settings.name,
              {{"network", p.network}, {"port", p.settings.name}});
    value_or_throw(tree->ports_.delete_port(id));
    return sd_bus_reply_method_return(call, "");
  });
}

}  // namespace hostnet::dbus

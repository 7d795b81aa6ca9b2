// /org/hostnet1/port/<id>: every port's object, served by one sd-bus fallback vtable over the core's
// PortManager rather than one sdbus-c++ object per port. An sdbus-c++ object costs ~7 KiB (maps
// of its methods and properties, a vtable copy, sd-bus's member table), which at 10,000 ports
// was 70 MiB of hostnetd's memory; here a port costs nothing on the bus side, its objects exist
// while PortManager has it, and introspection and GetManagedObjects list them through a node
// enumerator. The interface is the one org.hostnet1.Port.xml describes.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>
#include <string>

#include <sdbus-c++/IConnection.h>

#include "daemon/ports/port_manager.h"
#include "dbus/authorization.h"

namespace hostnet::dbus {

class PortTree {
 public:
  // Serves ports on `bus`, the sd-bus handle of `connection` (which polkit is asked on).
  PortTree(sdbus::IConnection& connection, sd_bus* bus, PortManager& ports, const AuthPolicy& auth);
  ~PortTree();
  PortTree(const PortTree&) = delete;
  PortTree& operator=(const PortTree&) = delete;

  // The ObjectManager's signals for a port that came, went or changed (its Ifindex and Problem).
  void added(const std::string& id);
  void removed(const std::string& id);
  void changed(const std::string& id);

 private:
  static int find(sd_bus*, const char* path, const char* interface, void* self, void** found, sd_bus_error*);
  static int enumerate(sd_bus*, const char* path, void* self, char*** nodes, sd_bus_error*);
  static int get_property(sd_bus*, const char* path, const char* interface, const char* property,
                          sd_bus_message* reply, void* self, sd_bus_error* error);
  static int open_fds(sd_bus_message* call, void* self, sd_bus_error* error);
  static int get_interface_xml(sd_bus_message* call, void* self, sd_bus_error* error);
  static int get_statistics(sd_bus_message* call, void* self, sd_bus_error* error);
  static int delete_port(sd_bus_message* call, void* self, sd_bus_error* error);

  // The port a call or property read is on, or throws UnknownObject-style NotFound.
  const Port& port_at(const char* path) const;

  sdbus::IConnection& connection_;
  sd_bus* bus_;
  PortManager& ports_;
  const AuthPolicy& auth_;
  sd_bus_slot* vtable_slot_ = nullptr;
  sd_bus_slot* enumerator_slot_ = nullptr;
};

// Text forms of a port's settings, as its VLAN and Bandwidth properties give them.
std::string describe_vlan(const PortSettings& settings);
std::string describe_bandwidth(const PortSettings& settings);

}  // namespace hostnet::dbus

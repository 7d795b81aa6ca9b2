// sdbus-c++ 1.2 hides the sd-bus handles under its messages; some things only sd-bus says
// (whether a call allows interactive authorization, which bus a message is on). The handle is a
// protected member, reachable through a pointer-to-member formed in a derived class (no object
// of it is ever made).
#pragma once

#include <systemd/sd-bus.h>

#include <sdbus-c++/IObject.h>
#include <sdbus-c++/Message.h>

namespace hostnet::dbus {

struct RawMessage : sdbus::Message {
  static sd_bus_message* of(const sdbus::Message& m) {
    void* sdbus::Message::*handle = &RawMessage::msg_;
    return static_cast<sd_bus_message*>(m.*handle);
  }
};

// The sd-bus connection an sdbus-c++ object is exported on: the bus of a message it builds.
inline sd_bus* raw_bus_of(sdbus::IObject& object) {
  auto probe = object.createSignal("org.freedesktop.DBus.Peer", "Probe");
  return sd_bus_message_get_bus(RawMessage::of(probe));
}

}  // namespace hostnet::dbus

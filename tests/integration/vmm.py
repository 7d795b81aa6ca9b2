#!/usr/bin/python3
"""A VM manager as a hostnet user writes one: it asks hostnetd for a port's fds over D-Bus and
uses them as a VMM would. Run as any uid; the bus address comes from DBUS_SYSTEM_BUS_ADDRESS.

    vmm.py open PORT QUEUES            print how many tap and vhost fds it got, or the error
    vmm.py arp PORT QUEUES MAC SRC_IP DST_IP
                                       ARP for DST_IP through every queue; print one line per queue
    vmm.py relay PORT                  a "VM": plug a tap named eth0 in the current namespace into
                                       the port, copying frames both ways; prints "ready"
    vmm.py hold PORT                   open the fds and hold them until stdin closes
"""

import fcntl
import os
import select
import struct
import sys
import time

import dbus

VNET_HDR = bytes(10)  # struct virtio_net_hdr, no offloads: the tap's default header size
TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000


def open_fds(port_path, queues):
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    port = bus.get_object("org.hostnet1", port_path)
    taps, vhosts = port.OpenFds(dbus.UInt32(queues), dbus_interface="org.hostnet1.Port")
    return [t.take() for t in taps], [v.take() for v in vhosts]


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def arp_request(mac, src_ip, dst_ip):
    ip = lambda s: bytes(int(x) for x in s.split("."))
    eth = b"\xff" * 6 + mac + b"\x08\x06"
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip(src_ip) + bytes(6) + ip(dst_ip)
    return eth + arp


def arp_reply_from(frame, dst_ip):
    """The sender MAC of an ARP reply for dst_ip, or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06" or frame[20:22] != b"\x00\x02":
        return None
    if frame[28:32] != bytes(int(x) for x in dst_ip.split(".")):
        return None
    return ":".join(f"{b:02x}" for b in frame[22:28])


def cmd_open(port, queues):
    try:
        taps, vhosts = open_fds(port, int(queues))
    except dbus.DBusException as e:
        print(f"error {e.get_dbus_name()}: {e.get_dbus_message()}")
        return 1
    print(f"taps {len(taps)} vhosts {len(vhosts)}")
    return 0


def cmd_arp(port, queues, mac, src_ip, dst_ip):
    taps, _ = open_fds(port, int(queues))
    request = VNET_HDR + arp_request(mac_bytes(mac), src_ip, dst_ip)
    ok = True
    for i, fd in enumerate(taps):
        # The bridge port may still be learning (STP): ask again until the reply comes.
        reply, deadline = None, time.monotonic() + 20
        while reply is None and time.monotonic() < deadline:
            os.write(fd, request)
            end = time.monotonic() + 0.5
            while reply is None and time.monotonic() < end:
                ready, _, _ = select.select(taps, [], [], 0.1)
                for r in ready:
                    reply = reply or arp_reply_from(os.read(r, 65536)[len(VNET_HDR):], dst_ip)
        print(f"queue {i}: {'reply from ' + reply if reply else 'no reply'}", flush=True)
        ok = ok and reply is not None
    return 0 if ok else 1


def cmd_relay(port):
    taps, _ = open_fds(port, 1)
    host = taps[0]
    vm = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(vm, TUNSETIFF, struct.pack("16sH", b"eth0", IFF_TAP | IFF_NO_PI))
    print("ready", flush=True)
    while True:
        ready, _, _ = select.select([host, vm, sys.stdin], [], [])
        if sys.stdin in ready and not sys.stdin.readline():
            return 0
        # A frame for a link that is not up yet is refused (EIO) and lost, as on a real wire.
        if host in ready:
            frame = os.read(host, 65536)[len(VNET_HDR):]
            try:
                os.write(vm, frame)
            except OSError:
                pass
        if vm in ready:
            frame = os.read(vm, 65536)
            try:
                os.write(host, VNET_HDR + frame)
            except OSError:
                pass


def cmd_hold(port):
    taps, _ = open_fds(port, 0)
    print(f"holding {len(taps)}", flush=True)
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    verb, args = sys.argv[1], sys.argv[2:]
    sys.exit({"open": cmd_open, "arp": cmd_arp, "relay": cmd_relay, "hold": cmd_hold}[verb](*args))

#!/usr/bin/python3
"""How soon a VM that libvirt starts on a hostnet network is a hostnet port, and whether starting
it there costs more than on libvirt's own NAT network. One libvirtd (isolated in a namespace:
tests/integration/libvirt_host.py), idle TCG domains with one NIC. Each round starts a domain with
`virsh start` on each network (the order alternates), then destroys it, and measures:

- from invoking `virsh start` to the Port's InterfacesAdded on hostnet's bus, and from `virsh
  start` returning to it (what hostnet adds after libvirt is done; below 0 when it was first);
- from invoking `virsh destroy`, and from its return, to the Port's InterfacesRemoved (hostnet drops
  the port when the tap goes, i.e. when QEMU exits: libvirt's destroy returns only later);
- `virsh start` on hostnet's network vs on libvirt's own (ratio: 1 or more means no slower).

The signals are timed by `busctl monitor` (a bus monitor started before the first round: the
time it received each one); nothing polls hostnetd. Prints medians and p90 (nearest rank) in ms.

    sudo /usr/bin/python3 bench/bench_libvirt_ports.py [--count 10]

Needs scripts/install-deps.sh --bench (libvirtd, QEMU, iptables for libvirt's NAT)."""

import json
import math
import queue
import statistics
import subprocess
import threading
import time

import benchlib

HOSTNET_NET = """<network><name>hn</name><forward mode='nat'/><bridge name='hnbench0' stp='off'/>
<ip address='10.81.0.1' prefix='24'><dhcp><range start='10.81.0.100' end='10.81.0.200'/></dhcp></ip></network>"""
LIBVIRT_NET = """<network><name>lvnat</name><forward mode='nat'/><bridge name='virbench0' stp='off'/>
<ip address='10.82.0.1' prefix='24'><dhcp><range start='10.82.0.100' end='10.82.0.200'/></dhcp></ip></network>"""
PORT = "org.hostnet1.Port"


class BusWatch:
    """`busctl monitor` of the ObjectManager signals on hostnet's bus, read by a thread into a
    queue of (member, object path, payload, receive time). The time is busctl's own stamp
    (wall clock), so when this thread gets to a line does not count."""

    def __init__(self, host):
        self.proc = subprocess.Popen(["busctl", f"--address={host.bus_address}", "monitor", "--json=short",
                                      "--match", "type='signal',interface='org.freedesktop.DBus.ObjectManager'"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        host.processes.append(self.proc)  # host.close() ends it, whatever happens here
        # busctl says so once it is a monitor: from then on no signal is missed.
        line = self.proc.stderr.readline()
        if "Monitoring" not in line:
            raise AssertionError(f"busctl monitor: {line}")
        self.signals = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            m = json.loads(line)
            path, data = m["payload"]["data"]
            self.signals.put((m["member"], path, data, m["timestamp-realtime"] / 1e6))

    def wait(self, member, match, what, timeout=30):
        """The next `member` signal that match(path, data) accepts (others are dropped): (path, data, time)."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                got, path, data, when = self.signals.get(timeout=max(0, deadline - time.monotonic()))
                if got == member and match(path, data):
                    return path, data, when
        except queue.Empty:
            raise AssertionError(f"no {member} for {what} within {timeout} s") from None


def start(lv, name, network):
    """Defines and starts a domain; wall-clock times (as busctl's) of invoking and of return."""
    path = lv.tmp / f"dom-{name}.xml"
    path.write_text(lv.domain_xml(name, network))
    lv.virsh("define", path)
    invoked = time.time()
    lv.virsh("start", name)
    return invoked, time.time()


def hostnet_round(lv, watch, name):
    """One domain on hostnet's network: its timings (seconds) by what they measure."""
    invoked, returned = start(lv, name, "hn")
    path, data, added = watch.wait("InterfacesAdded", lambda p, d: d.get(PORT, {}).get("VMName", {}).get("data") == name,
                                   f"{name}'s port")
    tap = data[PORT]["Name"]["data"]
    assert list(lv.domain_taps(name)) == [tap], (tap, lv.domain_taps(name))
    destroy = time.time()
    lv.virsh("destroy", name)
    destroyed = time.time()
    _, _, removed = watch.wait("InterfacesRemoved", lambda p, d: p == path, f"{name}'s port ({tap})")
    lv.virsh("undefine", name)
    return {"start": returned - invoked, "to_port": added - invoked, "after_start": added - returned,
            "destroy": destroyed - destroy, "to_removed": removed - destroy, "after_destroy": removed - destroyed}


def libvirt_round(lv, name):
    invoked, returned = start(lv, name, "lvnat")
    lv.destroy_domain(name)
    return returned - invoked


def ms(times):
    """'median M ms, p90 P ms'; p90 by nearest rank (the 9th of 10)."""
    p90 = sorted(times)[math.ceil(0.9 * len(times)) - 1]
    return f"median {statistics.median(times) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms"


def main():
    args = benchlib.parse_args(__doc__, 10)
    from harness import Host
    from libvirt_host import Libvirtd, serve_libvirtd, wait_for

    host = Host()
    try:
        with Libvirtd(host.ns) as lv:
            serve_libvirtd(host, lv)
            host.ctl("net-create", host.write_xml("hn", HOSTNET_NET))
            wait_for(lambda: "hn" in lv._names("net-list", "--name"), "hn registered in libvirt")
            lv.define_network(LIBVIRT_NET)
            watch = BusWatch(host)
            # Not counted: the first domain start pays for QEMU's page cache, and the first port
            # shows the watch sees ports at all.
            libvirt_round(lv, "warm-lv")
            hostnet_round(lv, watch, "warm-hn")
            hn, own = [], []
            for i in range(args.count):
                # Alternating, so neither network always runs right after a destroy on the other.
                if i % 2:
                    own.append(libvirt_round(lv, f"d{i}lv"))
                hn.append(hostnet_round(lv, watch, f"d{i}hn"))
                if not i % 2:
                    own.append(libvirt_round(lv, f"d{i}lv"))
            t = {key: [r[key] for r in hn] for key in hn[0]}
            print(f"{args.count} rounds, idle TCG domains, one NIC")
            print(f"virsh start invoked -> Port InterfacesAdded:  {ms(t['to_port'])}")
            print(f"virsh start returned -> Port InterfacesAdded: {ms(t['after_start'])}  (hostnet's part)")
            print(f"virsh destroy invoked -> InterfacesRemoved:   {ms(t['to_removed'])}")
            print(f"virsh destroy returned -> InterfacesRemoved:  {ms(t['after_destroy'])}  (virsh destroy: {ms(t['destroy'])})")
            print(f"virsh start on hostnet's network:             {ms(t['start'])}")
            print(f"virsh start on libvirt's own NAT network:     {ms(own)}")
            print(f"ratio libvirt's own / hostnet's: median {statistics.median(own) / statistics.median(t['start']):.2f}x "
                  f"(1 or more: no slower)")
            host.stop_daemon()
    finally:
        host.close()


if __name__ == "__main__":
    main()

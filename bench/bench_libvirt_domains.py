#!/usr/bin/python3
"""Domains that libvirt starts on a hostnet network (registered in libvirt, forward mode bridge on
hostnet's bridge) vs on libvirt's own NAT network, side by side in one run under one libvirtd
(isolated in a namespace: tests/integration/libvirt_host.py). Each round defines and starts an
idle TCG domain with one NIC on each network, then destroys it; `virsh start` is timed. Prints
medians and the ratio (libvirt's own network / hostnet's: 1 or more means no slower).

    sudo /usr/bin/python3 bench/bench_libvirt_domains.py [--count 10]

Needs scripts/install-deps.sh --bench (libvirtd, QEMU, iptables for libvirt's NAT)."""

import statistics
import time

import benchlib

HOSTNET_NET = """<network><name>hn</name><forward mode='nat'/><bridge name='hnbench0' stp='off'/>
<ip address='10.81.0.1' prefix='24'><dhcp><range start='10.81.0.100' end='10.81.0.200'/></dhcp></ip></network>"""
LIBVIRT_NET = """<network><name>lvnat</name><forward mode='nat'/><bridge name='virbench0' stp='off'/>
<ip address='10.82.0.1' prefix='24'><dhcp><range start='10.82.0.100' end='10.82.0.200'/></dhcp></ip></network>"""


def start_time(lv, name, network):
    path = lv.tmp / f"dom-{name}.xml"
    path.write_text(lv.domain_xml(name, network))
    lv.virsh("define", path)
    begin = time.perf_counter()
    lv.virsh("start", name)
    took = time.perf_counter() - begin
    lv.destroy_domain(name)
    return took


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
            times = {"hn": [], "lvnat": []}
            start_time(lv, "warm", "lvnat")  # the first domain start pays for QEMU's page cache
            for i in range(args.count):
                for net in ("hn", "lvnat"):
                    times[net].append(start_time(lv, f"d{i}{net}", net))
            hn, own = statistics.median(times["hn"]), statistics.median(times["lvnat"])
            print(f"virsh start, median of {args.count}: on hostnet's network {hn * 1000:.0f} ms, "
                  f"on libvirt's own NAT network {own * 1000:.0f} ms; ratio {own / hn:.2f}x")
            host.stop_daemon()
    finally:
        host.close()


if __name__ == "__main__":
    main()

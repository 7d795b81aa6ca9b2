#!/usr/bin/python3
"""libvirt's `default` NAT network (the XML libvirt ships), started and stopped by libvirtd through
`virsh net-start/net-destroy` and by hostnetd through `hostnetctl net-start/net-destroy`, side by
side in one run, each daemon in a network namespace of its own. Both start dnsmasq and firewall
rules. Prints medians and ratios (libvirt time / hostnet time: above 1 means hostnet is faster).

    sudo /usr/bin/python3 bench/bench_vs_libvirt.py [--count 8]

Needs libvirtd (scripts/install-deps.sh --bench) and no other libvirtd running: libvirtd owns
/run/libvirt on the whole machine."""

import os
import signal
import statistics
import subprocess
import time
from pathlib import Path

import benchlib

DEFAULT_XML = (benchlib.SOURCE / "scripts" / "default-network.xml").read_text()


def timed(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def bench_libvirt(count):
    if subprocess.run(["pgrep", "-x", "libvirtd"], capture_output=True).returncode == 0:
        raise SystemExit("another libvirtd runs on this machine; it owns /run/libvirt, so this benchmark cannot")
    ns = f"hn-lv-{os.getpid()}"
    pidfile = Path(f"/tmp/hostnet-bench-libvirtd-{os.getpid()}.pid")
    subprocess.run(["ip", "netns", "add", ns], check=True)
    pid = None
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        Path("/var/log/libvirt").mkdir(parents=True, exist_ok=True)
        subprocess.run(["ip", "netns", "exec", ns, "libvirtd", "-d", "-p", str(pidfile)], check=True)
        virsh = ["virsh", "-q", "-c", "qemu:///system"]
        for _ in range(600):
            if subprocess.run(virsh + ["version"], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        pid = int(pidfile.read_text())
        subprocess.run(virsh + ["net-destroy", "default"], capture_output=True)
        if subprocess.run(virsh + ["net-info", "default"], capture_output=True).returncode != 0:
            xml = Path(f"/tmp/hostnet-bench-default-{os.getpid()}.xml")
            xml.write_text(DEFAULT_XML)
            subprocess.run(virsh + ["net-define", str(xml)], check=True, capture_output=True)
        starts, stops = [], []
        for _ in range(count):
            starts.append(timed(virsh + ["net-start", "default"]))
            stops.append(timed(virsh + ["net-destroy", "default"]))
        return starts, stops
    finally:
        if pid:
            os.kill(pid, signal.SIGTERM)
            for _ in range(200):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.05)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        pidfile.unlink(missing_ok=True)


def bench_hostnet(count, Host):
    host = Host()
    try:
        host.ctl("net-define", host.write_xml("default", DEFAULT_XML))
        from harness import HOSTNETCTL
        ctl = [str(HOSTNETCTL)]
        starts, stops = [], []
        for _ in range(count):
            starts.append(timed(ctl + ["net-start", "default"], env=host.env))
            stops.append(timed(ctl + ["net-destroy", "default"], env=host.env))
        return starts, stops
    finally:
        host.close()


def main():
    args = benchlib.parse_args(__doc__, 8)
    from harness import Host  # noqa: E402  (needs HOSTNET_BUILD_DIR first)

    lv_start, lv_stop = bench_libvirt(args.count)
    hn_start, hn_stop = bench_hostnet(args.count, Host)
    m = statistics.median
    print(f"libvirt's default NAT network (bridge, dnsmasq, firewall), start then stop, {args.count} times, medians:")
    print(f"  virsh (libvirtd)      net-start {m(lv_start) * 1000:7.1f} ms   net-destroy {m(lv_stop) * 1000:7.1f} ms")
    print(f"  hostnetctl (hostnetd) net-start {m(hn_start) * 1000:7.1f} ms   net-destroy {m(hn_stop) * 1000:7.1f} ms")
    print(f"  ratio libvirt/hostnet: start {m(lv_start) / m(hn_start):.2f}x, stop {m(lv_stop) / m(hn_stop):.2f}x "
          f"(goal: 4x or more)")


if __name__ == "__main__":
    main()

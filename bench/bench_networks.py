#!/usr/bin/python3
"""Start and stop 100 isolated networks: hostnet (hostnetctl -> D-Bus -> hostnetd) against the shell
loop an admin would write with `ip`, side by side in one run, each in a fresh network namespace.

    sudo /usr/bin/python3 bench/bench_networks.py [--count 100] [--build-dir build-bench]

Prints the times and the ratios (ip loop time / hostnet time: above 1 means hostnet is faster)."""

import subprocess
import time

import benchlib


def network_xml(i):
    return (f"<network><name>bench{i}</name><bridge name='hnb{i}'/>"
            f"<ip address='10.{100 + i // 250}.{i % 250}.1' prefix='24'/></network>")


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_hostnet(host, count):
    for i in range(count):
        host.ctl("net-define", host.write_xml(f"bench{i}", network_xml(i)))
    start = timed(lambda: [host.ctl("net-start", f"bench{i}") for i in range(count)])
    assert len([l for l in host.links() if l.startswith("hnb")]) == count
    stop = timed(lambda: [host.ctl("net-destroy", f"bench{i}") for i in range(count)])
    assert not [l for l in host.links() if l.startswith("hnb")]
    return start, stop


def bench_hostnet_one_client(host, count, build_dir):
    """The same through one long-lived D-Bus client: hostnetd's own cost, no process per call."""
    out = subprocess.run([str(build_dir / "bench" / "bench_dbus_networks"), str(count)], env=host.env,
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[1]), float(out[3])


def bench_ip_loop(ns, count):
    def run(*cmd):
        subprocess.run(["ip", "-n", ns, *cmd], check=True)

    def start_all():
        for i in range(count):
            run("link", "add", f"hnb{i}", "type", "bridge", "stp_state", "1", "forward_delay", "0")
            run("addr", "add", f"10.{100 + i // 250}.{i % 250}.1/24", "dev", f"hnb{i}")
            run("link", "set", f"hnb{i}", "up")

    def stop_all():
        for i in range(count):
            run("link", "del", f"hnb{i}")

    return timed(start_all), timed(stop_all)


def main():
    args = benchlib.parse_args(__doc__, 100)
    build_dir = args.build_dir
    from harness import Host  # noqa: E402  (needs HOSTNET_BUILD_DIR first)

    host = Host()
    ip_ns = host.ns + "-ip"
    host.extra_namespaces.append(ip_ns)
    try:
        subprocess.run(["ip", "netns", "add", ip_ns], check=True)
        h_start, h_stop = bench_hostnet(host, args.count)
        d_start, d_stop = bench_hostnet_one_client(host, args.count, build_dir)
        i_start, i_stop = bench_ip_loop(ip_ns, args.count)
    finally:
        host.close()

    n = args.count
    print(f"{n} isolated networks (bridge + IPv4 address + up), start then stop, one run:")
    print(f"  {'':28} {'start':>10} {'stop':>10}   per network (start/stop)")
    print(f"  {'hostnetctl (D-Bus, hostnetd)':28} {h_start:9.3f}s {h_stop:9.3f}s   "
          f"{h_start / n * 1000:.2f} / {h_stop / n * 1000:.2f} ms")
    print(f"  {'one D-Bus client':28} {d_start:9.3f}s {d_stop:9.3f}s   "
          f"{d_start / n * 1000:.2f} / {d_stop / n * 1000:.2f} ms")
    print(f"  {'ip loop (3 ip calls each)':28} {i_start:9.3f}s {i_stop:9.3f}s   "
          f"{i_start / n * 1000:.2f} / {i_stop / n * 1000:.2f} ms")
    print(f"  ratio ip loop / hostnetctl:       start {i_start / h_start:.2f}x, stop {i_stop / h_stop:.2f}x")
    print(f"  ratio ip loop / one D-Bus client: start {i_start / d_start:.2f}x, stop {i_stop / d_stop:.2f}x")


if __name__ == "__main__":
    main()

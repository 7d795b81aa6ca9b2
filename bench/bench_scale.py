#!/usr/bin/python3
"""One host at scale (issue 13 part 7): --networks isolated kernel-bridge networks (default 1000)
with --ports tap ports spread over them (default 10000), made through one D-Bus client as an
orchestrator would (DefineNetwork, Start, CreatePorts a network at a time). Reports:
  - the cost of a network's start and of a port, first tenth against last tenth;
  - hostnetd's RSS (VmRSS, VmHWM) with everything up;
  - a restart, --restarts times: from exec to the bus name taken (hostnetd asks for it once the
    reconcile is done; its log gives the reconcile's phases), and whether anything was churned:
    every bridge's and tap's ifindex is the same, and nothing changed in nftables (`nft monitor`
    saw no event) or in the links (`ip monitor link`);
  - how long `hostnetctl net-list` and `port-list` take on such a host.
Networks have DNS switched off (<dns enable='no'/>): what is measured is hostnetd, not 1000
dnsmasq processes.

    sudo /usr/bin/python3 bench/bench_scale.py [--networks 1000] [--ports 10000] [--restarts 3] [--build-dir build-bench] [--wrap CMD]"""

import json
import re
import subprocess
import statistics
import time

import benchlib


def network_xml(i):
    return (f"<network><name>s{i}</name><bridge name='hs{i}'/><dns enable='no'/>"
            f"<ip address='10.{64 + i // 250}.{i % 250}.1' prefix='24'/></network>")


def rss_kib(pid):
    status = open(f"/proc/{pid}/status").read()
    return {k: int(re.search(rf"^{k}:\s+(\d+)", status, re.M).group(1)) for k in ("VmRSS", "VmHWM", "RssAnon", "RssFile")}


def describe_rss(r):
    return (f"{r['VmRSS'] / 1024:.1f} MiB (peak {r['VmHWM'] / 1024:.1f} MiB; anonymous {r['RssAnon'] / 1024:.1f}, "
            f"file-backed {r['RssFile'] / 1024:.1f}: the libraries' pages)")


def watch(host, what):
    """`nft monitor` or `ip monitor link` in the host's namespace: every change it prints is churn."""
    cmd = ["nft", "monitor"] if what == "nft" else ["ip", "monitor", "link"]
    proc = subprocess.Popen(["ip", "netns", "exec", host.ns, *cmd], stdout=subprocess.PIPE, text=True)
    host.processes.append(proc)
    time.sleep(0.5)  # subscribed before anything happens
    return proc


def changes(proc):
    proc.terminate()
    return [l for l in proc.communicate()[0].splitlines() if l.strip()]


def ifindexes(host):
    return {l["ifname"]: l["ifindex"] for l in json.loads(host.sh("ip -j link show").stdout)}


def tenths(samples):
    n = max(1, len(samples) // 10)
    return statistics.median(samples[:n]) * 1000, statistics.median(samples[-n:]) * 1000


def main():
    def extra(p):
        p.add_argument("--networks", type=int, default=1000)
        p.add_argument("--ports", type=int, default=10000)
        p.add_argument("--restarts", type=int, default=3, help="restarts timed (the median is reported)")
        p.add_argument("--wrap", metavar="CMD", help="run the restarted hostnetd under CMD, a profiler: "
                       "'perf record -g -o FILE' or 'heaptrack -o FILE' (its RSS is then the profiler's)")
    args = benchlib.parse_args(__doc__, 0, extra=extra)
    import dbus
    from harness import Host

    host = Host()
    host.stop_daemon()
    host.start_daemon("--debug")  # the drift watcher says why it repairs
    try:
        bus = dbus.bus.BusConnection(host.bus_address)
        manager = dbus.Interface(bus.get_object("org.hostnet1", "/org/hostnet1"), "org.hostnet1.Manager")
        per_net = args.ports // args.networks
        starts, ports = [], []
        t0 = time.perf_counter()
        for i in range(args.networks):
            path = manager.DefineNetwork(network_xml(i))
            net = dbus.Interface(bus.get_object("org.hostnet1", path), "org.hostnet1.Network")
            began = time.perf_counter()
            net.Start(timeout=120)
            starts.append(time.perf_counter() - began)
            if per_net:
                began = time.perf_counter()
                made = net.CreatePorts(dbus.Array([dbus.Dictionary({}, signature="sv")] * per_net, signature="a{sv}"),
                                       timeout=120)
                ports.append((time.perf_counter() - began) / len(made))
        total = time.perf_counter() - t0
        links = ifindexes(host)
        bridges = sum(1 for n in links if n.startswith("hs"))
        taps = sum(1 for n in links if n.startswith("hn-"))
        assert bridges == args.networks, bridges
        assert taps == per_net * args.networks, taps
        up = rss_kib(host.daemon.pid)
        s1, s2 = tenths(starts)
        print(f"made {bridges} networks and {taps} ports in {total:.1f} s")
        print(f"network start: first tenth {s1:.2f} ms, last tenth {s2:.2f} ms (ratio {s2 / s1:.2f})")
        if ports:
            p1, p2 = tenths(ports)
            print(f"port (in CreatePorts of {per_net}): first tenth {p1:.2f} ms, last tenth {p2:.2f} ms "
                  f"(ratio {p2 / p1:.2f})")
        print(f"hostnetd RSS with all up: {describe_rss(up)}")

        # New taps lose their carrier a moment after creation, and their bridges after them (the
        # kernel's linkwatch, rate limited): not churn, so the watch starts once all show it.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and host.sh("ip -o link show | grep -E ' (hn-|hs)' | grep -vc NO-CARRIER",
                                                       check=False).stdout.strip() != "0":
            time.sleep(0.5)
        nft, rtnl = watch(host, "nft"), watch(host, "link")
        if args.wrap:
            import os
            os.environ["HOSTNET_DAEMON_WRAP"] = args.wrap
        # Serving means the bus name is taken: hostnetd asks for it once its reconcile is done.
        # (An answered net-list would add the listing of 1000 networks to what is timed.)
        readies, phases = [], []
        for _ in range(args.restarts):
            host.stop_daemon()
            began = time.perf_counter()
            host.start_daemon(ready=lambda: bus.name_has_owner("org.hostnet1"))
            readies.append(time.perf_counter() - began)
            found = re.findall(r"reconciled (\d+) networks? in (\d+) ms and (\d+) ports? in (\d+) ms", host.daemon_log())
            phases.append(found[-1] if found else None)
        ready = statistics.median(readies)
        after = ifindexes(host)
        remade = sorted(n for n, idx in links.items() if (n.startswith("hs") or n.startswith("hn-"))
                        and after.get(n) != idx)
        time.sleep(1)  # a repair the restart set off would have run by now
        nft_changes, link_changes = changes(nft), changes(rtnl)
        # hostnetd's capability probes make and delete a scratch device named hnprobe* at every
        # start (which tunnel kinds the kernel has); they are counted apart.
        probes = [l for l in link_changes if "hnprobe" in l and not l.startswith(" ")]
        link_changes = [l for l in link_changes if not l.startswith(" ") and "hnprobe" not in l]
        again = rss_kib(host.daemon.pid)
        print(f"restart ({args.restarts} of them): " + ", ".join(f"{r:.2f} s" for r in readies) +
              " from exec to the bus name taken; the reconcile in each: " +
              ", ".join(f"networks {p[1]} ms + ports {p[3]} ms" if p else "not logged" for p in phases))
        print(f"restart: serving {ready:.2f} s after exec (median; reconcile included); devices re-made: {len(remade)}; "
              f"nftables changes: {len(nft_changes)}; link changes: {len(link_changes)} "
              f"(and {len(probes)} of the capability probe's scratch device)")
        for line in nft_changes[:5] + link_changes[:40]:
            print(f"  {line}")
        print(f"hostnetd RSS after the restart: {describe_rss(again)}")
        # What an admin types on such a host: each listing must stay a few round trips.
        for verb, rows in (("net-list", bridges), ("port-list", taps)):
            took = []
            for _ in range(3):
                began = time.perf_counter()
                out = host.ctl(verb).stdout
                took.append(time.perf_counter() - began)
            listed = sum(1 for l in out.splitlines() if l.strip()) - 2  # the header and its rule
            assert listed == rows, (verb, listed, rows)
            print(f"hostnetctl {verb} of {rows}: {statistics.median(took) * 1000:.0f} ms (median of 3)")
        import collections
        why = collections.Counter(l.split("drift: ", 1)[1].split(" by pid")[0] for l in host.daemon_log().splitlines()
                                  if "drift: " in l)
        print(f"repairs the drift watcher was woken for: {dict(why) or 'none'}")
        return 0 if not remade and not nft_changes and not link_changes else 1
    finally:
        host.close()


if __name__ == "__main__":
    raise SystemExit(main())

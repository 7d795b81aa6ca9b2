#!/usr/bin/python3
"""Create and delete 1000 VM tap ports on a Linux bridge, single-queue and 4-queue, every way side
by side in one run, and compare each with the raw kernel limit.

    sudo /usr/bin/python3 bench/bench_ports.py [--count 1000] [--batch-size 0] [--build-dir build-bench]

A port is what a VM's NIC needs: a persistent tap (no packet info, vnet header; multi_queue for 4
queues), enslaved to the bridge, up. The ways:

 (a) sh loop: `ip tuntap add dev tN mode tap vnet_hdr [multi_queue]`, `ip link set tN master br0`,
     `ip link set tN up` -- three ip processes per port, the loop run by one sh inside the
     namespace (`ip netns exec NS sh -c ...`). That is the script an admin writes on the host; an
     `ip -n NS` per command would add a setns and a sysfs mount to every process, which a script on
     the host never pays. Deleting: `ip link del tN` per port.
 (b) the same commands through one `ip -n NS -batch -` process.
 (c) raw_taps (bench/raw_taps.c), the limit: per port open(/dev/net/tun) + TUNSETIFF +
     TUNSETPERSIST + close, then one RTM_NEWLINK (master, up, link group), each request waiting for
     its ack. Deleting: one RTM_DELLINK per port, or one RTM_DELLINK for the whole link group. For 4
     queues also with --root-qdisc: a multi-queue tap has 256 tx queues and going up attaches mq
     with 256 pfifo_fast children; one RTM_NEWQDISC (pfifo_fast at the root) before up avoids that
     (deleted by group only: one by one costs the same with either qdisc).
 (d) hostnet, one org.hostnet1.Network.CreatePort call per port from one D-Bus client
     (bench_dbus_ports); deleting: Port.Delete per port.
 (e) hostnet, CreatePorts (--batch-size ports per call; 0: all in one call); deleting:
     Network.Stop.
(d) and (e) are skipped, with a line saying so, while hostnet has no port API.

Every way starts from a bridge with no ports; after creating, the script checks that exactly COUNT
taps of the right kind are enslaved and up, and after deleting that none is left. Times of (a) and
(b) are wall clock around the one process; (c), (d), (e) report their own loop (process start and
bus connection excluded, a few ms). The table shows ports/second and the ratio to the raw limit:
the fastest (c) of the same column (above 1 would beat it)."""

import json
import secrets
import subprocess
import time

import benchlib

BRIDGE = "br0"
HOSTNET_BRIDGE = "hnbench0"
PREFIX = "t"
GROUP = 4242
QUEUES = (1, 4)
TIMEOUT = 600
NETWORK_XML = ("<network><name>bench</name><bridge name='hnbench0'/>"
               "<ip address='10.200.0.1' prefix='24'/></network>")


def run(cmd, input=None):
    r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=TIMEOUT)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def timed(cmd, input=None):
    start = time.perf_counter()
    run(cmd, input)
    return time.perf_counter() - start


# --- checks ------------------------------------------------------------------------------------


def check_ports(ns, bridge, count, queues):
    links = json.loads(run(["ip", "-n", ns, "-d", "-j", "link", "show", "master", bridge]))
    names = {link["ifname"] for link in links}
    expected = {f"{PREFIX}{i}" for i in range(count)}
    if names != expected:
        raise AssertionError(f"{len(names)} ports on {bridge}, expected {count}; "
                             f"missing {sorted(expected - names)[:5]}, extra {sorted(names - expected)[:5]}")
    for link in links:
        info = link.get("linkinfo", {})
        data = info.get("info_data", {})
        if "UP" not in link["flags"] or info.get("info_kind") != "tun" or data.get("type") != "tap":
            raise AssertionError(f"{link['ifname']} is not an up tap: {link['flags']} {info}")
        if data.get("multi_queue", False) != (queues > 1):
            raise AssertionError(f"{link['ifname']}: multi_queue {data.get('multi_queue')}, queues {queues}")


def check_none_left(ns):
    links = json.loads(run(["ip", "-n", ns, "-j", "link", "show"]))
    left = [link["ifname"] for link in links if link["ifname"].startswith(PREFIX) and link["ifname"][1:].isdigit()]
    if left:
        raise AssertionError(f"{len(left)} ports left after deleting, e.g. {left[:5]}")


# --- (a), (b), (c): the namespace of our own --------------------------------------------------


def ip_commands(count, queues):
    mq = " multi_queue" if queues > 1 else ""
    create = "".join(f"tuntap add dev {PREFIX}{i} mode tap vnet_hdr{mq}\n"
                     f"link set {PREFIX}{i} master {BRIDGE}\n"
                     f"link set {PREFIX}{i} up\n" for i in range(count))
    delete = "".join(f"link del {PREFIX}{i}\n" for i in range(count))
    return create, delete


def sh_loop(ns, count, queues):
    mq = " multi_queue" if queues > 1 else ""
    loop = ("set -e; i=0; while [ $i -lt {n} ]; do {body}; i=$((i+1)); done")
    create = loop.format(n=count, body=f"ip tuntap add dev {PREFIX}$i mode tap vnet_hdr{mq}; "
                                       f"ip link set {PREFIX}$i master {BRIDGE}; ip link set {PREFIX}$i up")
    delete = loop.format(n=count, body=f"ip link del {PREFIX}$i")
    c = timed(["ip", "netns", "exec", ns, "sh", "-c", create])
    check_ports(ns, BRIDGE, count, queues)
    d = timed(["ip", "netns", "exec", ns, "sh", "-c", delete])
    check_none_left(ns)
    return c, d


def ip_batch(ns, count, queues):
    create, delete = ip_commands(count, queues)
    c = timed(["ip", "-n", ns, "-batch", "-"], create)
    check_ports(ns, BRIDGE, count, queues)
    d = timed(["ip", "-n", ns, "-batch", "-"], delete)
    check_none_left(ns)
    return c, d


def raw(ns, raw_taps, count, queues, by_group, root_qdisc):
    cmd = ["ip", "netns", "exec", ns, str(raw_taps)]
    c = float(run(cmd + ["create", "--count", str(count), "--queues", str(queues), "--bridge", BRIDGE,
                         "--prefix", PREFIX, "--group", str(GROUP)] + (["--root-qdisc"] if root_qdisc else [])))
    check_ports(ns, BRIDGE, count, queues)
    if by_group:
        d = float(run(cmd + ["delete-group", "--group", str(GROUP)]))
    else:
        d = float(run(cmd + ["delete", "--count", str(count), "--prefix", PREFIX]))
    check_none_left(ns)
    return c, d


# --- (d), (e): hostnet -------------------------------------------------------------------------


def hostnet_ports(host, tool, count, queues, batch_size):
    """(d) when batch_size is None, else (e). The network is running at the start and the end."""
    if batch_size is None:
        out = run_env([str(tool), "single", "bench", str(count), str(queues)], host.env).split("\n")
    else:
        out = run_env([str(tool), "batch", "bench", str(count), str(queues), str(batch_size)], host.env).split("\n")
    c = float(out[0])
    check_ports(host.ns, HOSTNET_BRIDGE, count, queues)
    if batch_size is None:
        d = float(run_env([str(tool), "delete"], host.env, input="\n".join(out[1:])))
        check_none_left(host.ns)
    else:
        d = float(run_env([str(tool), "stop", "bench"], host.env))
        check_none_left(host.ns)
        host.ctl("net-start", "bench")
    return c, d


def run_env(cmd, env, input=None):
    r = subprocess.run(cmd, input=input, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def hostnet_available(host, tool):
    if not tool.exists():
        return False
    r = subprocess.run([str(tool), "probe", "bench"], env=host.env, capture_output=True, text=True, timeout=60)
    if r.returncode not in (0, 3):
        raise RuntimeError(f"{tool} probe failed ({r.returncode}): {r.stderr}")
    return r.returncode == 0


# --- report ------------------------------------------------------------------------------------


# Rows: the label in the table, and the name in the ratio lines. Rows starting with "(c)" are raw.
SH = ("(a) sh loop, 3 ip processes/port", "sh loop")
BATCH = ("(b) one ip -batch process", "ip -batch")
RAW_EACH = ("(c) raw; delete each", None)
RAW_GROUP = ("(c) raw; delete by link group", None)
RAW_QDISC = ("(c) raw --root-qdisc; delete group", None)
HOSTNET = ("(d) hostnet CreatePort; Port.Delete", "hostnet single calls")
HOSTNET_BATCH = ("(e) hostnet CreatePorts; Network.Stop", "hostnet batch call")


def report(results, count):
    """results: {(row, queues): (create seconds, delete seconds)}."""
    rows = list(dict.fromkeys(row for row, _ in results))
    limit = {}
    for q in QUEUES:
        for op in (0, 1):
            limit[q, op] = max(count / t[op] for (row, qq), t in results.items() if qq == q and row[0].startswith("(c)"))

    def cell(row, q, op):
        t = results.get((row, q))
        if t is None:
            return f"{'-':>17}"
        rate = count / t[op]
        return f"{rate:8.0f}/s {rate / limit[q, op]:5.2f}x"

    width = max(len(row[0]) for row in rows)
    print(f"\n{count} VM tap ports on a bridge, created (tap + master + up) then deleted, one run.")
    print("ports/second, and the ratio to the raw limit (the fastest (c) of the column):\n")
    print(f"{'':{width}}  {'1 queue':^36}  {'4 queues':^36}")
    print(f"{'':{width}}  {'create':^17}  {'delete':^17}  {'create':^17}  {'delete':^17}")
    for row in rows:
        print(f"{row[0]:{width}}  " + "  ".join(cell(row, q, op) for q in QUEUES for op in (0, 1)))
    print()
    for row in rows:
        if row[1] is None:
            continue
        parts = []
        for q in QUEUES:
            c, d = results[row, q]
            parts.append(f"{q}q create {count / c / limit[q, 0]:.2f}x, delete {count / d / limit[q, 1]:.2f}x")
        print(f"  {row[1]} / raw = " + "; ".join(parts))
    print("\nseconds (create / delete):")
    for row in rows:
        print(f"  {row[0]:{width}}  " + "   ".join(
            f"{q}q {results[row, q][0]:7.3f} / {results[row, q][1]:7.3f}" if (row, q) in results else f"{q}q {'-':>17}"
            for q in QUEUES))


def main():
    args = benchlib.parse_args(__doc__, 1000, lambda p: p.add_argument(
        "--batch-size", type=int, default=0, help="ports per CreatePorts call (0: all in one call)"))
    batch_size = args.batch_size
    count = args.count
    raw_taps = args.build_dir / "bench" / "raw_taps"
    dbus_ports = args.build_dir / "bench" / "bench_dbus_ports"
    from harness import Host  # noqa: E402  (needs HOSTNET_BUILD_DIR first)

    results = {}
    ns = "hnbench-" + secrets.token_hex(4)
    host = None
    started = time.perf_counter()
    try:
        run(["ip", "netns", "add", ns])
        run(["ip", "-n", ns, "link", "add", BRIDGE, "type", "bridge"])
        run(["ip", "-n", ns, "link", "set", BRIDGE, "up"])
        for q in QUEUES:
            print(f"{q} queue(s): (a) sh loop ...", flush=True)
            results[SH, q] = sh_loop(ns, count, q)
            print(f"{q} queue(s): (b) ip -batch ...", flush=True)
            results[BATCH, q] = ip_batch(ns, count, q)
            print(f"{q} queue(s): (c) raw_taps ...", flush=True)
            results[RAW_EACH, q] = raw(ns, raw_taps, count, q, by_group=False, root_qdisc=False)
            results[RAW_GROUP, q] = raw(ns, raw_taps, count, q, by_group=True, root_qdisc=False)
            if q > 1:  # deleting one by one costs the same with either qdisc: not measured twice
                results[RAW_QDISC, q] = raw(ns, raw_taps, count, q, by_group=True, root_qdisc=True)

        host = Host()
        host.ctl("net-define", host.write_xml("bench", NETWORK_XML))
        host.ctl("net-start", "bench")
        if hostnet_available(host, dbus_ports):
            batch = batch_size or count
            for q in QUEUES:
                print(f"{q} queue(s): (d) hostnet CreatePort ...", flush=True)
                results[HOSTNET, q] = hostnet_ports(host, dbus_ports, count, q, None)
                print(f"{q} queue(s): (e) hostnet CreatePorts ...", flush=True)
                results[HOSTNET_BATCH, q] = hostnet_ports(host, dbus_ports, count, q, batch)
            print(f"(e) sends {batch} ports per CreatePorts call")
        else:
            print("hostnet: port API not built yet")
    finally:
        if host is not None:
            host.close()
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    report(results, count)
    print(f"\n(total run {time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    main()

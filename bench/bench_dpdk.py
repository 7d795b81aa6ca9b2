#!/usr/bin/python3
"""Frames per second from one DPDK frontend to another through (a) OVS-DPDK over two vhost-user
ports and (b) the kernel bridge over two taps, the same generator both ways (dpdk-testpmd), 64-
and 1500-byte frames; then the cost of adding 1000 vhost-user ports vs 1000 tap ports to OVS. One
run, every part in namespaces of its own (harness.Host).

    sudo /usr/bin/python3 bench/bench_dpdk.py [--count 1000] [--window 5] [--build-dir build-bench]

Part 1, the paths. (a) is a hostnet network with <hostnet:backend name="ovs-dpdk"/> on the
harness's ovs-vswitchd-dpdk (no hugepages, PMD thread on core 1: pmd-cpu-mask=0x2), its ports made
with `hostnetctl port-create --kind vhost-user`; each frontend is testpmd's net_virtio_user on the
port's socket (server=1, as QEMU). (b) is a plain hostnet network (kernel bridge, libvirt XML, STP
on as by default) with two tap ports made with `hostnetctl port-create --queues 2`; each frontend
is testpmd's net_tap attached to one of those taps. Why these taps: net_tap always asks TUNSETIFF
for IFF_MULTI_QUEUE, and the kernel refuses (EINVAL) to attach that to a single-queue tap, which is
what hostnet makes for one queue; a multi-queue hostnet tap takes it (the bench shows the refusal
first, every run). net_tap then sets the tap's MAC to its own port's, which makes the bridge hold
the frontend's MAC as a local address of its own (frames to it go to the host, never to the port),
so once attached the bench puts hostnet's MAC back on the tap, as a VM's tap has it.

Frontends: dpdk-testpmd --lcores=0@0,1@0 (main and forwarding lcore on core 0), the same options
both ways (frame MACs 02:00:00:00:00:0a / :0b); the receiver sends one burst first so that both
switches learn where its MAC is. The harness's pmd-maxsleep=10000 is set to 0 here: with it the
PMD sleeps up to 10 ms whenever its queues run short, which they do each time the sender is off
the CPU (tried: the PMD then ran 27% of the time). Frames are counted by the switch, live, over
the same window (--window seconds after 2 s of warm-up) both ways: for vhost-user ports
`ovs-ofctl dump-ports` (rx of the sender's port; tx of the receiver's port, frames put in its
vring, and tx drop, frames that found it full), for taps the kernel's link counters (rx_packets
of the sender's tap; tx_packets of the receiver's, frames it read, and tx_dropped, a full queue).
testpmd's own periodic statistics are no clock here: its main lcore shares core 0 with the busy
pollers (one trial printed 3 of 10). Frame sizes are testpmd's --txpkts (without the FCS).

Two ways to drive the path, each reported with its ratio:
 - "two frontends": testpmd txonly on port A, rxonly on port B, two processes (two VMs), as the
   issue asks. Here both busy pollers share core 0 and take turns (scheduler slices), so while the
   receiver is off the CPU its ring fills and the switch drops the rest: the delivered rate is
   mostly how many frames the receiver's ring holds times how often it gets the CPU, not what the
   switch can do. Reported as measured, with the sender's rate and the share lost.
 - "one frontend, both ports": one testpmd process with ports A and B on one forwarding lcore
   (core 0), mac forwarding, 7 bursts of 32 frames put in a loop that crosses the switch one way
   only (A -> switch -> B, testpmd sends what B received out of A again; what B itself sends goes
   to its own MAC and the switch drops it). Nothing waits for the scheduler, so this is the
   switch's rate with the frontend work on core 0: OVS-DPDK forwards on core 1, the kernel bridge
   forwards inside testpmd's writev on core 0 (core 1 is free for it but unused).

What the kernel path costs here is not the bridge alone (perf, one trial): net_tap reads a queue
only after a SIGIO (it sets O_ASYNC on its tap fds), so the kernel signals the process for every
frame: kill_fasync ~15% of core 0, the signal's delivery, return and the wakeups it causes another
~25-30%. This kernel builds br_netfilter in (net.bridge.bridge-nf-call-iptables=1 in every
namespace, printed), so bridged frames also pass netfilter's hooks; with them off the loop went
from ~62k to ~91k frames/s in one trial. A VM on a tap is served by vhost-net instead, which does
neither; net_tap is what testpmd offers on a tap.

Part 2, 1000 ports (--count) on a fresh host each, wall time: one `Network.CreatePorts` D-Bus call
(as bench_ovs_ports.py does) with kind=vhost-user on an ovs-dpdk network; the same with taps on a
plain ovs network (same ovs-vswitchd-dpdk, userspace datapath); and what users use today, one
`ovs-vsctl` call adding 1000 `dpdkvhostuserclient` interfaces with vhost-server-path. Each call
returns once vswitchd took every port. Checked afterwards: all ports in OVSDB with an ofport and no
error (and in hostnet's port list, each vhost-user socket directory made); hostnet's networks are
destroyed (the socket directories must go with them). The ovs-vsctl bridge is left to the host's
teardown: deleting 1000 vhost-user ports keeps vswitchd busy for ~50 s here (tried).

This machine has 2 cores and may be shared: the busy columns give each core's use over the window
from /proc/stat, whoever used it."""

import glob
import json
import re
import shutil
import subprocess
import time

import benchlib

SIZES = (64, 1500)
MAC_A, MAC_B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
WARMUP = 2.0
LOOP_BURSTS = 7  # frames in the loop: 7 bursts of 32, below a 256-descriptor vring
CORES = ("testpmd --lcores=0@0,1@0 (main and forwarding lcore on core 0) for every frontend; "
         "OVS-DPDK: PMD thread on core 1 (pmd-cpu-mask=0x2, pmd-maxsleep=0), its other threads on core 0 "
         "(dpdk-lcore-mask=0x1); kernel bridge: inside the sender's writev on core 0")

OVS_DPDK_NET = """<network>
  <name>{name}</name>
  <metadata>
    <hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
      <hostnet:backend name="ovs-dpdk"/>
    </hostnet:network>
  </metadata>
  <bridge name='{bridge}'/>
</network>
"""
OVS_NET = "<network><name>{name}</name><bridge name='{bridge}'/><virtualport type='openvswitch'/></network>"
BRIDGE_NET = "<network><name>{name}</name><bridge name='{bridge}'/></network>"


def cpu_times():
    times = {}
    with open("/proc/stat") as stat:
        lines = stat.read().splitlines()
    for line in lines:
        if line.startswith("cpu") and line[3].isdigit():
            name, *fields = line.split()
            values = list(map(int, fields))
            times[name] = (sum(values) - values[3] - values[4], sum(values))  # busy (not idle/iowait), all
    return times


def busy(before, after):
    return {c: (after[c][0] - before[c][0]) / max(1, after[c][1] - before[c][1]) for c in before}


class Failed(Exception):
    """A path or frame size that does not work, with why."""


def tail(text, lines=6):
    interesting = [line for line in text.splitlines() if re.search(r"error|fail|unable|cannot|invalid", line, re.I)]
    return " | ".join((interesting or text.splitlines())[-lines:])


class OvsDpdkPath:
    label = "OVS-DPDK, 2 vhost-user ports"

    def __init__(self, host, run):
        self.host, self.run = host, run
        host.ovs.vsctl("set", "Open_vSwitch", ".", "other_config:pmd-maxsleep=0")
        host.ctl("net-create", host.write_xml("dpdkb", OVS_DPDK_NET.format(name="dpdkb", bridge="hnbdpdk")))
        self.ports = [json.loads(host.ctl("port-create", "dpdkb", "--kind", "vhost-user", "--name", name,
                                          "--json").stdout) for name in ("vua", "vub")]
        self.note = None

    def vdev(self, port, index, mac):
        return f"net_virtio_user{index},path={self.ports[port]['socket']},server=1,queues=1,mac={mac}"

    def interface(self, name, column):
        return self.host.ovs.vsctl("get", "Interface", name, column).strip()

    def ready(self, frontends):
        def connected():
            for fe in frontends:
                if fe.proc.poll() is not None:
                    raise Failed("testpmd exited: " + tail(fe.proc.stdout.read()))
            return all("status=connected" in self.interface(p["name"], "status") for p in self.ports)
        try:
            self.host._wait(connected, "OVS to connect to both frontends", timeout=30)
        except AssertionError as e:
            raise Failed(str(e)) from None

    def counters(self):
        out = {}
        for port in self.ports:
            text = self.run(["ip", "netns", "exec", self.host.ns, "ovs-ofctl", "dump-ports",
                             f"unix:{self.host.ovs.dir}/run/hnbdpdk.mgmt", port["name"]], env=self.host.ovs.env).stdout
            m = re.search(r"rx pkts=(\d+).*?tx pkts=(\d+), bytes=\d+, drop=(\d+)", text, re.S)
            out[port["name"]] = tuple(map(int, m.groups()))
        return {"sent": out["vua"][0], "delivered": out["vub"][1], "dropped": out["vub"][2]}

    def learned(self):
        text = self.run(["ip", "netns", "exec", self.host.ns, "ovs-appctl", f"--target={self.host.ovs.dir}/run/vswitchd.ctl",
                         "fdb/show", "hnbdpdk"], env=self.host.ovs.env).stdout
        return MAC_B in text


class KernelPath:
    label = "kernel bridge, 2 taps (net_tap)"

    def __init__(self, host, run, prefix):
        self.host, self.run = host, run
        host.ctl("net-create", host.write_xml("kbr", BRIDGE_NET.format(name="kbr", bridge="hnbkbr")))
        # net_tap on a single-queue hostnet tap: refused, and why.
        host.ctl("port-create", "kbr", "--name", "tsq")
        from dpdk_frontend import Frontend
        probe = Frontend(host, None, "rxonly", vdevs=["net_tap0,iface=tsq"], prefix=f"{prefix}-probe", interactive=True)
        probe.stop()
        out = probe.output
        refused = re.search(r"Unable to set TUNSETIFF for tsq: ([^\n]*)", out)
        self.note = ("net_tap on a single-queue hostnet tap: " +
                     (f"refused (TUNSETIFF: {refused.group(1)}; net_tap asks IFF_MULTI_QUEUE)" if refused
                      else "attached?! " + tail(out)) + "; the bench uses taps made with --queues 2")
        host.ctl("port-delete", "tsq")
        nf = run(["ip", "netns", "exec", host.ns, "sysctl", "-n", "net.bridge.bridge-nf-call-iptables"], check=False)
        self.note += ("; net.bridge.bridge-nf-call-iptables=" + nf.stdout.strip() +
                      " in the namespace (1: bridged frames pass netfilter's hooks, br_netfilter)" if nf.returncode == 0
                      else "; no br_netfilter")
        self.ports = [json.loads(host.ctl("port-create", "kbr", "--name", name, "--queues", "2", "--json").stdout)
                      for name in ("tapa", "tapb")]
        self.macs = {p["name"]: host.link(p["name"])["address"] for p in self.ports}

    def vdev(self, port, index, mac):
        return f"net_tap{index},iface={self.ports[port]['name']},mac={mac}"

    def ready(self, frontends):
        own = {"tapa": MAC_A, "tapb": MAC_B}  # what net_tap sets: its port's MAC

        def attached():
            for fe in frontends:
                if fe.proc.poll() is not None:
                    raise Failed("testpmd exited: " + tail(fe.proc.stdout.read()))
            links = {name: self.host.link(name) for name in own}
            return all("LOWER_UP" in links[n]["flags"] and links[n]["address"] == mac for n, mac in own.items())
        try:
            self.host._wait(attached, "net_tap to attach to both taps", timeout=30)
            time.sleep(1)  # testpmd is done setting up its ports
            for name, mac in self.macs.items():
                self.run(["ip", "-n", self.host.ns, "link", "set", "dev", name, "address", mac])
            self.host._wait(lambda: all(
                "state forwarding" in self.run(["bridge", "-n", self.host.ns, "link", "show", "dev", p["name"]]).stdout
                for p in self.ports), "both taps to forward (STP)", timeout=30)
        except AssertionError as e:
            raise Failed(str(e)) from None
        changed = {n: self.host.link(n)["address"] for n, mac in self.macs.items() if self.host.link(n)["address"] != mac}
        if changed:
            raise Failed(f"the taps' MACs changed again after they were put back: {changed}")

    def counters(self):
        links = {link["ifname"]: link["stats64"] for link in
                 json.loads(self.run(["ip", "-n", self.host.ns, "-j", "-s", "link", "show"]).stdout)}
        return {"sent": links["tapa"]["rx"]["packets"], "delivered": links["tapb"]["tx"]["packets"],
                "dropped": links["tapb"]["tx"]["dropped"]}

    def learned(self):
        text = self.run(["bridge", "-n", self.host.ns, "fdb", "show", "br", "hnbkbr"]).stdout
        return any(MAC_B in line and "dev tapb" in line and "permanent" not in line for line in text.splitlines())


def measure(path, way, size, window, prefix):
    """One window: frames/s the switch took from the sender and delivered to the receiver."""
    from dpdk_frontend import Frontend
    host = path.host
    frontends = []
    try:
        if way == "two":
            rx = Frontend(host, None, "rxonly", vdevs=[path.vdev(1, 0, MAC_B)], prefix=f"{prefix}-rx", interactive=True)
            frontends.append(rx)
            tx = Frontend(host, None, "txonly", vdevs=[path.vdev(0, 0, MAC_A)], prefix=f"{prefix}-tx", interactive=True,
                          args=[f"--txpkts={size}", f"--eth-peer=0,{MAC_B}"])
            frontends.append(tx)
            path.ready(frontends)
            rx.send("start tx_first")  # one burst from the receiver: the switch learns its MAC
            time.sleep(0.5)
            tx.send("start")
        else:
            fe = Frontend(host, None, "mac", vdevs=[path.vdev(0, 0, MAC_A), path.vdev(1, 1, MAC_B)], prefix=f"{prefix}-loop",
                          interactive=True, args=[f"--txpkts={size}", f"--eth-peer=0,{MAC_B}", f"--eth-peer=1,{MAC_B}"])
            frontends.append(fe)
            path.ready(frontends)
            fe.send(f"start tx_first {LOOP_BURSTS}")
        time.sleep(WARMUP)
        c0, cpu0, t0 = path.counters(), cpu_times(), time.monotonic()
        time.sleep(window)
        c1, cpu1, t1 = path.counters(), cpu_times(), time.monotonic()
        learned = path.learned()
    finally:
        stats = [fe.stop() for fe in frontends]
    seconds = t1 - t0
    result = {k: (c1[k] - c0[k]) / seconds for k in c0}
    result["busy"] = busy(cpu0, cpu1)
    result["learned"] = learned
    result["testpmd"] = stats
    if result["delivered"] < 100:  # a BPDU or an IPv6 announcement is not traffic
        raise Failed(f"no frames delivered in {window} s (sent {result['sent']:.0f}/s, dropped {result['dropped']:.0f}/s); "
                     "testpmd: " + tail(frontends[-1].output))
    return result


def part_paths(args, Host, run):
    results = {}
    notes = []
    for key, make in (("ovs", lambda h: OvsDpdkPath(h, run)), ("kernel", lambda h: KernelPath(h, run, prefix(h, key)))):
        host = Host(dpdk="init") if key == "ovs" else Host()
        try:
            path = make(host)
            if path.note:
                notes.append(path.note)
            for way in ("two", "one"):
                for size in SIZES:
                    try:
                        results[key, way, size] = measure(path, way, size, args.window, prefix(host, f"{way}{size}"))
                    except Failed as e:
                        results[key, way, size] = str(e)
                    r = results[key, way, size]
                    print(f"  {path.label}, {way} frontend(s), {size} B: " +
                          (f"{r['delivered']:.0f}/s delivered" if isinstance(r, dict) else f"failed: {r}"), flush=True)
            results[key] = path.label
        finally:
            host.close()
            for d in glob.glob(f"/var/run/dpdk/hnfe-{host.ns}-*"):
                shutil.rmtree(d, ignore_errors=True)
    return results, notes


def prefix(host, what):
    # hnfe-<ns>-...: the EAL runtime directories the OVS-DPDK tests' close() also removes
    return f"hnfe-{host.ns}-bench-{what}"


def vsctl_json(host, *args):
    return json.loads(host.ovs.vsctl("--format=json", *args))


def check_ovs_ports(host, bridge, names):
    """All `names` are ports of `bridge` with an ofport and no error."""
    ports = set(host.ovs.vsctl("list-ports", bridge).split())
    missing = set(names) - ports
    assert not missing, f"{len(missing)} ports missing from {bridge}, e.g. {sorted(missing)[:3]}"
    rows = vsctl_json(host, "--columns=name,ofport,error", "list", "Interface")["data"]
    bad = [r for r in rows if r[0] in ports and (not isinstance(r[1], int) or r[1] <= 0 or r[2] not in ("", ["set", []]))]
    assert not bad, f"{len(bad)} interfaces without an ofport or with an error, e.g. {bad[:3]}"


def hostnet_create_ports(Host, n, kind):
    import dbus  # noqa: E402
    host = Host(dpdk="init")
    try:
        xml = (OVS_DPDK_NET if kind == "vhost-user" else OVS_NET).format(name="many", bridge="hnbmany")
        host.ctl("net-create", host.write_xml("many", xml))
        bus = dbus.bus.BusConnection(host.bus_address)
        net = bus.get_object("org.hostnet1", "/org/hostnet1/network/many")
        names = [f"m{i}" for i in range(n)]
        options = [{"name": name, "kind": kind} for name in names]
        start = time.perf_counter()
        paths = net.CreatePorts(options, dbus_interface="org.hostnet1.Network", timeout=1800)
        elapsed = time.perf_counter() - start
        assert len(paths) == n, f"CreatePorts returned {len(paths)} ports"
        check_ovs_ports(host, "hnbmany", names)
        listed = [p for p in json.loads(host.ctl("port-list", "--json").stdout) if p["network"] == "many"]
        assert len(listed) == n, f"hostnet lists {len(listed)} ports"
        if kind == "vhost-user":
            dirs = glob.glob(f"{host.state_dir}/vhost-user/*")
            assert len(dirs) == n, f"{len(dirs)} vhost-user socket directories"
        host.ctl("net-destroy", "many")
        if kind == "vhost-user":
            left = glob.glob(f"{host.state_dir}/vhost-user/*")
            assert not left, f"{len(left)} socket directories left after net-destroy"
        return elapsed
    finally:
        host.close()


def vsctl_vhost_ports(Host, n):
    host = Host(dpdk="init")
    try:
        host.ovs.vsctl("add-br", "hnbvs", "--", "set", "Bridge", "hnbvs", "datapath_type=netdev")
        sockets = host.tmp / "vhost"
        sockets.mkdir()
        names = [f"v{i}" for i in range(n)]
        clauses = [a for name in names for a in ("--", "add-port", "hnbvs", name, "--", "set", "Interface", name,
                                                 "type=dpdkvhostuserclient", f"options:vhost-server-path={sockets}/{name}.sock")]
        cmd = ["ip", "netns", "exec", host.ns, "ovs-vsctl", f"--db=unix:{host.ovs.socket}", "--timeout=1800", *clauses]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        check_ovs_ports(host, "hnbvs", names)
        return elapsed
    finally:
        host.close()  # vswitchd goes without deleting the ports one by one (~50 s)


def rate(r):
    return f"{r['delivered'] / 1e6:7.3f} Mpps" if isinstance(r, dict) else "   failed  "


def main():
    args = benchlib.parse_args(__doc__, 1000, extra=lambda p: p.add_argument("--window", type=float, default=5.0))
    from harness import Host, run  # noqa: E402
    n = args.count

    print("part 1: frames from one frontend to another", flush=True)
    results, notes = part_paths(args, Host, run)
    print("part 2: adding ports", flush=True)
    ports = {}
    for key, fn in (("hostnet_vhost", lambda: hostnet_create_ports(Host, n, "vhost-user")),
                    ("hostnet_tap", lambda: hostnet_create_ports(Host, n, "tap")),
                    ("vsctl_vhost", lambda: vsctl_vhost_ports(Host, n))):
        ports[key] = fn()
        print(f"  {key}: {ports[key]:.2f} s", flush=True)

    print()
    print(f"Frames through the switch, {args.window:g} s window after {WARMUP:g} s warm-up, counted by the switch "
          "(ovs-ofctl dump-ports / the taps' kernel counters), one run:")
    print(f"  cores: {CORES}")
    for note in notes:
        print(f"  {note}")
    headers = {"two": "two frontends: testpmd txonly on port A -> rxonly on port B (two processes, both on core 0)",
               "one": f"one frontend, both ports: testpmd mac forwarding on one lcore (core 0), {LOOP_BURSTS}x32 frames "
                      "looping A -> switch -> B"}
    for way in ("two", "one"):
        print(f"  {headers[way]}:")
        print(f"    {'path':34} {'frame':>6} {'delivered':>12} {'sent':>12} {'lost':>6}   busy core0 core1  MAC learned")
        for key in ("ovs", "kernel"):
            for size in SIZES:
                r = results[key, way, size]
                label = results.get(key, key)
                if not isinstance(r, dict):
                    print(f"    {label:34} {size:>4} B  failed: {r}")
                    continue
                lost = r["dropped"] / max(1.0, r["delivered"] + r["dropped"])
                print(f"    {label:34} {size:>4} B {r['delivered'] / 1e6:8.3f} Mpps {r['sent'] / 1e6:8.3f} Mpps {lost:6.1%}"
                      f"        {r['busy']['cpu0']:4.0%}  {r['busy']['cpu1']:4.0%}  {'yes' if r['learned'] else 'no'}")
        line = []
        for size in SIZES:
            o, k = results["ovs", way, size], results["kernel", way, size]
            if isinstance(o, dict) and isinstance(k, dict):
                line.append(f"{size} B {o['delivered'] / k['delivered']:.1f}x")
            else:
                line.append(f"{size} B: no ratio (a path failed)")
        print(f"    OVS-DPDK / kernel bridge (delivered): {', '.join(line)}")

    print(f"{n} ports added in one call, wall time (each returns when vswitchd took every port), one run:")
    print(f"  hostnet Network.CreatePorts, kind=vhost-user, ovs-dpdk network  {ports['hostnet_vhost']:7.2f} s")
    print(f"  hostnet Network.CreatePorts, taps, plain ovs network            {ports['hostnet_tap']:7.2f} s")
    print(f"  one ovs-vsctl call, {n} dpdkvhostuserclient interfaces          {ports['vsctl_vhost']:7.2f} s")
    print(f"  ratios: vhost-user / tap (hostnet) {ports['hostnet_vhost'] / ports['hostnet_tap']:.1f}x, "
          f"ovs-vsctl / hostnet (vhost-user) {ports['vsctl_vhost'] / ports['hostnet_vhost']:.2f}x")


if __name__ == "__main__":
    main()

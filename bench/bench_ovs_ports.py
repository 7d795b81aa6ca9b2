#!/usr/bin/python3
"""Adding (and removing) 1000 ports to an Open vSwitch bridge: hostnet over D-Bus (OVSDB
transactions of its own) against a loop of `ovs-vsctl add-port` and against one `ovs-vsctl` call
with 1000 `-- add-port` clauses, in one run, on one ovsdb-server + ovs-vswitchd (userspace
datapath) in a namespace of its own.

    sudo /usr/bin/python3 bench/bench_ovs_ports.py [--count 1000] [--build-dir build-bench]

The ovs-vsctl ways add taps made beforehand (not timed); hostnet's CreatePort makes the tap too
(TUNSETIFF, settings, up: ~0.5-1 ms of kernel work per port), so its times include more work.
Each way starts from a bridge with no ports. Reported: total, the cost of the first and of the
last ten ports (medians), and ratios."""

import statistics
import subprocess
import time

import benchlib

WINDOW = 32  # CreatePort calls outstanding at once in (e)


def ms(seconds):
    return f"{seconds * 1000:7.2f} ms"


def per_port_line(name, times):
    first, last = statistics.median(times[:10]), statistics.median(times[-10:])
    return (f"  {name:44} total {sum(times):7.2f} s   first ten {ms(first)}   last ten {ms(last)}   "
            f"last/first {last / first:.2f}")


def main():
    args = benchlib.parse_args(__doc__, 1000)
    n = args.count
    from harness import Host, run  # noqa: E402
    import dbus  # noqa: E402

    host = Host(ovs=True)
    results = {}
    try:
        vsctl = ["ip", "netns", "exec", host.ns, "ovs-vsctl", f"--db=unix:{host.ovs.socket}", "--timeout=600"]
        host.ovs.vsctl("add-br", "benchbr", "--", "set", "Bridge", "benchbr", "datapath_type=netdev")
        batch = "".join(f"tuntap add dev t{i} mode tap vnet_hdr\nlink set t{i} up\n" for i in range(n))
        run(["ip", "-n", host.ns, "-batch", "-"], input=batch)

        # (a) a loop of ovs-vsctl add-port, timing each call
        times = []
        for i in range(n):
            start = time.perf_counter()
            subprocess.run([*vsctl, "add-port", "benchbr", f"t{i}"], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        results["loop_add"] = times
        print(f"ovs-vsctl loop: {sum(times):.2f} s", flush=True)
        start = time.perf_counter()
        for i in range(n):
            subprocess.run([*vsctl, "del-port", "benchbr", f"t{i}"], check=True, capture_output=True)
        results["loop_del"] = time.perf_counter() - start

        # (b) one ovs-vsctl call with n add-port clauses
        clauses = [a for i in range(n) for a in ("--", "add-port", "benchbr", f"t{i}")]
        start = time.perf_counter()
        subprocess.run([*vsctl, *clauses], check=True, capture_output=True)
        results["one_add"] = time.perf_counter() - start
        assert len(host.ovs.vsctl("list-ports", "benchbr").split()) == n
        clauses = [a for i in range(n) for a in ("--", "del-port", "benchbr", f"t{i}")]
        start = time.perf_counter()
        subprocess.run([*vsctl, *clauses], check=True, capture_output=True)
        results["one_del"] = time.perf_counter() - start
        host.ovs.vsctl("del-br", "benchbr")
        run(["ip", "-n", host.ns, "-batch", "-"], input="".join(f"link del t{i}\n" for i in range(n)))

        # (c) hostnet, one CreatePort call per port (tap + OVSDB), timing each call
        xml = ("<network><name>bench</name><bridge name='hnovsb'/><virtualport type='openvswitch'/>"
               "<ip address='10.220.0.1' prefix='24'/></network>")
        host.ctl("net-define", host.write_xml("bench", xml))
        host.ctl("net-start", "bench")
        bus = dbus.bus.BusConnection(host.bus_address)
        net = bus.get_object("org.hostnet1", "/org/hostnet1/network/bench")
        times = []
        for i in range(n):
            start = time.perf_counter()
            net.CreatePort({"name": f"h{i}"}, dbus_interface="org.hostnet1.Network")
            times.append(time.perf_counter() - start)
        results["hostnet_add"] = times
        print(f"hostnet per port: {sum(times):.2f} s", flush=True)
        assert len(host.ovs.vsctl("list-ports", "hnovsb").split()) == n
        start = time.perf_counter()
        host.ctl("net-destroy", "bench")
        results["hostnet_stop"] = time.perf_counter() - start

        # (d) hostnet, one CreatePorts call for all
        host.ctl("net-start", "bench")
        start = time.perf_counter()
        net.CreatePorts([{"name": f"h{i}"} for i in range(n)], dbus_interface="org.hostnet1.Network", timeout=600)
        results["hostnet_batch"] = time.perf_counter() - start
        assert len(host.ovs.vsctl("list-ports", "hnovsb").split()) == n
        start = time.perf_counter()
        host.ctl("net-destroy", "bench")
        results["hostnet_batch_stop"] = time.perf_counter() - start

        # (e) hostnet, one CreatePort call per port with WINDOW calls outstanding (VMs starting at
        # once): hostnetd answers each when vswitchd took its port, and vswitchd takes all the
        # ports committed meanwhile in one reconfiguration.
        host.ctl("net-start", "bench")
        tool = args.build_dir / "bench" / "bench_dbus_ports"
        out = subprocess.run([str(tool), "inflight", "bench", str(n), "1", str(WINDOW)], env=host.env, check=True,
                             capture_output=True, text=True, timeout=1800).stdout.split("\n")
        results["hostnet_inflight"] = float(out[0])
        results["hostnet_inflight_calls"] = [float(line.split("\t")[1]) for line in out[1:] if line]
        assert len(host.ovs.vsctl("list-ports", "hnovsb").split()) == n
        host.ctl("net-destroy", "bench")
    finally:
        host.close()

    loop = sum(results["loop_add"])
    print(f"{n} ports added to an Open vSwitch bridge (userspace datapath), one run:")
    print(per_port_line("ovs-vsctl add-port, one call per port", results["loop_add"]))
    print(f"  {'one ovs-vsctl call with all add-port clauses':44} total {results['one_add']:7.2f} s")
    print(per_port_line("hostnet CreatePort (tap + OVSDB), per port", results["hostnet_add"]))
    print(f"  {'hostnet CreatePorts, one call':44} total {results['hostnet_batch']:7.2f} s")
    calls = results["hostnet_inflight_calls"]
    print(f"  {f'hostnet CreatePort, {WINDOW} calls in flight':44} total {results['hostnet_inflight']:7.2f} s   "
          f"call latency first ten {ms(statistics.median(calls[:10]))}   last ten {ms(statistics.median(calls[-10:]))}   "
          f"per port {ms(results['hostnet_inflight'] / n)}")
    print("ratios (ovs-vsctl loop time / other time, above 1: faster than the loop):")
    print(f"  one ovs-vsctl call {loop / results['one_add']:.1f}x, hostnet per port "
          f"{loop / sum(results['hostnet_add']):.1f}x, hostnet batch {loop / results['hostnet_batch']:.1f}x, "
          f"hostnet {WINDOW} in flight {loop / results['hostnet_inflight']:.1f}x")
    print("removing them:")
    print(f"  ovs-vsctl del-port loop {results['loop_del']:.2f} s, one ovs-vsctl call {results['one_del']:.2f} s, "
          f"hostnet net-destroy (ports, taps and bridge) {results['hostnet_stop']:.2f} s / "
          f"{results['hostnet_batch_stop']:.2f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""How long hostnet takes to undo faults in the parts it drives (issue 13 part 6), each one done
--count times to a running network, in one run: a VM's DHCP lease, its port and its NAT rules
are checked after every round.

- dnsmasq killed (SIGKILL): until a new dnsmasq listens on the DHCP port again; the VM's lease
  is still in `net-dhcp-leases` and a renewal gets the same address.
- `nft flush ruleset`: until hostnet's table and the network's NAT chain are back.
- the bridge deleted (`ip link del`): until it exists again with its address and the VM's tap
  port is plugged into it.
- on Open vSwitch: ovsdb-server killed and started again (until hostnetd is connected and a port
  can be made), ovs-vswitchd restarted (until the bridge's address is back on its new device), a
  port's row deleted (until it is on the bridge again).

    sudo /usr/bin/python3 bench/bench_faults.py [--count 10] [--build-dir build-bench]   # ~4 minutes

Times are polled every 5 ms (each look costs an `ip`/`nft`/`ovs-vsctl` run of a few ms), so they
are upper bounds. Medians and maxima are printed and go to docs/reliability.md."""

import json
import os
import signal
import statistics
import time

import benchlib

NAT = """<network><name>default</name><forward mode='nat'/><bridge name='virbr0'/>
  <ip address='192.168.122.1' prefix='24'><dhcp><range start='192.168.122.100' end='192.168.122.199'/></dhcp></ip>
</network>"""
OVS = """<network><name>ovsnet</name><forward mode='nat'/><bridge name='hnovs0'/><virtualport type='openvswitch'/>
  <ip address='10.81.0.1' prefix='24'/></network>"""


def until(predicate, timeout=30.0):
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError("not repaired within %.0f s" % timeout)
        time.sleep(0.005)
    return time.monotonic() - start


def line(name, times):
    ms = [t * 1000 for t in times]
    return f"  {name:52} median {statistics.median(ms):7.1f} ms   max {max(ms):7.1f} ms   ({len(ms)} rounds)"


def dnsmasq_pid(host, network):
    try:
        pid = int((host.state_dir / "dnsmasq" / f"{network}.pid").read_text().split()[0])
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError, IndexError):
        return None


def listening_on_67(host):
    return ":67 " in host.sh("ss -uln").stdout


def kernel_faults(args, results):
    from harness import Host, Topology, run
    from test_dhcp_dns import dhcp_client
    host = Host()
    try:
        host.ctl("net-create", host.write_xml("default", NAT))
        topo = Topology(host)
        vm = topo.vm("vm", "virbr0", mac="52:54:00:aa:bb:02")
        ip = dhcp_client(host, vm)
        results["dnsmasq"], results["flush"], results["bridge"] = [], [], []
        for _ in range(args.count):
            # Spaced past dnsmasq's healthy window (10 s): each kill is a first crash, restarted
            # after 0.2 s; kills in a row back off (0.2, 0.4, 0.8 ... 10 s), as a crash loop should.
            time.sleep(10.5)
            old = dnsmasq_pid(host, "default")
            os.kill(old, signal.SIGKILL)
            results["dnsmasq"].append(until(lambda: dnsmasq_pid(host, "default") not in (None, old) and listening_on_67(host)))
            leases = json.loads(host.ctl("net-dhcp-leases", "default", "--json").stdout)
            assert [l["ip"] for l in leases if l["mac"] == "52:54:00:aa:bb:02"] == [ip], leases
        run(["ip", "-n", vm, "addr", "flush", "dev", "eth0"])
        assert dhcp_client(host, vm) == ip, "a renewal after the kills gets the same address"

        for _ in range(args.count):
            host.sh("nft flush ruleset")
            results["flush"].append(until(lambda: "br-virbr0-nat" in host.sh("nft list ruleset").stdout))

        # The VM's port is a hostnet tap here, so that re-plugging is part of what is timed.
        host.ctl("port-create", "default", "--name", "vmtap")
        for _ in range(args.count):
            host.sh("ip link del virbr0")
            results["bridge"].append(until(lambda: "192.168.122.1/24" in _addresses(host, "virbr0")
                                           and (host.link("vmtap") or {}).get("master") == "virbr0"))
    finally:
        host.close()


def _addresses(host, name):
    try:
        return host.addresses(name)
    except (AssertionError, IndexError):
        return []


def ovs_available(host):
    out = host.sh(f"busctl --address={host.bus_address} get-property org.hostnet1 /org/hostnet1 "
                  "org.hostnet1.Manager Backends --json=short", check=False).stdout
    return bool(out) and json.loads(out)["data"]["ovs"]["Available"]["data"]


def ovs_faults(args, results):
    from harness import Host
    host = Host(ovs=True)
    try:
        host.ctl("net-create", host.write_xml("ovsnet", OVS))
        host.ctl("port-create", "ovsnet", "--name", "keep")
        results["ovsdb"], results["ovsdb_port"], results["vswitchd"], results["row"] = [], [], [], []
        for i in range(args.count):
            host.ovs.kill_server()
            start = time.monotonic()
            host.ovs.start_server()
            until(lambda: ovs_available(host))
            results["ovsdb"].append(time.monotonic() - start)
            # ovs-vswitchd lost the server too and comes back at its own backoff (1, 2, 4, 8 s):
            # a port is taken only then.
            until(lambda: host.ctl("port-create", "ovsnet", "--name", f"after{i}", check=False).returncode == 0)
            results["ovsdb_port"].append(time.monotonic() - start)
        for _ in range(args.count):
            start = time.monotonic()
            host.ovs.restart_vswitchd()
            until(lambda: "10.81.0.1/24" in _addresses(host, "hnovs0"))
            results["vswitchd"].append(time.monotonic() - start)
        for _ in range(args.count):
            host.ovs.vsctl("del-port", "hnovs0", "keep")
            results["row"].append(until(lambda: "keep" in host.ovs.vsctl("list-ports", "hnovs0").split()))
        names = json.loads(host.ovs.vsctl("--columns=name", "--format=json", "list", "Port"))["data"]
        assert len(names) == len({n[0] for n in names}), "duplicate Port rows"
    finally:
        host.close()


def main():
    args = benchlib.parse_args(__doc__, 10)
    results = {}
    kernel_faults(args, results)
    ovs_faults(args, results)
    print("time to repair (polled every 5 ms):")
    print(line("dnsmasq killed -> a new one listening, lease kept", results["dnsmasq"]))
    print(line("nft flush ruleset -> hostnet's rules back", results["flush"]))
    print(line("bridge deleted -> back with address, tap re-plugged", results["bridge"]))
    print(line("ovsdb-server killed, started -> hostnetd reconnected", results["ovsdb"]))
    print(line("  ... -> a port made (vswitchd back too)", results["ovsdb_port"]))
    print(line("ovs-vswitchd restarted -> bridge address back", results["vswitchd"]))
    print(line("OVS Port row deleted -> on the bridge again", results["row"]))


if __name__ == "__main__":
    main()

"""Crash consistency: port creates and deletes while hostnetd is killed (SIGKILL) at random
moments, then what a restarted hostnetd has is checked against what its callers were told.

After each restart, for every port name the churn used:
- a create that answered success and no delete after it that answered success: the port is
  listed, and its device exists, is up and is plugged into the switch (kernel bridge master, or
  an OVS Port row);
- a delete that answered success and no create after it that did: neither port nor device;
- a call cut off by the kill (no answer): either whole or absent, never half;
- no device named like a churn port without a port, no switch port (OVS row) without one, and
  no name twice.
With `vhost_user`, the ports are OVS-DPDK vhost-user ports: listed means on the switch as a
vhost-user interface (they have no kernel device).
With `networks`, network starts and stops (net-start / net-destroy of networks with DHCP) are
mixed in, and after each restart every network is checked the same way: answered as started, it
is active with its bridge, its nftables verdict-map element and a dnsmasq serving it; answered as
stopped, none of them is left; cut off, all or none.
Used by test_crash_consistency.py (a few rounds) and bench/bench_crash_churn.py (the issue's
20 rounds of 1000 calls), which print the counts."""

import json
import os
import random
import threading
import time


from harness import run


class Churn:
    def __init__(self, host, network, bridge, ovs=False, names=40, seed=1, networks=0, vhost_user=False):
        # vhost_user: the ports are OVS-DPDK vhost-user ports (an Interface row and the socket path
        # the VM's QEMU serves), which have no kernel device.
        self.host, self.network, self.bridge, self.ovs = host, network, bridge, ovs or vhost_user
        self.vhost_user = vhost_user
        self.names = [f"cc{i:03d}" for i in range(names)]
        self.random = random.Random(seed)
        self.said = {}  # name -> "present" | "absent" | "unknown", what the callers were last told
        self.call_seconds = 0.03  # a running mean of one call's time, where the kill is aimed
        self.counts = {"calls": 0, "succeeded": 0, "refused": 0, "cut off": 0, "kills": 0, "checks": 0}
        self.networks = [f"ccn{i}" for i in range(networks)]
        for i, name in enumerate(self.networks):
            host.ctl("net-define", host.write_xml(name, (
                f"<network><name>{name}</name><bridge name='hn{name}' stp='off'/>"
                f"<ip address='10.231.{i}.1' prefix='24'><dhcp><range start='10.231.{i}.10' end='10.231.{i}.50'/>"
                f"</dhcp></ip></network>")))
            self.said[name] = "absent"

    def call(self, verb, name):
        kind = ["--kind", "vhost-user"] if self.vhost_user else []
        args = {"create": ["port-create", self.network, "--name", name, *kind], "delete": ["port-delete", name],
                "start": ["net-start", name], "stop": ["net-destroy", name]}[verb]
        result = self.host.ctl(*args, check=False)
        self.counts["calls"] += 1
        if result.returncode == 0:
            self.counts["succeeded"] += 1
            self.said[name] = "present" if verb in ("create", "start") else "absent"
        elif "not found" in result.stderr or "exists" in result.stderr or "Conflict" in result.stderr:
            self.counts["refused"] += 1  # an answer: the state did not change
        else:
            self.counts["cut off"] += 1  # no answer (the daemon died under the call)
            self.said[name] = "unknown"

    def round(self, calls, kill_in_call):
        """`calls` creates/deletes of random names; hostnetd is killed at a random moment of call
        number `kill_in_call`. Counting calls rather than seconds keeps a round's length the same on
        a slow machine (an ASan build under load takes ~10x longer per call)."""
        killer = None
        try:
            for i in range(calls):
                if i == kill_in_call:
                    killer = threading.Timer(self.random.uniform(0, self.call_seconds),
                                             lambda: self.host.stop_daemon(kill9=True))
                    killer.start()
                began = time.monotonic()
                if self.networks and self.random.random() < 0.2:
                    name = self.random.choice(self.networks)
                    self.call("stop" if self.said.get(name) == "present" else "start", name)
                else:
                    name = self.random.choice(self.names)
                    self.call("delete" if self.said.get(name) == "present" and self.random.random() < 0.6 else "create", name)
                if killer is None:
                    self.call_seconds = 0.8 * self.call_seconds + 0.2 * (time.monotonic() - began)
                if self.host.daemon.poll() is not None:
                    break  # killed: the rest of the round's calls would only be refused
        finally:
            if killer is not None:
                killer.cancel()
                killer.join()
        if self.host.daemon.poll() is not None:
            self.counts["kills"] += 1
        self.host.stop_daemon(kill9=True)
        self.host.start_daemon()
        return self.check()

    def switch_ports(self):
        if self.ovs:
            return set(self.host.ovs.vsctl("list-ports", self.bridge).split())
        links = json.loads(run(["ip", "-n", self.host.ns, "-j", "link", "show", "master", self.bridge]).stdout)
        return {l["ifname"] for l in links}

    def check(self):
        """The problems found ([] when none); resolves "unknown" to what is there."""
        self.counts["checks"] += 1
        listed = [p["name"] for p in json.loads(self.host.ctl("port-list", "--json").stdout) if p["network"] == self.network]
        problems = [f"{n} listed twice" for n in set(listed) if listed.count(n) > 1]
        devices = {l["ifname"]: l for l in json.loads(run(["ip", "-n", self.host.ns, "-j", "link", "show"]).stdout)}
        plugged = self.switch_ports()
        for name in self.names:
            there = name in listed
            said = self.said.get(name, "absent")
            if said == "present" and not there:
                problems.append(f"{name}: created (success answered) but not there")
            if said == "absent" and there:
                problems.append(f"{name}: deleted (success answered) but still there")
            if there and self.vhost_user:
                if name not in plugged:
                    problems.append(f"{name}: listed but not on the switch")
                elif self.host.ovs.vsctl("get", "Interface", name, "type").strip() != "dpdkvhostuserclient":
                    problems.append(f"{name}: on the switch but not as a vhost-user interface")
            elif there:
                if name not in devices or "UP" not in devices[name]["flags"] or name not in plugged:
                    problems.append(f"{name}: listed but its device is missing, down or not plugged in")
            elif name in devices:
                problems.append(f"{name}: a device without a port")
            if name in plugged and not there:
                problems.append(f"{name}: on the switch without a port")
            self.said[name] = "present" if there else "absent"
        return problems + self.check_networks(devices)

    def dnsmasqs(self):
        """network name -> pids of the dnsmasq processes in the host's namespace serving it."""
        out = {}
        for pid in run(["ip", "netns", "pids", self.host.ns]).stdout.split():
            try:
                argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if not argv or os.path.basename(argv[0]) != b"dnsmasq":
                continue
            for name in self.networks:
                if any(name.encode() + b".conf" in a for a in argv):
                    out.setdefault(name, []).append(pid)
        return out

    def check_networks(self, devices):
        if not self.networks:
            return []
        problems = []
        listed = self.host.networks()
        elements = run(["ip", "netns", "exec", self.host.ns, "nft", "list", "map", "inet", "hostnet", "to_bridge"],
                       check=False).stdout
        # The restarted daemon starts each active network's dnsmasq again if it is gone: a moment.
        deadline = time.monotonic() + 5
        while True:
            served = self.dnsmasqs()
            if all(served.get(n) for n in self.networks if listed.get(n, {}).get("active")) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for name in self.networks:
            active = bool(listed.get(name, {}).get("active"))
            said = self.said.get(name, "absent")
            if name not in listed:
                problems.append(f"network {name}: its definition is gone")
            if said == "present" and not active:
                problems.append(f"network {name}: started (success answered) but not active")
            if said == "absent" and active:
                problems.append(f"network {name}: stopped (success answered) but active")
            parts = {"bridge": f"hn{name}" in devices, "nftables element": f'"hn{name}"' in elements,
                     "dnsmasq": bool(served.get(name))}
            for part, there in parts.items():
                if there != active:
                    problems.append(f"network {name}: {'active' if active else 'inactive'} but its {part} is "
                                    f"{'there' if there else 'missing'}")
            if len(served.get(name, [])) > 1:
                problems.append(f"network {name}: {len(served[name])} dnsmasq processes")
            self.said[name] = "present" if active else "absent"
            key = "networks found active" if active else "networks found inactive"
            self.counts[key] = self.counts.get(key, 0) + 1
        return problems


def churn(host, network, bridge, rounds, calls, ovs=False, seed=1, networks=0, vhost_user=False):
    """Runs the rounds; returns (counts, problems) over all of them."""
    c = Churn(host, network, bridge, ovs=ovs, seed=seed, networks=networks, vhost_user=vhost_user)
    problems = []
    for i in range(rounds):
        problems += [f"round {i}: {p}" for p in c.round(calls, c.random.randint(calls // 4, calls - 1))]
    return c.counts, problems

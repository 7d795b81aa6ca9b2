"""Losing the D-Bus daemon under hostnetd: the bus is only how hostnetd is reached, so networks,
ports, dnsmasq and rules stay exactly as they are while it reconnects, takes org.hostnet1 again
and exports every object again."""

import json
import signal
import subprocess
import time

from harness import Topology, run
from test_dhcp_dns import dhcp_client, dnsmasq_pid

NETWORK = """<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='hnbus0' stp='off'/>
  <ip address='10.78.0.1' prefix='24'>
    <dhcp><range start='10.78.0.100' end='10.78.0.200'/></dhcp>
  </ip>
</network>
"""


def snapshot(host):
    """What a user compares before and after: the listings, each device's ifindex, the rules."""
    ports = sorted(json.loads(host.ctl("port-list", "--json").stdout), key=lambda p: p["name"])
    devices = {n: (l["ifindex"], l.get("master")) for n, l in host.links().items()}
    rules = host.sh("nft list table inet hostnet").stdout
    return host.networks(), ports, devices, rules


def managed_objects(host):
    out = run(["busctl", f"--address={host.bus_address}", "--json=short", "call", "org.hostnet1", "/org/hostnet1",
               "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"], env=host.env).stdout
    return sorted(json.loads(out)["data"][0].keys())


def wait_served(host, timeout=15):
    """Until hostnetd answers on the new bus; returns how long that took."""
    start = time.monotonic()
    host._wait(lambda: host.ctl("net-list", check=False).returncode == 0, "hostnetd on the new bus", timeout=timeout)
    return time.monotonic() - start


def test_a_killed_bus_daemon_is_survived_with_nothing_touched(host):
    host.ctl("net-define", host.write_xml("default", NETWORK))
    host.ctl("net-start", "default")
    host._wait(lambda: dnsmasq_pid(host), "dnsmasq to start")
    for i in range(3):
        host.ctl("port-create", "default", "--name", f"vm{i}", "--queues", 2)
    vm = Topology(host).vm_on_port("vm", "vm0", "10.78.0.9/24")
    objects = managed_objects(host)
    before = snapshot(host)
    dnsmasq = dnsmasq_pid(host)
    # A count, not a deadline (-w): a reply still on its way when a deadline ends counts as lost.
    pinger = subprocess.Popen(["ip", "netns", "exec", vm.ns, "ping", "-i", "0.02", "-c", "300", "10.78.0.1"],
                              stdout=subprocess.PIPE, text=True)
    host.processes.append(pinger)
    time.sleep(1)

    host.kill_bus(signal.SIGKILL)
    time.sleep(0.5)  # hostnetd notices and retries while no bus is there
    assert host.daemon.poll() is None, "hostnetd exited with the bus:\n" + host.daemon_log()
    host.restart_bus()
    wait_served(host)

    out, _ = pinger.communicate(timeout=30)
    assert " 0% packet loss" in out, out
    assert snapshot(host) == before
    assert managed_objects(host) == objects
    assert dnsmasq_pid(host) == dnsmasq, "dnsmasq was restarted"
    log = host.daemon_log()
    assert "lost the D-Bus connection" in log and "reconnected to D-Bus" in log, log
    # Served as before: calls that change things work, and DHCP still answers.
    host.ctl("port-create", "default", "--name", "after")
    assert "after" in {p["name"] for p in json.loads(host.ctl("port-list", "--json").stdout)}
    assert dhcp_client(host, Topology(host).vm("late", "hnbus0")).startswith("10.78.0.")


def test_the_bus_restarted_twice_and_hostnetd_restarted_after_it(host):
    host.ctl("net-create", host.write_xml("default", NETWORK))
    host.ctl("port-create", "default", "--name", "vm0")
    before = snapshot(host)
    for _ in range(2):
        host.restart_bus(signal.SIGTERM)
        wait_served(host)
        assert snapshot(host) == before
    # Emission failures on the lost connections are logged once each, not once per object.
    assert host.daemon_log().count("cannot emit") <= 2, host.daemon_log()
    host.restart_daemon()  # SIGTERM: exit 0 checked by the harness
    assert snapshot(host)[:3] == before[:3]


def test_sigterm_of_the_bus_and_hostnetd_together_exits_cleanly(host):
    host.ctl("net-create", host.write_xml("default", NETWORK))
    for i in range(5):
        host.ctl("port-create", "default", "--name", f"vm{i}")
    devices = snapshot(host)[2]
    host.bus.send_signal(signal.SIGTERM)
    host.daemon.send_signal(signal.SIGTERM)
    host.bus.wait(timeout=10)
    assert host.daemon.wait(timeout=20) == 0, host.daemon_log()
    log = host.daemon_log()
    assert "terminate called" not in log and "fatal" not in log, log
    # Stopping leaves everything up, as a plain stop does.
    assert {n: (l["ifindex"], l.get("master")) for n, l in host.links().items()} == devices


def test_the_bus_gone_while_hostnetd_is_stopped_is_not_an_error(host):
    host.ctl("net-create", host.write_xml("default", NETWORK))
    host.kill_bus(signal.SIGKILL)
    time.sleep(0.3)
    host.daemon.send_signal(signal.SIGTERM)
    assert host.daemon.wait(timeout=20) == 0, host.daemon_log()
    assert "reconnected" not in host.daemon_log()
    host.daemon = None
    host.bus_socket.unlink(missing_ok=True)
    host._start_bus()  # so the harness's close finds a bus to stop

"""A host that runs firewalld: a real firewalld (nftables backend) in the test's namespace, on the
test's bus. Its `inet firewalld` table rejects forwarded traffic of interfaces in no zone — with
br_netfilter also frames between two ports of one bridge — which is what breaks libvirt's NAT
networks on firewalld hosts. hostnet keeps its bridges in firewalld's `hostnet` zone through
firewalld's D-Bus API (runtime bindings only), binds them again when firewalld reloads or
restarts, and never writes firewalld's configuration."""

import subprocess
import time

import pytest

from firewalld import Firewalld
from harness import TcpServer, Topology, assert_guests_forward, tcp_connect

SUBNET = "192.168.122.0/24"
GATEWAY = "192.168.122.1"


def network(mode, zone=None):
    forward = f"<forward mode='{mode}'/>" if mode != "none" else ""
    zone_attr = f" zone='{zone}'" if zone else ""
    return f"""<network><name>default</name>{forward}<bridge name='virbr0'{zone_attr}/>
      <ip address='{GATEWAY}' netmask='255.255.255.0'>
        <dhcp><range start='192.168.122.100' end='192.168.122.200'/></dhcp></ip></network>"""


CONNECT = """
import socket, sys
s = socket.socket(); s.settimeout(float(sys.argv[3]))
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print("open")
except OSError as e:
    print(type(e).__name__)
"""


def tcp_reach(ns, addr, port, timeout=2.0):
    """"open", or how the connection failed (ConnectionRefusedError: nothing listens; OSError
    "no route" or a timeout: a firewall rejected or dropped it)."""
    return subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", CONNECT, addr, str(port), str(timeout)],
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture
def firewalld(host):
    return Firewalld(host)


def start(host, mode, zone=None):
    host.ctl("net-define", host.write_xml("default", network(mode, zone)))
    host.ctl("net-start", "default")
    topo = Topology(host)
    outside = topo.outside(routes_back=[SUBNET])
    vm = topo.vm("vm1", "virbr0", "192.168.122.10/24", gateway=GATEWAY)
    vm2 = topo.vm("vm2", "virbr0", "192.168.122.11/24", gateway=GATEWAY)
    return outside, vm, vm2


def wait_zone(host, fw, interface, zone, what):
    host._wait(lambda: fw.zone_of(interface) == zone, what, timeout=30)


def test_firewalld_rejects_a_bridge_in_no_zone(host, firewalld):
    """The premise: the network's bridge taken out of its zone (hostnetd stopped, so nothing
    repairs it) loses the VM's traffic to the outside and to the other VM."""
    outside, vm, vm2 = start(host, "nat")
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    TcpServer(host, vm, "192.168.122.10", 9001)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    host.stop_daemon()
    firewalld.cmd("--zone=hostnet", "--remove-interface=virbr0")
    assert firewalld.zone_of("virbr0") == ""
    assert not tcp_connect(vm, Topology.OUTSIDE, 9000, timeout=1.5), "firewalld let a bridge in no zone out"
    assert not tcp_connect(vm2, "192.168.122.10", 9001, timeout=1.5), "firewalld let VM-to-VM frames through"


@pytest.mark.parametrize("mode", ["nat", "route"])
def test_guests_reach_the_outside_and_each_other_under_firewalld(host, firewalld, mode):
    permanent = sorted(p.name for p in firewalld.config.rglob("*"))
    outside, vm, vm2 = start(host, mode)
    assert firewalld.zone_of("virbr0") == "hostnet"
    assert_guests_forward(host, mode, outside, vm, vm2, "192.168.122.10")
    # The only change to firewalld is the runtime binding: its configuration files are as they were.
    assert sorted(p.name for p in firewalld.config.rglob("*")) == permanent
    assert "virbr0" not in firewalld.cmd("--permanent", "--zone=hostnet", "--list-interfaces").stdout


def test_the_hostnet_zone_lets_guests_reach_only_the_hosts_network_services(host, firewalld):
    outside, vm, vm2 = start(host, "nat")
    TcpServer(host, host.ns, GATEWAY, 9100)  # a service of the host's own, on the bridge address
    assert tcp_reach(vm, GATEWAY, 53) == "open", "the network's DNS (dnsmasq) is not reachable"
    assert tcp_reach(vm, GATEWAY, 9100) != "open", "a guest reached a host service the zone does not list"
    firewalld.stop()  # without firewalld, only hostnet's own rules count: nothing stops it
    assert tcp_reach(vm, GATEWAY, 9100) == "open"


def test_reload_and_restart_lose_the_binding_and_hostnet_binds_it_again(host, firewalld):
    outside, vm, vm2 = start(host, "nat")
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    for how in ("reload", "restart"):
        began = time.monotonic()
        getattr(firewalld, how)()
        wait_zone(host, firewalld, "virbr0", "hostnet", f"virbr0 back in zone hostnet after a firewalld {how}")
        print(f"firewalld {how}: virbr0 bound again {time.monotonic() - began:.2f} s after the {how} began")
        assert tcp_connect(vm, Topology.OUTSIDE, 9000), f"the VM lost the outside after a firewalld {how}"


def test_firewalld_started_after_the_network_gets_its_bridge(host):
    outside, vm, vm2 = start(host, "nat")
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    fw = Firewalld(host)
    wait_zone(host, fw, "virbr0", "hostnet", "virbr0 in zone hostnet once firewalld runs")
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    assert "firewalld is on the bus" in host.daemon_log()


def test_stopping_the_network_takes_the_bridge_out_of_the_zone(host, firewalld):
    start(host, "nat")
    assert firewalld.zone_of("virbr0") == "hostnet"
    host.ctl("net-destroy", "default")
    assert firewalld.zone_of("virbr0") == ""
    assert firewalld.cmd("--zone=hostnet", "--list-interfaces").stdout.strip() == ""


def test_a_zone_the_network_names_is_used(host, firewalld):
    outside, vm, vm2 = start(host, "nat", zone="trusted")
    assert firewalld.zone_of("virbr0") == "trusted"
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)


def test_a_zone_firewalld_does_not_have_is_refused_and_nothing_is_made(host, firewalld):
    host.ctl("net-define", host.write_xml("default", network("nat", zone="nosuchzone")))
    err = host.ctl_error("net-start", "default")
    assert "bridge zone 'nosuchzone'" in err and "no such zone" in err, err
    assert host.link("virbr0") is None, "a refused start left its bridge"
    assert "virbr0" not in host.sh("nft list ruleset").stdout, "a refused start left rules"


def test_without_the_hostnet_zone_bridges_go_in_trusted_and_say_why(host):
    fw = Firewalld(host, hostnet_zone=False)
    outside, vm, vm2 = start(host, "nat")
    assert fw.zone_of("virbr0") == "trusted"
    assert "firewalld has no 'hostnet' zone" in host.daemon_log()
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)


def test_a_binding_left_by_a_start_a_kill_cut_off_is_taken_out_of_the_zone(host, firewalld):
    """firewalld keeps an interface's runtime binding after the device is gone. A start cut off by
    a kill before its status record leaves the bridge in hostnet's zone; the next hostnetd removes
    the bridge and the binding."""
    start(host, "nat")
    assert firewalld.zone_of("virbr0") == "hostnet"
    host.stop_daemon(kill9=True)
    (host.state_dir / "networks" / "default.xml").unlink()
    host.start_daemon()
    assert "virbr0" not in host.links()
    assert firewalld.cmd("--zone=hostnet", "--list-interfaces").stdout.split() == []
    assert "firewalld: virbr0 taken out of zone 'hostnet': no active network has it" in host.daemon_log()

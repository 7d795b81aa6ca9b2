"""NAT, routed, open and isolated networks, checked with traffic: a VM namespace on the network's
bridge, the host namespace running hostnetd, and an "outside" namespace behind the host's uplink."""

import pytest

from harness import TcpServer, Topology, tcp_connect

SUBNET = "192.168.122.0/24"


def network(mode, extra=""):
    forward = f"<forward mode='{mode}'/>" if mode != "none" else ""
    return f"""<network><name>default</name>{forward}<bridge name='virbr0'/>
      <ip address='192.168.122.1' netmask='255.255.255.0'/>{extra}</network>"""


@pytest.fixture
def net(host):
    def start(mode, routes_back=()):
        host.ctl("net-define", host.write_xml("default", network(mode)))
        host.ctl("net-start", "default")
        topo = Topology(host)
        outside = topo.outside(routes_back=routes_back)
        vm = topo.vm("vm1", "virbr0", "192.168.122.10/24", gateway="192.168.122.1")
        server = TcpServer(host, outside, Topology.OUTSIDE, 9000)
        vm_server = TcpServer(host, vm, "192.168.122.10", 9001)
        return topo, outside, vm, server, vm_server
    return start


def test_nat_masquerades_behind_the_uplink_and_keeps_the_outside_out(host, net):
    topo, outside, vm, server, vm_server = net("nat", routes_back=[SUBNET])
    assert tcp_connect(vm, Topology.OUTSIDE, 9000), "the VM cannot reach the outside through NAT"
    assert server.next_peer() == Topology.UPLINK_HOST, "the VM's traffic was not masqueraded"
    assert not tcp_connect(outside, "192.168.122.10", 9001, timeout=1.5), "the outside opened a connection to the VM"
    rules = host.sh("nft list table inet hostnet").stdout
    assert "ip saddr 192.168.122.0/24 masquerade" in rules
    assert host.sh("sysctl -n net.ipv4.ip_forward").stdout.strip() == "1"


def test_vms_on_one_nat_network_reach_each_other(host, net):
    topo, outside, vm, server, vm_server = net("nat")
    vm2 = topo.vm("vm2", "virbr0", "192.168.122.11/24", gateway="192.168.122.1")
    assert tcp_connect(vm2, "192.168.122.10", 9001)
    assert vm_server.next_peer() == "192.168.122.11", "VM-to-VM traffic must not be NATed"


def test_routed_network_shows_the_vms_own_address(host, net):
    topo, outside, vm, server, vm_server = net("route", routes_back=[SUBNET])
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    assert server.next_peer() == "192.168.122.10"
    assert tcp_connect(outside, "192.168.122.10", 9001), "a routed network is reachable from outside"


def test_open_network_adds_no_rules(host, net):
    topo, outside, vm, server, vm_server = net("open", routes_back=[SUBNET])
    assert "virbr0" not in host.sh("nft list table inet hostnet", check=False).stdout
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    assert server.next_peer() == "192.168.122.10"


def test_isolated_network_reaches_nothing_beyond_its_bridge(host, net):
    topo, outside, vm, server, vm_server = net("none", routes_back=[SUBNET])
    # Even with forwarding on (another network may need it), nothing leaves the bridge.
    host.sh("sysctl -qw net.ipv4.ip_forward=1")
    assert not tcp_connect(vm, Topology.OUTSIDE, 9000, timeout=1.5)
    assert not tcp_connect(outside, "192.168.122.10", 9001, timeout=1.5)
    assert tcp_connect(host.ns, "192.168.122.10", 9001), "the host reaches its isolated network"


def test_destroy_leaves_no_table_behind(host, net):
    net("nat")
    host.ctl("net-destroy", "default")
    assert host.sh("nft list tables").stdout.strip() == ""


def test_firewall_rules_survive_a_daemon_restart(host, net):
    topo, outside, vm, server, vm_server = net("nat", routes_back=[SUBNET])
    host.restart_daemon(kill9=True)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    assert server.next_peer() == Topology.UPLINK_HOST


def test_a_subnet_the_host_already_routes_is_a_conflict_naming_the_interface(host):
    host.sh("ip link add lan0 type veth peer name lan0p && ip addr add 192.168.122.5/24 dev lan0 && "
            "ip link set lan0 up")
    host.ctl("net-define", host.write_xml("default", network("nat")))
    links = set(host.links())
    err = host.ctl_error("net-start", "default")
    assert "Conflict" in err and "lan0" in err and "192.168.122" in err, err
    assert set(host.links()) == links
    assert host.sh("nft list tables").stdout.strip() == ""
    # A broader route (the default route, a /16 over a VPN) does not conflict.
    host.sh("ip route del 192.168.122.0/24 dev lan0 && ip addr del 192.168.122.5/24 dev lan0 && "
            "ip addr add 192.168.0.5/16 dev lan0")
    host.ctl("net-start", "default")


def test_a_flushed_ruleset_is_restored(host, net):
    import time
    topo, outside, vm, server, vm_server = net("nat", routes_back=[SUBNET])
    start = time.monotonic()
    host.sh("nft flush ruleset")
    host._wait(lambda: "br-virbr0-nat" in host.sh("nft list ruleset").stdout, "hostnet's rules to come back", timeout=10)
    print(f"rules restored {time.monotonic() - start:.3f} s after the flush")
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    assert server.next_peer() == Topology.UPLINK_HOST
    host.sh("nft delete table inet hostnet")
    host._wait(lambda: "br-virbr0-nat" in host.sh("nft list ruleset").stdout, "hostnet's table to come back", timeout=10)


def test_a_removed_bridge_address_is_restored(host, net):
    net("nat")
    host.sh("ip addr del 192.168.122.1/24 dev virbr0")
    host._wait(lambda: "192.168.122.1/24" in host.addresses("virbr0"), "the bridge address to come back", timeout=10)

"""Port forwards into a NAT network: from outside, from the host itself and from another VM on
the same network (hairpin), persisted in the network's XML, gone when removed."""

import json

from harness import TcpServer, Topology, tcp_connect
from test_forwarding import network

HOST = Topology.UPLINK_HOST


def forwarding_scene(host):
    host.ctl("net-define", host.write_xml("default", network("nat")))
    host.ctl("net-start", "default")
    topo = Topology(host)
    outside = topo.outside()
    vm1 = topo.vm("vm1", "virbr0", "192.168.122.10/24", gateway="192.168.122.1")
    vm2 = topo.vm("vm2", "virbr0", "192.168.122.11/24", gateway="192.168.122.1")
    server = TcpServer(host, vm1, "192.168.122.10", 80)
    return outside, vm1, vm2, server


def test_forward_reaches_the_vm_from_outside_the_host_and_other_vms(host):
    outside, vm1, vm2, server = forwarding_scene(host)
    host.ctl("net-port-forward-add", "default", "--proto", "tcp", "--host-port", "8080", "--to", "192.168.122.10:80")

    assert tcp_connect(outside, HOST, 8080), "outside cannot reach the VM through the forward"
    assert server.next_peer() == Topology.OUTSIDE
    assert tcp_connect(host.ns, HOST, 8080), "the host itself cannot use the forward"
    server.next_peer()
    assert tcp_connect(vm2, HOST, 8080), "another VM cannot use the forward (hairpin)"
    server.next_peer()

    forwards = json.loads(host.ctl("net-port-forward-list", "default", "--json").stdout)
    assert forwards == [{"proto": "tcp", "host_address": "", "port": 8080, "port_end": 8080,
                         "target": "192.168.122.10", "target_port": 80}]
    stored = host.ctl("net-dumpxml", "default", "--inactive").stdout
    assert '<hostnet:forward proto="tcp" port="8080" to="192.168.122.10" to-port="80"/>' in stored
    assert 'xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0"' in stored

    host.ctl("net-port-forward-remove", "default", "--proto", "tcp", "--host-port", "8080")
    assert not tcp_connect(outside, HOST, 8080, timeout=1.5), "the forward still works after its removal"
    assert "hostnet:forward" not in host.ctl("net-dumpxml", "default", "--inactive").stdout


def test_forwards_survive_a_restart_of_the_network_and_of_hostnetd(host):
    outside, vm1, vm2, server = forwarding_scene(host)
    host.ctl("net-port-forward-add", "default", "--host-port", "8080", "--to", "192.168.122.10:80")
    host.restart_daemon(kill9=True)
    assert tcp_connect(outside, HOST, 8080)
    host.ctl("net-destroy", "default")
    host.ctl("net-start", "default")
    assert json.loads(host.ctl("net-port-forward-list", "default", "--json").stdout)[0]["port"] == 8080


def test_bad_forwards_are_refused_and_change_nothing(host):
    forwarding_scene(host)
    host.ctl("net-port-forward-add", "default", "--host-port", "8080", "--to", "192.168.122.10:80")
    before = host.sh("nft list table inet hostnet").stdout
    for args, expected in [
        (["--host-port", "70000", "--to", "192.168.122.10"], "65535"),
        (["--host-port", "8081", "--to", "10.9.9.9"], "outside network"),
        (["--host-port", "8080", "--to", "192.168.122.11"], "collides"),
        (["--host-port", "8082", "--proto", "sctp", "--to", "192.168.122.10"], "tcp or udp"),
    ]:
        err = host.ctl_error("net-port-forward-add", "default", *args)
        assert expected in err, err
    assert host.sh("nft list table inet hostnet").stdout == before
    assert len(json.loads(host.ctl("net-port-forward-list", "default", "--json").stdout)) == 1

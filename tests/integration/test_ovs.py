"""Networks on Open vSwitch: the same libvirt XML with <virtualport type='openvswitch'/>, with
hostnet talking OVSDB itself. Each test runs its own ovsdb-server and ovs-vswitchd (userspace
datapath: this kernel has no openvswitch module) in the test's namespace."""

import json
import subprocess

import pytest

from harness import Host, Topology, run


@pytest.fixture
def ovs_host():
    h = Host(ovs=True)
    try:
        yield h
    finally:
        h.close()


def ovs_network(name="ovsnet", subnet="10.80.0", extra=""):
    return (f"<network><name>{name}</name><bridge name='hnovs0'/><virtualport type='openvswitch'/>"
            f"<ip address='{subnet}.1' prefix='24'/>{extra}</network>")


def ping(ns, addr, wait=2):
    return run(["ip", "netns", "exec", ns, "ping", "-c", "1", "-W", str(wait), addr], check=False).returncode == 0


def start(host, extra=""):
    host.ctl("net-create", host.write_xml("ovsnet", ovs_network(extra=extra)))


def test_vms_on_an_ovs_network_reach_each_other_and_the_host(ovs_host):
    host = ovs_host
    start(host)
    assert host.ovs.vsctl("br-exists", "hnovs0") == ""
    assert host.ovs.vsctl("get", "Bridge", "hnovs0", "external_ids:hostnet-owner").strip() == '"hostnet:ovsnet"'
    assert host.ovs.vsctl("get", "Bridge", "hnovs0", "datapath_type").strip() == "netdev"
    assert "10.80.0.1/24" in host.addresses("hnovs0")
    topo = Topology(host)
    host.ctl("port-create", "ovsnet", "--name", "p1")
    host.ctl("port-create", "ovsnet", "--name", "p2")
    assert sorted(host.ovs.vsctl("list-ports", "hnovs0").split()) == ["p1", "p2"]
    a = topo.vm_on_port("a", "p1", "10.80.0.11/24")
    topo.vm_on_port("b", "p2", "10.80.0.12/24")
    assert ping(a.ns, "10.80.0.12"), "two VMs on one OVS network cannot reach each other"
    assert ping(a.ns, "10.80.0.1"), "a VM cannot reach the host's address on the OVS bridge"
    host.ctl("port-delete", "p2")
    assert host.ovs.vsctl("list-ports", "hnovs0").split() == ["p1"]
    host.ctl("net-destroy", "ovsnet")
    assert run(["ovs-vsctl", f"--db=unix:{host.ovs.socket}", "br-exists", "hnovs0"], check=False).returncode == 2


def test_access_ports_in_different_vlans_cannot_talk(ovs_host):
    host = ovs_host
    start(host)
    topo = Topology(host)
    for name, tag in (("red1", 10), ("red2", 10), ("blue", 20)):
        host.ctl("port-create", "ovsnet", "--name", name, "--vlan", tag)
    assert host.ovs.vsctl("get", "Port", "red1", "tag").strip() == "10"
    assert json.loads(host.ctl("port-info", "blue", "--json").stdout)["vlan"] == "20"
    r1 = topo.vm_on_port("r1", "red1", "10.80.0.21/24")
    topo.vm_on_port("r2", "red2", "10.80.0.22/24")
    topo.vm_on_port("b", "blue", "10.80.0.23/24")
    assert ping(r1.ns, "10.80.0.22"), "two access ports of VLAN 10 must reach each other"
    assert not ping(r1.ns, "10.80.0.23", wait=1), "VLAN 10 reached VLAN 20"


def test_a_trunk_port_sees_tagged_frames(ovs_host):
    host = ovs_host
    start(host)
    topo = Topology(host)
    host.ctl("port-create", "ovsnet", "--name", "acc", "--vlan", 10)
    host.ctl("port-create", "ovsnet", "--name", "trunk", "--vlan", "10,20")
    assert host.ovs.vsctl("get", "Port", "trunk", "trunks").strip() == "[10, 20]"
    assert host.ovs.vsctl("get", "Port", "trunk", "vlan_mode").strip() == "trunk"
    acc = topo.vm_on_port("acc", "acc", "10.80.0.31/24")
    trunk = topo.vm_on_port("trunk", "trunk", "10.80.0.32/24")
    dump = subprocess.Popen(["ip", "netns", "exec", trunk.ns, "tcpdump", "-e", "-n", "-l", "-c", "1", "-i", "eth0",
                             "vlan 10 and arp"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    host.processes.append(dump)
    host._wait(lambda: (ping(acc.ns, "10.80.0.99", wait=1) and False) or dump.poll() is not None,
               "a tagged frame on the trunk", timeout=30)
    assert "vlan 10" in dump.stdout.read()


def test_port_external_ids_are_what_ovn_binds_by(ovs_host):
    host = ovs_host
    start(host)
    host.ctl("port-create", "ovsnet", "--name", "vif", "--mac", "52:54:00:00:00:42", "--interface-id",
             "5f0c3d9a-0d8b-4c1f-9d6e-3a2b1c0d9e8f", "--vm-uuid", "c7a5fdbd-cdaf-9455-926a-d65c16db1809")
    ids = host.ovs.vsctl("get", "Interface", "vif", "external_ids")
    assert 'iface-id="5f0c3d9a-0d8b-4c1f-9d6e-3a2b1c0d9e8f"' in ids
    assert 'attached-mac="52:54:00:00:00:42"' in ids
    assert 'vm-uuid="c7a5fdbd-cdaf-9455-926a-d65c16db1809"' in ids
    assert "iface-status=active" in ids
    assert int(host.ovs.vsctl("get", "Interface", "vif", "ofport").strip()) > 0


def test_hostnetd_reconnects_after_ovsdb_server_restarts(ovs_host):
    host = ovs_host
    start(host)
    host.ctl("port-create", "ovsnet", "--name", "before")
    host.ovs.kill_server()
    host.ovs.start_server()
    host._wait(lambda: "ovs: connected" in host.daemon_log().split("lost ovsdb-server")[-1],
               "hostnetd to reconnect to ovsdb-server", timeout=30)
    host.ctl("port-create", "ovsnet", "--name", "after")
    assert sorted(host.ovs.vsctl("list-ports", "hnovs0").split()) == ["after", "before"]
    names = host.ovs.vsctl("--columns=name", "--format=json", "list", "Port")
    assert len(json.loads(names)["data"]) == 3  # the bridge's internal port and two: no duplicates


def test_without_ovsdb_server_the_backend_says_why_and_ovs_networks_do_not_start(host):
    backends = json.loads(host.sh(f"busctl --address={host.bus_address} get-property org.hostnet1 /org/hostnet1 "
                                  "org.hostnet1.Manager Backends --json=short").stdout)["data"]
    assert backends["ovs"]["Available"]["data"] is False
    assert "Open vSwitch is not reachable" in backends["ovs"]["Reason"]["data"]
    host.ctl("net-define", host.write_xml("ovsnet", ovs_network()))
    error = host.ctl_error("net-start", "ovsnet")
    assert error.startswith("error: Unsupported:") and "Open vSwitch is not reachable" in error, error
    assert host.link("hnovs0") is None

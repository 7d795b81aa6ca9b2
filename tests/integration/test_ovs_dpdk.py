"""Networks on OVS-DPDK (<hostnet:backend name="ovs-dpdk"/>): hostnet's Open vSwitch backend on
Debian's DPDK build of ovs-vswitchd, run per test without hugepages (harness.Ovs, dpdk=...). Where
vswitchd has no DPDK, or has not initialised it, the backend says why in words an admin can act
on and a network on it does not start, leaving nothing behind."""

import json

from harness import Host, Topology
from test_ovs import ping

FAST = """<network>
  <name>fast</name>
  <metadata>
    <hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
      <hostnet:backend name="ovs-dpdk"/>
    </hostnet:network>
  </metadata>
  <forward mode='nat'/>
  <bridge name='hndpdk0'/>
  <ip address='10.92.0.1' prefix='24'>
    <dhcp><range start='10.92.0.100' end='10.92.0.199'/></dhcp>
  </ip>
</network>
"""


def backend(host, name):
    out = host.sh(f"busctl --address={host.bus_address} get-property org.hostnet1 /org/hostnet1 "
                  "org.hostnet1.Manager Backends --json=short").stdout
    entry = json.loads(out)["data"][name]
    return {k: v["data"] for k, v in entry.items()}


def refused_and_nothing_made(host, reason):
    info = backend(host, "ovs-dpdk")
    assert info["Available"] is False and reason in info["Reason"], info
    host.ctl("net-define", host.write_xml("fast", FAST))
    err = host.ctl_error("net-start", "fast")
    assert "Unsupported" in err and reason in err, err
    assert host.ovs.vsctl("list-br").split() == []
    assert "hndpdk0" not in host.links()
    assert not json.loads(host.ctl("net-info", "fast", "--json").stdout)["active"]


def test_a_vswitchd_without_dpdk_is_named_and_nothing_is_made():
    host = Host(ovs=True)
    try:
        refused_and_nothing_made(host, "install openvswitch-switch-dpdk")
        assert backend(host, "ovs")["Available"] is True, "the same vswitchd serves plain ovs networks"
    finally:
        host.close()


def test_dpdk_not_initialised_is_named_with_the_setting():
    host = Host(dpdk="off")
    try:
        refused_and_nothing_made(host, "other_config:dpdk-init=true")
    finally:
        host.close()


def test_a_nat_network_on_ovs_dpdk_carries_the_host_and_its_vms():
    host = Host(dpdk="init")
    try:
        info = backend(host, "ovs-dpdk")
        assert info["Available"] is True, info
        # What the admin set for DPDK, read back (hostnet never sets it).
        assert info["Details"]["pmd-cpu-mask"] == "0x2" and info["Details"]["dpdk-init"] == "true"
        assert info["Details"]["dpdk-version"].startswith("DPDK")
        host.ctl("net-create", host.write_xml("fast", FAST))
        assert host.ovs.vsctl("get", "Bridge", "hndpdk0", "datapath_type").strip() == "netdev"
        assert host.ovs.vsctl("get", "Bridge", "hndpdk0", "external_ids:hostnet-owner").strip() == '"hostnet:fast"'
        assert "10.92.0.1/24" in host.addresses("hndpdk0"), "the internal port carries the host's address"
        assert json.loads(host.ctl("net-info", "fast", "--json").stdout)["backend"] == "ovs-dpdk"
        assert "10.92.0.0/24" in host.sh("nft list ruleset").stdout, "NAT for the network"
        topo = Topology(host)
        host.ctl("port-create", "fast", "--name", "p1")
        host.ctl("port-create", "fast", "--name", "p2")
        a = topo.vm_on_port("a", "p1", "10.92.0.11/24")
        topo.vm_on_port("b", "p2", "10.92.0.12/24")
        assert ping(a.ns, "10.92.0.12"), "two VMs on one OVS-DPDK bridge"
        assert ping(a.ns, "10.92.0.1"), "a VM and the host"
        host.ctl("net-destroy", "fast")
        assert host.ovs.vsctl("list-br").split() == []
    finally:
        host.close()

"""Networks on OVS-DPDK (<hostnet:backend name="ovs-dpdk"/>): hostnet's Open vSwitch backend on
Debian's DPDK build of ovs-vswitchd, run per test without hugepages (harness.Ovs, dpdk=...). Where
vswitchd has no DPDK, or has not initialised it, the backend says why in words an admin can act
on and a network on it does not start, leaving nothing behind."""

import glob
import json
import os
import shutil
import stat
import time

from dpdk_frontend import Frontend
from harness import Host, Topology, run
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


def close(host):
    """host.close() ends the frontends by pid; their EAL runtime directories go here."""
    host.close()
    for path in glob.glob(f"/var/run/dpdk/hnfe-{host.ns}-*"):
        shutil.rmtree(path, ignore_errors=True)


def interface(host, name, column):
    return host.ovs.vsctl("get", "Interface", name, column).strip()


def test_vhost_user_ports_carry_a_frontend_s_frames_and_survive_a_restart():
    host = Host(dpdk="init")
    try:
        host.ctl("net-create", host.write_xml("fast", FAST))
        p1 = json.loads(host.ctl("port-create", "fast", "--kind", "vhost-user", "--name", "vu1", "--owner", "1000",
                                 "--json").stdout)
        p2 = json.loads(host.ctl("port-create", "fast", "--kind", "vhost-user", "--name", "vu2", "--json").stdout)
        assert p1["kind"] == "vhost-user" and p1["ifindex"] == 0
        # OVS is the client of a socket the VM serves, in a directory only the VM's user may enter.
        assert interface(host, "vu1", "type") == "dpdkvhostuserclient"
        assert interface(host, "vu1", "options:vhost-server-path") == f'"{p1["socket"]}"'
        sock_dir = os.stat(os.path.dirname(p1["socket"]))
        assert (sock_dir.st_uid, stat.S_IMODE(sock_dir.st_mode)) == (1000, 0o700)
        xml = host.ctl("port-dumpxml", "vu1").stdout
        assert "<interface type='vhostuser'>" in xml and f"path='{p1['socket']}' mode='server'" in xml
        # What libvirt takes, with the shared memory a vhost-user guest needs (docs/ovs.md).
        domain = host.write_xml("dom", f"""<domain type='test'><name>vm</name><memory>65536</memory>
          <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
          <os><type>hvm</type></os><devices>{xml}</devices></domain>""")
        defined = run(["virsh", "-c", "test:///default", f"define {domain} ; dumpxml vm"], check=False)
        assert defined.returncode == 0 and p1["socket"] in defined.stdout, defined.stderr
        refused = host.sh(f"busctl --address={host.bus_address} call org.hostnet1 /org/hostnet1/port/{p1['id']} "
                          "org.hostnet1.Port OpenFds u 0", check=False)
        assert refused.returncode != 0 and "it has no fds" in refused.stderr, refused.stderr
        tx = Frontend(host, p1["socket"], "txonly")
        rx = Frontend(host, p2["socket"], "rxonly")
        host._wait(lambda: "status=connected" in interface(host, "vu1", "status")
                   and "status=connected" in interface(host, "vu2", "status"), "OVS to connect to both frontends", timeout=30)
        uuid = interface(host, "vu1", "_uuid")

        # hostnetd killed and started again: the same rows, the frontends still connected.
        host.restart_daemon(kill9=True)
        assert interface(host, "vu1", "_uuid") == uuid
        assert "status=connected" in interface(host, "vu1", "status")
        assert json.loads(host.ctl("port-info", "vu1", "--json").stdout)["socket"] == p1["socket"]
        time.sleep(2)
        sent, received = tx.stop(), rx.stop()
        assert sent["TX-packets"] > 0 and received["RX-packets"] > 0, (sent, received)
        # vswitchd refreshes Interface.statistics every 5 s.
        host._wait(lambda: int(interface(host, "vu1", "statistics:rx_packets")) > 0, "vu1's counters", timeout=15)
        host.ctl("port-delete", "vu1")
        assert not os.path.exists(os.path.dirname(p1["socket"])), "the port's socket directory goes with it"
        assert host.ovs.vsctl("list-ports", "hndpdk0").split() == ["vu2"]
    finally:
        close(host)


def test_vhost_user_ports_need_ovs_dpdk():
    host = Host(ovs=True)
    try:
        host.ctl("net-create", host.write_xml("ovsnet", "<network><name>ovsnet</name><bridge name='hnovs0'/>"
                                              "<virtualport type='openvswitch'/></network>"))
        err = host.ctl_error("port-create", "ovsnet", "--kind", "vhost-user")
        assert "has no vhost-user ports (they need OVS-DPDK" in err, err
        assert host.ovs.vsctl("list-ports", "hnovs0").split() == []
    finally:
        close(host)


def test_vlans_keep_vhost_user_ports_apart_and_taps_share_the_bridge():
    host = Host(dpdk="init")
    try:
        host.ctl("net-create", host.write_xml("fast", FAST))
        ports = {}
        for name, vlan in (("vt10", "10"), ("vr10", "10"), ("vr20", "20"), ("vrun", None)):
            args = ["port-create", "fast", "--kind", "vhost-user", "--name", name, "--json"]
            ports[name] = json.loads(host.ctl(*args, *(["--vlan", vlan] if vlan else [])).stdout)
        assert host.ovs.vsctl("get", "Port", "vr20", "tag").strip() == "20"
        rx = {name: Frontend(host, ports[name]["socket"], "rxonly") for name in ("vr10", "vr20")}
        tx = Frontend(host, ports["vt10"]["socket"], "txonly")
        host._wait(lambda: all("status=connected" in interface(host, n, "status") for n in ("vt10", "vr10", "vr20")),
                   "OVS to connect to the frontends", timeout=30)
        time.sleep(2)
        # The frontend restarts (a VM rebooted): OVS connects again by itself.
        tx.stop()
        tx = Frontend(host, ports["vt10"]["socket"], "txonly")
        host._wait(lambda: "status=connected" in interface(host, "vt10", "status"), "OVS to reconnect", timeout=30)
        time.sleep(2)
        assert tx.stop()["TX-packets"] > 0
        got = {name: f.stop()["RX-packets"] for name, f in rx.items()}
        assert got["vr10"] > 0 and got["vr20"] == 0, got

        # A tap port and a vhost-user port on one OVS-DPDK bridge: the VM behind the tap floods
        # ARP, the vhost-user frontend receives it.
        topo = Topology(host)
        host.ctl("port-create", "fast", "--name", "tap1")
        vm = topo.vm_on_port("a", "tap1", "10.92.0.21/24")
        untagged = Frontend(host, ports["vrun"]["socket"], "rxonly")
        host._wait(lambda: "status=connected" in interface(host, "vrun", "status"), "OVS to connect to vrun", timeout=30)
        run(["ip", "netns", "exec", vm.ns, "ping", "-c", "3", "-i", "0.2", "-W", "1", "10.92.0.99"], check=False)
        assert untagged.stop()["RX-packets"] > 0, "the tap VM's ARP reaches the vhost-user frontend"
    finally:
        close(host)

"""Networks on OVS-DPDK (<hostnet:backend name="ovs-dpdk"/>): hostnet's Open vSwitch backend on
Debian's DPDK build of ovs-vswitchd, run per test without hugepages (harness.Ovs, dpdk=...). Where
vswitchd has no DPDK, or has not initialised it, the backend says why in words an admin can act
on and a network on it does not start, leaving nothing behind."""

import glob
import json
import os
import re
import shutil
import stat
import subprocess
import time

import pytest

from dpdk_frontend import Frontend
from harness import Host, TcpServer, Topology, run, tcp_connect
from libvirt_host import guest_image
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


def counter(host, name, key):
    """One of the Interface's statistics; 0 while vswitchd has yet to publish it."""
    found = re.search(rf"\b{key}=(\d+)", interface(host, name, "statistics"))
    return int(found.group(1)) if found else 0


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
        host._wait(lambda: counter(host, "vu1", "rx_packets") > 0, "vu1's counters", timeout=15)
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


class QemuGuest:
    """The tiny test guest (tests/guest) under QEMU/TCG with its virtio-net on a vhost-user socket,
    as a VM manager runs one: QEMU serves the socket, the guest's memory is shared with the
    switch (memfd), and vectors=0 (QEMU 7.2 under TCG dies starting vhost with MSI-X; see
    shared/TESTBED.md). Its init prints GUEST-* lines on the serial console."""

    def __init__(self, host, socket, mac, cmdline=""):
        guest = guest_image()
        self.console = host.tmp / f"qemu-{mac.replace(':', '')}.log"
        with open(self.console, "w") as out:
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", host.ns, "qemu-system-x86_64", "-accel", "tcg", "-m", "256", "-nographic",
                 "-no-reboot", "-kernel", str(guest.kernel), "-initrd", str(guest.initrd),
                 "-append", f"console=ttyS0 quiet panic=-1 {cmdline}",
                 "-object", "memory-backend-memfd,id=mem,size=256M,share=on", "-numa", "node,memdev=mem",
                 "-chardev", f"socket,id=c0,path={socket},server=on,wait=off", "-netdev", "vhost-user,id=n0,chardev=c0",
                 "-device", f"virtio-net-pci,netdev=n0,mac={mac},vectors=0"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        host.processes.append(self.proc)
        self.host = host

    def wait(self, marker, timeout=180):
        """The GUEST-* lines once `marker` is among them."""
        def lines():
            return [l.strip() for l in self.console.read_text(errors="replace").splitlines() if l.startswith("GUEST-")]
        try:
            self.host._wait(lambda: any(l.startswith(marker) for l in lines()) or self.proc.poll() is not None,
                            f"{marker} from the QEMU guest", timeout=timeout)
        except AssertionError as e:
            raise AssertionError(f"{e}; console:\n{self.console.read_text(errors='replace')}") from None
        assert any(l.startswith(marker) for l in lines()), self.console.read_text(errors="replace")
        return lines()


def test_a_qemu_guest_on_a_vhost_user_port_gets_a_lease_and_is_masqueraded():
    host = Host(dpdk="init")
    try:
        host.ctl("net-create", host.write_xml("fast", FAST))
        Topology(host).outside()  # with no route back to 10.92.0.0/24: only NAT gets replies home
        port = json.loads(host.ctl("port-create", "fast", "--kind", "vhost-user", "--name", "vm1", "--mac",
                                   "52:54:00:92:00:01", "--json").stdout)
        guest = QemuGuest(host, port["socket"], "52:54:00:92:00:01", f"target={Topology.OUTSIDE}")
        lines = guest.wait("GUEST-DONE")
        lease = next(l for l in lines if l.startswith("GUEST-LEASE"))
        assert lease.split()[1].startswith("10.92.0.1") and "router 10.92.0.1" in lease, lines
        assert "GUEST-PING-GATEWAY ok" in lines and "GUEST-PING-TARGET ok" in lines, lines
        leases = json.loads(host.ctl("net-dhcp-leases", "fast", "--json").stdout)
        assert [(l["mac"], l["ip"]) for l in leases] == [("52:54:00:92:00:01", lease.split()[1])]
        assert int(interface(host, "vm1", "ofport")) > 0
    finally:
        close(host)


@pytest.mark.parametrize("mode", ["route", "none"])
def test_routed_and_isolated_networks_on_ovs_dpdk(mode):
    host = Host(dpdk="init")
    try:
        forward = "<forward mode='route'/>" if mode == "route" else ""
        host.ctl("net-create", host.write_xml("fast", FAST.replace("<forward mode='nat'/>", forward)))
        topo = Topology(host)
        outside = topo.outside(routes_back=["10.92.0.0/24"])
        host.ctl("port-create", "fast", "--name", "vm")
        vm = topo.vm_on_port("vm", "vm", "10.92.0.5/24", gateway="10.92.0.1")
        server = TcpServer(host, outside, Topology.OUTSIDE, 9000)
        assert ping(vm.ns, "10.92.0.1"), "the host on its internal port"
        if mode == "route":
            assert tcp_connect(vm.ns, Topology.OUTSIDE, 9000), "a routed network's VM cannot reach the outside"
            assert server.next_peer() == "10.92.0.5", "a routed network must not masquerade"
        else:
            assert not tcp_connect(vm.ns, Topology.OUTSIDE, 9000, timeout=1.5), "an isolated network's VM got out"
    finally:
        close(host)


LAN = """<network><name>lan</name>
  <metadata>
    <hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
      <hostnet:backend name="ovs-dpdk"/>
      <hostnet:uplink type="dpdk" name="lan0" devargs="net_af_packet0,iface=hnwire"/>
      <hostnet:uplink type="dpdk" devargs="net_tap0,iface=hndtap0"/>
    </hostnet:network>
  </metadata>
  <bridge name='hnlan0'/>
</network>
"""


def test_dpdk_uplinks_carry_vms_to_the_lan_and_come_back_when_deleted():
    host = Host(dpdk="init")
    try:
        # The "NIC": a veth whose far end is the LAN; DPDK drives the near end (net_af_packet).
        lan = Topology(host).namespace("lan")
        run(["ip", "-n", host.ns, "link", "add", "hnwire", "type", "veth", "peer", "name", "eth0", "netns", lan])
        run(["ip", "-n", host.ns, "link", "set", "hnwire", "up"])
        run(["ip", "-n", lan, "addr", "add", "10.93.0.2/24", "dev", "eth0"])
        run(["ip", "-n", lan, "link", "set", "eth0", "up"])
        host.ctl("net-create", host.write_xml("lan", LAN))
        assert interface(host, "lan0", "type") == "dpdk"
        assert int(interface(host, "lan0", "ofport")) > 0
        # net_tap needs as many rx queues as vswitchd gives it tx queues (PMD threads + 1): chosen.
        assert interface(host, "hnlan0-up1", "options:n_rxq") == '"2"'
        assert int(interface(host, "hnlan0-up1", "ofport")) > 0, interface(host, "hnlan0-up1", "error")
        assert "hndtap0" in host.links(), "DPDK's net_tap made its device"
        dumped = host.ctl("net-dumpxml", "lan").stdout
        assert 'devargs="net_af_packet0,iface=hnwire"' in dumped and 'name="lan0"' in dumped, dumped

        topo = Topology(host)
        host.ctl("port-create", "lan", "--name", "vm")
        vm = topo.vm_on_port("vm", "vm", "10.93.0.11/24")
        assert ping(vm.ns, "10.93.0.2"), "a VM reaches the LAN through the DPDK uplink"

        # An admin deletes the uplink's row: hostnet notices in OVSDB and makes it again.
        # hostnetd killed and started again: the uplink's rows are adopted as they are.
        uplink = interface(host, "lan0", "_uuid")
        host.restart_daemon(kill9=True)
        assert interface(host, "lan0", "_uuid") == uplink
        assert ping(vm.ns, "10.93.0.2")

        host.ovs.vsctl("del-port", "hnlan0", "lan0")
        host._wait(lambda: "lan0" in host.ovs.vsctl("list-ports", "hnlan0").split(), "the uplink to be made again")
        host._wait(lambda: ping(vm.ns, "10.93.0.2", wait=1), "the LAN to be reachable again", timeout=20)
        assert "were deleted by someone else" in host.daemon_log()
    finally:
        close(host)


def test_an_uplink_vswitchd_cannot_add_fails_the_start_and_leaves_nothing():
    host = Host(dpdk="init")
    try:
        host.ctl("net-define", host.write_xml("lan", LAN.replace("iface=hnwire", "iface=hnnowire")))
        err = host.ctl_error("net-start", "lan")
        # The uplink DPDK refused is named, not the net_tap one beside it that worked.
        assert "DPDK uplink (dpdk-devargs 'net_af_packet0,iface=hnnowire'): " in err, err
        assert "could not add port lan0" in err and "ovs-vswitchd's log" in err, err
        assert host.ovs.vsctl("list-br").split() == []
        host._wait(lambda: not {"hnlan0", "hndtap0"} & set(host.links()), "the bridge and net_tap devices to go")
        assert not json.loads(host.ctl("net-info", "lan", "--json").stdout)["active"]
        assert "hnnowire" in host.ctl("net-dumpxml", "lan").stdout, "the definition is kept"
    finally:
        close(host)


def test_vhost_user_ports_in_one_batch_with_queues_and_ovn_ids_come_back_when_deleted():
    host = Host(dpdk="init")
    try:
        host.ctl("net-create", host.write_xml("fast", FAST))
        ids = ["5f0c3d9a-0d8b-4c1f-9d6e-3a2b1c0d9e8f", "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"]
        run(["busctl", f"--address={host.bus_address}", "call", "org.hostnet1", "/org/hostnet1/network/fast",
             "org.hostnet1.Network", "CreatePorts", "aa{sv}", "2",
             *[a for i, iid in enumerate(ids) for a in ("4", "kind", "s", "vhost-user", "name", "s", f"mq{i}",
                                                        "queues", "u", "2", "interface-id", "s", iid)]], env=host.env)
        # A trunk with a jumbo MTU, as a router VM's uplink would be.
        host.ctl("port-create", "fast", "--kind", "vhost-user", "--name", "trunk", "--mtu", "9000", "--vlan", "10,20",
                 "--trunk")
        assert interface(host, "trunk", "mtu_request") == "9000"
        assert host.ovs.vsctl("get", "Port", "trunk", "trunks").strip() == "[10, 20]"
        assert host.ovs.vsctl("get", "Port", "trunk", "vlan_mode").strip() == "trunk"
        ports = {p["name"]: p for p in json.loads(host.ctl("port-list", "--json").stdout)}
        assert set(ports) == {"mq0", "mq1", "trunk"}
        assert 'iface-id="5f0c3d9a-0d8b-4c1f-9d6e-3a2b1c0d9e8f"' in interface(host, "mq0", "external_ids")
        info = json.loads(host.ctl("port-info", "mq0", "--json").stdout)
        assert "queues='2'" in host.ctl("port-dumpxml", "mq0").stdout
        # Two queue pairs negotiated by the frontend: OVS serves four vrings.
        tx = Frontend(host, info["socket"], "txonly", queues=2)
        host._wait(lambda: 'num_of_vrings="4"' in interface(host, "mq0", "status"), "OVS to take both queue pairs",
                   timeout=30)
        uuid = interface(host, "mq0", "_uuid")
        # testpmd's virtio-user server resets a connection that comes back within milliseconds
        # of the old one's end (QEMU's does not): the VM is stopped while the row is deleted.
        assert tx.stop()["TX-packets"] > 0

        # An admin's del-port: the row comes back with the same socket and ids.
        host.ovs.vsctl("del-port", "hndpdk0", "mq0")
        host._wait(lambda: "mq0" in host.ovs.vsctl("list-ports", "hndpdk0").split(), "the port to be made again")
        assert interface(host, "mq0", "_uuid") != uuid
        assert interface(host, "mq0", "options:vhost-server-path") == f'"{info["socket"]}"'
        assert 'iface-id="5f0c3d9a-0d8b-4c1f-9d6e-3a2b1c0d9e8f"' in interface(host, "mq0", "external_ids")
        tx = Frontend(host, info["socket"], "txonly", queues=2)
        host._wait(lambda: "status=connected" in interface(host, "mq0", "status"), "OVS to connect", timeout=30)
        assert tx.stop()["TX-packets"] > 0
    finally:
        close(host)


def test_a_vswitchd_restart_is_followed_frontends_reconnect_and_the_host_keeps_its_address():
    host = Host(dpdk="init")
    try:
        host.ctl("net-create", host.write_xml("fast", FAST))
        socks = {n: json.loads(host.ctl("port-create", "fast", "--kind", "vhost-user", "--name", n, "--json").stdout)["socket"]
                 for n in ("vt", "vr")}
        host.ctl("port-create", "fast", "--name", "tap1")
        vm = Topology(host).vm_on_port("a", "tap1", "10.92.0.21/24")
        tx, rx = Frontend(host, socks["vt"], "txonly"), Frontend(host, socks["vr"], "rxonly")
        connected = lambda: all("status=connected" in interface(host, n, "status") for n in ("vt", "vr"))  # noqa: E731
        host._wait(connected, "OVS to connect to both frontends", timeout=30)
        assert ping(vm.ns, "10.92.0.1")

        host.ovs.restart_vswitchd()
        host._wait(connected, "the new ovs-vswitchd to connect to both frontends", timeout=30)
        # vswitchd made the bridge's device anew: hostnet puts the host's address back on it.
        host._wait(lambda: "10.92.0.1/24" in host.addresses("hndpdk0"), "the bridge address to be restored", timeout=20)
        host._wait(lambda: ping(vm.ns, "10.92.0.1", wait=1), "the tap VM to reach the host again", timeout=20)
        # The new vswitchd's counters start at 0: frames flow again (statistics refresh every 5 s).
        host._wait(lambda: counter(host, "vr", "tx_packets") > 0, "frames to the receiver", timeout=20)
        assert tx.stop()["TX-packets"] > 0 and rx.stop()["RX-packets"] > 0
        assert sorted(host.ovs.vsctl("list-ports", "hndpdk0").split()) == ["tap1", "vr", "vt"], "no duplicate rows"
    finally:
        close(host)


def test_a_vhost_user_batch_ovsdb_refuses_leaves_no_port_row_or_socket_directory():
    host = Host(dpdk="init")
    try:
        host.ctl("net-create", host.write_xml("fast", FAST))
        # The admin's own row holds the name the batch's second port asks for.
        host.ovs.vsctl("add-br", "adminbr", "--", "set", "Bridge", "adminbr", "datapath_type=netdev", "--",
                       "add-port", "adminbr", "vu-taken", "--", "set", "Interface", "vu-taken", "type=internal")
        failed = run(["busctl", f"--address={host.bus_address}", "call", "org.hostnet1", "/org/hostnet1/network/fast",
                      "org.hostnet1.Network", "CreatePorts", "aa{sv}", "2",
                      "2", "kind", "s", "vhost-user", "name", "s", "vu-ok",
                      "2", "kind", "s", "vhost-user", "name", "s", "vu-taken"], env=host.env, check=False)
        assert failed.returncode != 0 and "vu-taken" in failed.stderr, failed.stderr
        assert json.loads(host.ctl("port-list", "--json").stdout) == []
        assert host.ovs.vsctl("list-ports", "hndpdk0").split() == []
        assert host.ovs.vsctl("list-ports", "adminbr").split() == ["vu-taken"], "the admin's row is left alone"
        assert list((host.state_dir / "vhost-user").glob("*")) == [], "socket directories rolled back"
    finally:
        close(host)

"""Networks on Open vSwitch: the same libvirt XML with <virtualport type='openvswitch'/>, with
hostnet talking OVSDB itself. Each test runs its own ovsdb-server and ovs-vswitchd (userspace
datapath: this kernel has no openvswitch module) in the test's namespace."""

import json
import pathlib
import random
import subprocess
import time

import pytest

from harness import HOSTNETCTL, Host, Topology, run


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
    # Counters from OVSDB's Interface.statistics (vswitchd refreshes them every 5 s), from the
    # guest's side: it sent and received.
    def counted():
        stats = json.loads(host.ctl("port-info", "p1", "--json").stdout)["statistics"]
        return stats["tx_packets"] > 0 and stats["rx_packets"] > 0
    host._wait(counted, "Interface.statistics to count the VM's packets", timeout=20)
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


def _ovs_backend(host):
    backends = json.loads(host.sh(f"busctl --address={host.bus_address} get-property org.hostnet1 /org/hostnet1 "
                                  "org.hostnet1.Manager Backends --json=short").stdout)["data"]
    return backends["ovs"]["Available"]["data"], backends["ovs"]["Reason"]["data"]


def test_a_hung_ovsdb_server_is_noticed_by_its_keepalive_and_does_not_hold_hostnetd(ovs_host):
    # A stopped ovsdb-server keeps its socket open: only an unanswered echo tells it from an idle one.
    host = ovs_host
    start(host)
    host.ovs.pause_server()
    try:
        host._wait(lambda: not _ovs_backend(host)[0], "the ovs backend to report a hung ovsdb-server", timeout=30)
        assert "taken for hung" in _ovs_backend(host)[1] or "did not answer an echo" in _ovs_backend(host)[1]
        # Every call is answered meanwhile; OVS ones say why they cannot be done.
        assert "ovsnet" in host.networks()
        error = host.ctl_error("port-create", "ovsnet", "--name", "during")
        assert "Unsupported" in error and "Open vSwitch is not reachable" in error, error
        assert host.link("during") is None
    finally:
        host.ovs.resume_server()
    host._wait(lambda: _ovs_backend(host)[0], "hostnetd to reconnect once ovsdb-server answers", timeout=30)
    host.ctl("port-create", "ovsnet", "--name", "after")
    assert int(host.ovs.vsctl("get", "Interface", "after", "ofport")) > 0


def test_without_ovsdb_server_the_backend_says_why_and_ovs_networks_do_not_start(host):
    available, reason = _ovs_backend(host)
    assert available is False
    assert "Open vSwitch is not reachable" in reason
    host.ctl("net-define", host.write_xml("ovsnet", ovs_network()))
    error = host.ctl_error("net-start", "ovsnet")
    assert error.startswith("error: Unsupported:") and "Open vSwitch is not reachable" in error, error
    assert host.link("hnovs0") is None


def test_a_nat_network_on_ovs_gives_leases_and_masquerades(ovs_host):
    from harness import TcpServer, tcp_connect
    from test_dhcp_dns import dhcp_client
    host = ovs_host
    host.ctl("net-create", host.write_xml("ovsnet", """<network><name>ovsnet</name><forward mode='nat'/>
      <bridge name='hnovs0'/><virtualport type='openvswitch'/>
      <ip address='10.81.0.1' prefix='24'><dhcp><range start='10.81.0.100' end='10.81.0.150'/></dhcp></ip>
      </network>"""))
    topo = Topology(host)
    outside = topo.outside()
    host.ctl("port-create", "ovsnet", "--name", "natvm", "--mac", "52:54:00:81:00:01")
    vm = topo.namespace("natvm")
    relay = __import__("harness").VmManager(host, "natvm", "relay", ns=vm)
    run(["ip", "-n", vm, "link", "set", "eth0", "address", "52:54:00:81:00:01", "up"])
    ip = dhcp_client(host, vm)
    assert ip.startswith("10.81.0.1")
    leases = json.loads(host.ctl("net-dhcp-leases", "ovsnet", "--json").stdout)
    assert [l["ip"] for l in leases] == [ip]
    run(["ip", "-n", vm, "route", "add", "default", "via", "10.81.0.1"])
    server = TcpServer(host, outside, Topology.OUTSIDE, 9000)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    assert server.next_peer() == Topology.UPLINK_HOST, "the VM's traffic was not masqueraded"
    relay.close()


def test_ports_and_bridge_are_adopted_after_a_hostnetd_restart(ovs_host):
    host = ovs_host
    start(host)
    for i in range(5):
        host.ctl("port-create", "ovsnet", "--name", f"keep{i}", "--vlan", 30 + i)
    uuids = host.ovs.vsctl("--columns=_uuid,name", "--format=json", "list", "Port")
    host.restart_daemon(kill9=True)
    assert host.ovs.vsctl("--columns=_uuid,name", "--format=json", "list", "Port") == uuids, "rows were rewritten"
    assert host.ovs.vsctl("get", "Port", "keep3", "tag").strip() == "33"


def test_an_admins_ovs_bridge_and_rows_are_left_alone(ovs_host):
    host = ovs_host
    host.ovs.vsctl("add-br", "adminbr", "--", "set", "Bridge", "adminbr", "datapath_type=netdev")
    error = host.ctl_error("net-define", host.write_xml("taken", ovs_network("taken").replace("hnovs0", "adminbr")))
    assert "Conflict" in error and "adminbr" in error, error
    # An Interface row of the admin's, with a name hostnet then asks for: OVSDB refuses the
    # transaction, its text comes back, and hostnet's tap is gone again.
    host.ovs.vsctl("--", "--id=@i", "create", "Interface", "name=vm7", "--", "--id=@p", "create", "Port", "name=p7",
                   "interfaces=@i", "--", "add", "Bridge", "adminbr", "ports", "@p")
    start(host)
    error = host.ctl_error("port-create", "ovsnet", "--name", "vm7")
    assert "vm7" in error and "index" in error, error  # OVSDB: "... identical values (vm7) for index on column name"
    assert host.link("vm7") is None
    assert "vm7" not in host.ctl("port-list").stdout
    host.ctl("net-destroy", "ovsnet")
    assert "adminbr" in host.ovs.vsctl("list-br")
    assert host.ovs.vsctl("list-ports", "adminbr").split() == ["p7"]


@pytest.mark.parametrize("mode", ["route", "none"])
def test_routed_and_isolated_networks_on_ovs_behave_as_on_a_kernel_bridge(ovs_host, mode):
    from harness import TcpServer, tcp_connect
    host = ovs_host
    forward = "<forward mode='route'/>" if mode == "route" else ""
    host.ctl("net-create", host.write_xml("ovsnet", f"""<network><name>ovsnet</name>{forward}
      <bridge name='hnovs0'/><virtualport type='openvswitch'/><ip address='10.82.0.1' prefix='24'/></network>"""))
    topo = Topology(host)
    outside = topo.outside(routes_back=["10.82.0.0/24"])
    host.ctl("port-create", "ovsnet", "--name", "vm")
    vm = topo.vm_on_port("vm", "vm", "10.82.0.5/24", gateway="10.82.0.1")
    server = TcpServer(host, outside, Topology.OUTSIDE, 9000)
    assert ping(vm.ns, "10.82.0.1")
    if mode == "route":
        assert tcp_connect(vm.ns, Topology.OUTSIDE, 9000), "a routed network's VM cannot reach the outside"
        assert server.next_peer() == "10.82.0.5", "a routed network must not masquerade"
    else:
        assert not tcp_connect(vm.ns, Topology.OUTSIDE, 9000, timeout=1.5), "an isolated network's VM got out"


def test_an_internal_port_is_a_device_for_the_host_made_by_ovs(ovs_host):
    host = ovs_host
    start(host)
    host.ctl("port-create", "ovsnet", "--kind", "internal", "--name", "mgmt0", "--mac", "52:54:00:00:00:99")
    assert host.ovs.vsctl("get", "Interface", "mgmt0", "type").strip() == "internal"
    link = host.link("mgmt0")
    assert link is not None and "UP" in link["flags"] and link["address"] == "52:54:00:00:00:99"
    assert link.get("ifalias", "").startswith("hostnet-port:")
    info = json.loads(host.ctl("port-info", "mgmt0", "--json").stdout)
    assert info["kind"] == "internal" and info["ifindex"] == link["ifindex"]
    assert "no fds" in json.dumps(subprocess.run(
        ["/usr/bin/python3", str(__import__("harness").VMM), "open", __import__("harness").port_path(host, "mgmt0"), "0"],
        capture_output=True, text=True, env=host.env).stdout)
    assert "Unsupported" in host.ctl_error("port-dumpxml", "mgmt0")
    assert "an internal port has no fds" in host.ctl_error("port-create", "ovsnet", "--kind", "internal", "--owner", 0)
    host.restart_daemon(kill9=True)
    assert host.link("mgmt0")["ifindex"] == link["ifindex"]
    host.ctl("port-delete", "mgmt0")
    host._wait(lambda: host.link("mgmt0") is None, "vswitchd to remove the internal port's device")
    assert "mgmt0" not in host.ovs.vsctl("list-ports", "hnovs0").split()


def test_internal_ports_are_refused_on_a_kernel_bridge(host):
    host.ctl("net-create", host.write_xml("kb", "<network><name>kb</name><bridge name='hnkb0'/>"
                                                "<ip address='10.83.0.1' prefix='24'/></network>"))
    before = set(host.links())
    error = host.ctl_error("port-create", "kb", "--kind", "internal")
    assert error.startswith("error: Unsupported:") and "Open vSwitch" in error, error
    assert set(host.links()) == before


def _ctl_in_background(host, *args):
    """hostnetctl in the background (port-create returns when OVS has taken the port)."""
    return subprocess.Popen([str(HOSTNETCTL), *map(str, args)], env=host.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _held_by_stopped_vswitchd(host, args, committed, what):
    """Stops vswitchd and runs hostnetctl args in the background, until `committed()` shows its
    rows are in OVSDB: the command is then held at vswitchd. Resumes vswitchd if that never comes."""
    host.ovs.pause_vswitchd()
    held = _ctl_in_background(host, *args)
    try:
        host._wait(committed, what)
    except AssertionError:
        host.ovs.resume_vswitchd()
        raise
    return held


def _port_add_with_vswitchd_stopped(host, name):
    return _held_by_stopped_vswitchd(host, ("port-create", "ovsnet", "--name", name),
                                     lambda: name in host.ovs.vsctl("list-ports", "hnovs0").split(), "the Port row")


def test_hostnetd_keeps_serving_while_vswitchd_has_yet_to_take_ports(ovs_host):
    # A port add answers only once ovs-vswitchd has given the port an ofport. With vswitchd stopped
    # the rows are committed but nobody takes them: the callers wait, everyone else is served.
    host = ovs_host
    start(host)
    host.ovs.pause_vswitchd()
    try:
        slow = [_ctl_in_background(host, "port-create", "ovsnet", "--name", name) for name in ("slow1", "slow2")]
        host._wait(lambda: {"slow1", "slow2"} <= set(host.ovs.vsctl("list-ports", "hnovs0").split()),
                   "both Port rows to be committed")
        assert "ovsnet" in host.networks(), "hostnetd did not answer net-list while a port add was waiting"
        assert json.loads(host.ctl("port-list", "--json").stdout) == [], "ports are listed before OVS took them"
        assert all(p.poll() is None for p in slow), "a port add returned before ovs-vswitchd took the port"
    finally:
        host.ovs.resume_vswitchd()
    for p in slow:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    for name in ("slow1", "slow2"):
        assert int(host.ovs.vsctl("get", "Interface", name, "ofport")) > 0
    assert sorted(p["name"] for p in json.loads(host.ctl("port-list", "--json").stdout)) == ["slow1", "slow2"]


def test_a_port_vswitchd_never_takes_is_rolled_back_with_the_reason(ovs_host):
    host = ovs_host
    start(host)
    host.ovs.pause_vswitchd()
    try:
        err = host.ctl_error("port-create", "ovsnet", "--name", "stuck")
        assert "ovs-vswitchd did not take it within" in err, err
        # Nothing of it is left: no tap, no Port row, no port.
        assert host.link("stuck") is None
        assert "stuck" not in host.ovs.vsctl("list-ports", "hnovs0").split()
        assert json.loads(host.ctl("port-list", "--json").stdout) == []
    finally:
        host.ovs.resume_vswitchd()
    host.ctl("port-create", "ovsnet", "--name", "stuck")
    assert int(host.ovs.vsctl("get", "Interface", "stuck", "ofport")) > 0


def test_net_destroy_does_not_wait_for_vswitchd_to_remove_the_bridge(ovs_host):
    # The rows go at once; vswitchd removes the device when it gets to it (seconds for a bridge of
    # a thousand ports). Starting the network again meanwhile waits for the old device to go, so
    # the new bridge's address lands on the new device.
    host = ovs_host
    start(host)
    host.ctl("port-create", "ovsnet", "--name", "p1")
    host.ovs.pause_vswitchd()
    try:
        host.ctl("net-destroy", "ovsnet")
        assert run(["ovs-vsctl", f"--db=unix:{host.ovs.socket}", "br-exists", "hnovs0"], check=False).returncode == 2
        assert host.link("hnovs0") is not None, "vswitchd is stopped: the old device must still be there"
        assert "ovsnet" not in host.networks()
        starting = _ctl_in_background(host, "net-create", host.write_xml("ovsnet", ovs_network()))
        time.sleep(0.5)
        assert starting.poll() is None, "the network started on the old bridge device"
    finally:
        host.ovs.resume_vswitchd()
    out, err = starting.communicate(timeout=60)
    assert starting.returncode == 0, err
    assert "10.80.0.1/24" in host.addresses("hnovs0")
    host.ctl("port-create", "ovsnet", "--name", "p1")
    assert int(host.ovs.vsctl("get", "Interface", "p1", "ofport")) > 0


def test_hostnetd_stopping_while_a_port_add_waits_leaves_nothing_behind(ovs_host):
    host = ovs_host
    start(host)
    waiting = _port_add_with_vswitchd_stopped(host, "late")
    try:
        host.stop_daemon()
        waiting.communicate(timeout=30)
        assert waiting.returncode != 0, "a port add answered although vswitchd never took the port"
        assert "late" not in host.ovs.vsctl("list-ports", "hnovs0").split()
        assert host.link("late") is None
    finally:
        host.ovs.resume_vswitchd()
    host.start_daemon()
    assert json.loads(host.ctl("port-list", "--json").stdout) == []


def test_a_port_add_waiting_when_its_network_stops_fails_at_once_with_why(ovs_host):
    host = ovs_host
    start(host)
    waiting = _port_add_with_vswitchd_stopped(host, "orphan")
    try:
        host.ctl("net-destroy", "ovsnet")
        out, err = waiting.communicate(timeout=30)
        assert waiting.returncode != 0
        assert "bridge was deleted before ovs-vswitchd took the port" in err, err
        assert host.link("orphan") is None
    finally:
        host.ovs.resume_vswitchd()


def _br_exists(host, name):
    return run(["ovs-vsctl", f"--db=unix:{host.ovs.socket}", "br-exists", name], check=False).returncode == 0


def _start_with_vswitchd_stopped(host):
    """net-start of a defined OVS network, held at vswitchd making the bridge."""
    host.ctl("net-define", host.write_xml("ovsnet", ovs_network()))
    return _held_by_stopped_vswitchd(host, ("net-start", "ovsnet"), lambda: _br_exists(host, "hnovs0"), "the Bridge row")


def test_hostnetd_keeps_serving_while_vswitchd_makes_a_bridge(ovs_host):
    # Starting an OVS network waits for vswitchd to make the bridge's device; the loop does not.
    host = ovs_host
    starting = _start_with_vswitchd_stopped(host)
    try:
        assert host.networks()["ovsnet"]["active"] is False, "hostnetd did not answer, or called it active early"
        assert "is starting" in host.ctl_error("net-destroy", "ovsnet")
        assert "is starting" in host.ctl_error("net-undefine", "ovsnet")
        assert starting.poll() is None, "net-start returned before vswitchd made the bridge"
    finally:
        host.ovs.resume_vswitchd()
    out, err = starting.communicate(timeout=60)
    assert starting.returncode == 0, err
    assert host.networks()["ovsnet"]["active"] is True
    assert "10.80.0.1/24" in host.addresses("hnovs0")
    host.ctl("port-create", "ovsnet", "--name", "p1")
    assert int(host.ovs.vsctl("get", "Interface", "p1", "ofport")) > 0


def test_hostnetd_stopping_while_a_network_starts_leaves_no_bridge_behind(ovs_host):
    host = ovs_host
    starting = _start_with_vswitchd_stopped(host)
    try:
        host.stop_daemon()
        starting.communicate(timeout=30)
        assert starting.returncode != 0
    finally:
        host.ovs.resume_vswitchd()
    # The next hostnetd finds a bridge of hostnet's for a network that is not active: it goes.
    host.start_daemon()
    host._wait(lambda: not _br_exists(host, "hnovs0"), "the orphan bridge to be removed")
    assert host.networks()["ovsnet"]["active"] is False
    host.ctl("net-start", "ovsnet")
    assert "10.80.0.1/24" in host.addresses("hnovs0")


def test_a_port_add_waiting_when_the_bus_is_lost_completes_and_its_reply_goes_nowhere(ovs_host):
    # The pending reply belongs to the lost connection: it is sent (and fails, logged) when
    # vswitchd takes the port, after hostnetd is on a new bus. The port is made all the same.
    host = ovs_host
    start(host)
    waiting = _port_add_with_vswitchd_stopped(host, "inflight")
    try:
        host.restart_bus()
        host._wait(lambda: host.ctl("net-list", check=False).returncode == 0, "hostnetd on the new bus")
        waiting.communicate(timeout=30)
        assert waiting.returncode != 0, "the caller's bus is gone: it cannot have had an answer"
    finally:
        host.ovs.resume_vswitchd()
    host._wait(lambda: "inflight" in {p["name"] for p in json.loads(host.ctl("port-list", "--json").stdout)},
               "the port vswitchd took after the bus came back")
    assert int(host.ovs.vsctl("get", "Interface", "inflight", "ofport")) > 0
    host._wait(lambda: "could not send a reply" in host.daemon_log(), "the reply's failure to be logged")


def openflow(target, fail_mode):
    return (f"<metadata><hostnet:network xmlns:hostnet='https://hostnet.dev/xmlns/network/1.0'>"
            f"<hostnet:openflow fail-mode='{fail_mode}' protocols='OpenFlow10,OpenFlow13'>"
            f"<hostnet:controller target='{target}'/></hostnet:openflow></hostnet:network></metadata>")


def controller_connected(host):
    return "is_connected        : true" in host.ovs.vsctl("list", "Controller")


def test_an_openflow_controller_drives_the_bridge_and_the_fail_mode_holds_without_it(ovs_host):
    """<hostnet:openflow> on an OVS network: the bridge's controller, fail_mode and protocols are
    hostnet's. Traffic follows a real controller (Debian's ovs-testcontroller, a learning switch);
    with none connected, 'secure' forwards nothing and 'standalone' learns by itself. A restart
    puts back what an admin changed by hand."""
    host = ovs_host
    port = random.randint(20000, 40000)  # never 6653: the host may run a controller of its own
    target = f"tcp:127.0.0.1:{port}"
    start(host, extra=openflow(target, "secure"))
    assert host.ovs.vsctl("get-controller", "hnovs0").split() == [target]
    assert host.ovs.vsctl("get-fail-mode", "hnovs0").strip() == "secure"
    assert host.ovs.vsctl("get", "Bridge", "hnovs0", "protocols").strip() == "[OpenFlow10, OpenFlow13]"
    topo = Topology(host)
    host.ctl("port-create", "ovsnet", "--name", "p1")
    host.ctl("port-create", "ovsnet", "--name", "p2")
    a = topo.vm_on_port("a", "p1", "10.80.0.11/24")
    topo.vm_on_port("b", "p2", "10.80.0.12/24")
    assert not ping(a.ns, "10.80.0.12"), "fail-mode secure with no controller connected must forward nothing"
    assert f"Controller:     {target} (not connected)" in host.ctl("net-info", "ovsnet").stdout

    # Its control socket in the test's directory: the default one is in the host's OVS run dir.
    controller = subprocess.Popen(["ip", "netns", "exec", host.ns, "ovs-testcontroller",
                                   f"--unixctl={host.tmp}/testcontroller.ctl", f"ptcp:{port}:127.0.0.1"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host.processes.append(controller)
    host._wait(lambda: controller_connected(host), "the bridge to connect to ovs-testcontroller")
    # As the network reports it (D-Bus Controllers, net-info); "other": an OpenFlow 1.0 controller asks for no role.
    host._wait(lambda: json.loads(host.ctl("net-info", "ovsnet", "--json").stdout)["controllers"] ==
               [{"target": target, "connected": True, "role": "other"}], "net-info to show the controller connected")
    assert f"Controller:     {target} (connected, role other)" in host.ctl("net-info", "ovsnet").stdout
    host._wait(lambda: ping(a.ns, "10.80.0.12", wait=1), "the VMs to reach each other through the controller's flows")

    # An admin's hand-made change is put back by the next hostnetd (the network says secure).
    host.ovs.vsctl("set-fail-mode", "hnovs0", "standalone")
    host.ovs.vsctl("del-controller", "hnovs0")
    host.restart_daemon()
    assert host.ovs.vsctl("get-fail-mode", "hnovs0").strip() == "secure"
    assert host.ovs.vsctl("get-controller", "hnovs0").split() == [target]

    # Standalone, the controller gone: the bridge learns as a plain switch.
    controller.terminate()
    controller.wait(timeout=10)
    host.ctl("net-destroy", "ovsnet")
    start(host, extra=openflow(target, "standalone"))
    assert host.ovs.vsctl("get-fail-mode", "hnovs0").strip() == "standalone"
    host.ctl("port-create", "ovsnet", "--name", "p3")
    host.ctl("port-create", "ovsnet", "--name", "p4")
    c = topo.vm_on_port("c", "p3", "10.80.0.13/24")
    topo.vm_on_port("d", "p4", "10.80.0.14/24")
    assert not controller_connected(host)
    host._wait(lambda: ping(c.ns, "10.80.0.14", wait=1), "the VMs to reach each other with no controller, standalone")


def test_openflow_on_a_kernel_bridge_is_refused_and_nothing_is_made(host):
    xml = ("<network><name>kernel</name><bridge name='hnkof0'/><ip address='10.81.0.1' prefix='24'/>"
           + openflow("tcp:127.0.0.1:6653", "secure") + "</network>")
    host.ctl("net-define", host.write_xml("kernel", xml))
    err = host.ctl_error("net-start", "kernel")
    assert "the kernel bridge has no OpenFlow; OpenFlow controllers need an Open vSwitch network" in err, err
    assert "hnkof0" not in host.links()
    assert not host.networks()["kernel"]["active"]


def test_openflow_settings_change_live_with_net_update_and_leave_the_ports_alone(ovs_host):
    """net-update NET modify hostnet-openflow XML --live --config: the bridge's controllers and
    fail mode change while the network runs; its ports stay (same ofport) and traffic resumes
    under the new mode; delete takes the settings away (OVS's defaults again)."""
    host = ovs_host
    target = f"tcp:127.0.0.1:{random.randint(20000, 40000)}"  # nothing listens there
    host.ctl("net-define", host.write_xml("ovsnet", ovs_network(extra=openflow(target, "secure"))))
    host.ctl("net-start", "ovsnet")
    topo = Topology(host)
    host.ctl("port-create", "ovsnet", "--name", "p1")
    host.ctl("port-create", "ovsnet", "--name", "p2")
    a = topo.vm_on_port("a", "p1", "10.80.0.11/24")
    topo.vm_on_port("b", "p2", "10.80.0.12/24")
    assert not ping(a.ns, "10.80.0.12"), "secure with no controller connected must forward nothing"
    ofports = [host.ovs.vsctl("get", "Interface", p, "ofport").strip() for p in ("p1", "p2")]

    other = f"tcp:127.0.0.1:{random.randint(40001, 60000)}"
    host.ctl("net-update", "ovsnet", "modify", "hostnet-openflow",
             f"<hostnet:openflow fail-mode='standalone'><hostnet:controller target='{other}'/></hostnet:openflow>",
             "--live", "--config")
    assert host.ovs.vsctl("get-fail-mode", "hnovs0").strip() == "standalone"
    assert host.ovs.vsctl("get-controller", "hnovs0").split() == [other]
    assert host.ovs.vsctl("get", "Bridge", "hnovs0", "protocols").strip() == "[]"
    host._wait(lambda: ping(a.ns, "10.80.0.12", wait=1), "traffic under standalone after the live update")
    assert [host.ovs.vsctl("get", "Interface", p, "ofport").strip() for p in ("p1", "p2")] == ofports
    assert f"<hostnet:controller target=\"{other}\"/>" in host.ctl("net-dumpxml", "ovsnet").stdout
    assert f"<hostnet:controller target=\"{other}\"/>" in host.ctl("net-dumpxml", "ovsnet", "--inactive").stdout

    host.ctl("net-update", "ovsnet", "delete", "hostnet-openflow", "<hostnet:openflow/>", "--live", "--config")
    assert host.ovs.vsctl("get-fail-mode", "hnovs0").strip() == ""
    assert host.ovs.vsctl("get-controller", "hnovs0").strip() == ""
    assert "openflow" not in host.ctl("net-dumpxml", "ovsnet").stdout

    # A bad fragment changes nothing and says why.
    err = host.ctl_error("net-update", "ovsnet", "modify", "hostnet-openflow",
                         "<hostnet:openflow fail-mode='open'/>", "--live", "--config")
    assert "fail-mode='open'>: must be secure or standalone" in err, err
    assert host.ovs.vsctl("get-fail-mode", "hnovs0").strip() == ""


def test_an_os_ken_application_keeps_two_ports_apart(ovs_host):
    """A controller application no one here wrote the framework of (os-ken, Debian's
    python3-os-ken) installs flows that send what two VMs send only to the host: each still
    reaches the host, not the other."""
    host = ovs_host
    port = random.randint(20000, 40000)
    target = f"tcp:127.0.0.1:{port}"
    start(host, extra=openflow(target, "secure"))
    topo = Topology(host)
    host.ctl("port-create", "ovsnet", "--name", "p1")
    host.ctl("port-create", "ovsnet", "--name", "p2")
    a = topo.vm_on_port("a", "p1", "10.80.0.11/24")
    topo.vm_on_port("b", "p2", "10.80.0.12/24")
    ofports = [host.ovs.vsctl("get", "Interface", p, "ofport").strip() for p in ("p1", "p2")]
    env = dict(host.env, KEEP_APART_PORTS=",".join(ofports))
    app = subprocess.Popen(["ip", "netns", "exec", host.ns, "osken-manager", "--ofp-listen-host", "127.0.0.1",
                            "--ofp-tcp-listen-port", str(port), str(pathlib.Path(__file__).parent / "openflow" / "keep_apart.py")],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host.processes.append(app)
    host._wait(lambda: controller_connected(host), "the bridge to connect to the os-ken application", timeout=60)
    def flows():  # vswitchd's management socket is in the test's OVS run directory
        return run(["ip", "netns", "exec", host.ns, "ovs-ofctl", "-O", "OpenFlow13", "dump-flows", "hnovs0"],
                   env=host.ovs.env, check=False).stdout
    host._wait(lambda: "priority=100,in_port" in flows(), "the application's flows", timeout=30)
    host._wait(lambda: ping(a.ns, "10.80.0.1", wait=1), "VM a to reach the host through the application's flows")
    assert not ping(a.ns, "10.80.0.12"), "the application keeps p1 and p2 apart, yet a reached b"

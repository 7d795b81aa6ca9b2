"""VM ports: taps hostnetd makes and plugs into a network, handed to VM managers as fds over D-Bus.
A test program in the role of a VM manager (vmm.py) gets the fds and moves real frames through
them; a "VM" is a namespace whose eth0 that program connects to the port."""

import json
import os
import re
import subprocess
import time

import pytest

from harness import Topology, VmManager, run, vmm_run


def network(name="ports", subnet="10.77.0", extra="", stp="off", bridge="hnp0"):
    return (f"<network><name>{name}</name><bridge name='{bridge}' stp='{stp}'/>"
            f"<ip address='{subnet}.1' prefix='24'/>{extra}</network>")


@pytest.fixture
def net(host):
    def start(extra="", stp="off"):
        host.ctl("net-create", host.write_xml("ports", network(extra=extra, stp=stp)))
    return start


def ports(host):
    return {p["name"]: p for p in json.loads(host.ctl("port-list", "--json").stdout)}


def port_links(host):
    return {n: l for n, l in host.links().items() if l.get("linkinfo", {}).get("info_kind") in ("tun", "ifb")}


def ping(ns, addr, count=1, wait=2):
    return run(["ip", "netns", "exec", ns, "ping", "-c", str(count), "-W", str(wait), addr], check=False).returncode == 0


@pytest.mark.parametrize("queues", [1, 4])
def test_a_vm_manager_moves_frames_through_every_queue_fd(host, net, queues):
    net(stp="on")  # libvirt's default: the tap's bridge port learns before it forwards
    peer = Topology(host).vm("peer", "hnp0", "10.77.0.2/24", mac="52:54:00:aa:00:02")
    host.ctl("port-create", "ports", "--name", "vm0", "--mac", "52:54:00:12:34:56", "--queues", queues)
    link = host.link("vm0")
    assert link["master"] == "hnp0" and "UP" in link["flags"]
    assert link["linkinfo"]["info_data"]["type"] == "tap" and link["linkinfo"]["info_data"]["vnet_hdr"]
    assert link["linkinfo"]["info_data"]["multi_queue"] == (queues > 1)

    result = vmm_run(host, "arp", "vm0", queues, "52:54:00:12:34:56", "10.77.0.50", "10.77.0.2")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines == [f"queue {i}: reply from 52:54:00:aa:00:02" for i in range(queues)], result.stdout
    # And the "vm" namespace learned the port's guest MAC from the request it answered.
    neigh = run(["ip", "-n", peer, "neigh", "show", "10.77.0.50"]).stdout
    assert "52:54:00:12:34:56" in neigh


def test_only_root_and_the_owner_open_a_ports_fds(host, net):
    net()
    host.ctl("port-create", "ports", "--name", "owned", "--owner", 65534, "--queues", 2)
    assert vmm_run(host, "open", "owned", 0, as_user=65534).stdout.strip() == "taps 2 vhosts 0"
    other = vmm_run(host, "open", "owned", 0, as_user=1)
    assert other.stdout.startswith("error org.hostnet1.Error.PermissionDenied"), other.stdout + other.stderr
    assert vmm_run(host, "open", "owned", 1).stdout.strip() == "taps 1 vhosts 0"  # root
    too_many = vmm_run(host, "open", "owned", 3)
    assert "InvalidArgument" in too_many.stdout and "has 2 queues" in too_many.stdout
    # No /dev/vhost-net on this kernel: said on the port, and nothing failed above.
    info = json.loads(host.ctl("port-info", "owned", "--json").stdout)
    assert info["vhost_net"] is False and info["owner"] == 65534
    assert "vhost-net" in host.ctl("port-info", "owned").stdout


def test_isolated_ports_reach_the_bridge_but_not_each_other(host, net):
    net()
    topo = Topology(host)
    host.ctl("port-create", "ports", "--name", "iso1", "--isolated")
    host.ctl("port-create", "ports", "--name", "iso2", "--isolated")
    host.ctl("port-create", "ports", "--name", "open1")
    a = topo.vm_on_port("a", "iso1", "10.77.0.11/24")
    b = topo.vm_on_port("b", "iso2", "10.77.0.12/24")
    c = topo.vm_on_port("c", "open1", "10.77.0.13/24")
    assert host.link("iso1")["linkinfo"]["info_slave_data"]["isolated"] is True
    assert host.link("open1")["linkinfo"]["info_slave_data"]["isolated"] is False
    assert ping(a.ns, "10.77.0.1") and ping(b.ns, "10.77.0.1"), "isolated ports must reach the bridge"
    assert not ping(a.ns, "10.77.0.12", wait=1), "two isolated ports reached each other"
    assert ping(c.ns, "10.77.0.11") and ping(c.ns, "10.77.0.12"), "a non-isolated port must reach isolated ones"
    assert json.loads(host.ctl("port-info", "iso1", "--json").stdout)["isolated"] is True


def test_network_wide_isolation_applies_to_every_port(host, net):
    net(extra="<port isolated='yes'/>")
    host.ctl("port-create", "ports", "--name", "p1")
    assert host.link("p1")["linkinfo"]["info_slave_data"]["isolated"] is True


def test_a_vlan_on_a_kernel_without_vlan_filtering_is_refused_and_creates_nothing(host, net):
    net(extra="<portgroup name='web'><vlan><tag id='42'/></vlan></portgroup>")
    backends = host.sh(f"busctl --address={host.bus_address} get-property org.hostnet1 /org/hostnet1 "
                       "org.hostnet1.Manager Backends --json=short").stdout
    assert "vlan-filtering" not in json.loads(backends)["data"]["bridge"]["Capabilities"]["data"]
    before = set(host.links())
    for args in (["--vlan", "10"], ["--vlan", "10,20", "--native-vlan", "10"], ["--portgroup", "web"]):
        error = host.ctl_error("port-create", "ports", "--name", "tagged", *args)
        assert error.startswith("error: Unsupported:") and "VLAN filtering" in error, error
    assert set(host.links()) == before
    assert ports(host) == {}
    assert "a VLAN tag is 1..4094" in host.ctl_error("port-create", "ports", "--vlan", "4095")


def test_bandwidth_makes_the_classes_libvirt_would(host, net):
    net(extra="<portgroup name='slow'><bandwidth><inbound average='1000'/></bandwidth></portgroup>")
    host.ctl("port-create", "ports", "--name", "shaped", "--inbound", "1000,2000,256", "--outbound", "500,1000,64")
    tap_classes = host.sh("tc class show dev shaped").stdout
    assert "class htb 1:1 root" in tap_classes and "rate 8Mbit ceil 16Mbit burst 256Kb" in tap_classes
    assert "htb 1: root" in host.sh("tc qdisc show dev shaped").stdout
    port = ports(host)["shaped"]
    ifb = f"hb-{port['id']}"
    assert "mirred (Egress Redirect to device " + ifb in host.sh("tc filter show dev shaped parent ffff:").stdout
    assert "rate 4Mbit ceil 8Mbit burst 64Kb" in host.sh(f"tc class show dev {ifb}").stdout
    # A portgroup's bandwidth is inherited.
    host.ctl("port-create", "ports", "--name", "grouped", "--portgroup", "slow")
    assert "rate 8Mbit" in host.sh("tc class show dev grouped").stdout
    # The ifb goes with its port.
    host.ctl("port-delete", "shaped")
    assert host.link(ifb) is None and host.link("shaped") is None


def test_ports_survive_a_hostnetd_kill_and_restart_untouched(host, net):
    net()
    host.ctl("port-create", "ports", "--name", "vmport")
    vm = Topology(host).vm_on_port("vm", "vmport", "10.77.0.9/24")
    bus = f"--address={host.bus_address}"
    run(["busctl", bus, "call", "org.hostnet1", "/org/hostnet1/network/ports", "org.hostnet1.Network",
         "CreatePorts", "aa{sv}", "99", *(["2", "queues", "u", "2", "isolated", "b", "true"] * 99)], env=host.env)
    before = {n: (l["ifindex"], l["master"], l["address"], l.get("ifalias"), "UP" in l["flags"]) for n, l in port_links(host).items()}
    assert len(before) == 100
    # A count, not a deadline (-w): a reply still on its way when a deadline ends counts as
    # lost, which on a loaded machine fails a run in which no packet was lost.
    pinger = subprocess.Popen(["ip", "netns", "exec", vm.ns, "ping", "-i", "0.02", "-c", "400", "10.77.0.1"],
                              stdout=subprocess.PIPE, text=True)
    host.processes.append(pinger)
    time.sleep(1)
    host.restart_daemon(kill9=True)
    out, _ = pinger.communicate(timeout=30)
    after = {n: (l["ifindex"], l["master"], l["address"], l.get("ifalias"), "UP" in l["flags"]) for n, l in port_links(host).items()}
    assert after == before
    assert len(ports(host)) == 100
    assert all(p["queues"] == 2 and p["isolated"] for n, p in ports(host).items() if n != "vmport")
    assert " 0% packet loss" in out, out
    assert "100 ports restored" in host.daemon_log()
    # The journal says what the restart cost, phase by phase.
    assert re.search(r"reconciled 1 network in \d+ ms and 100 ports in \d+ ms", host.daemon_log())


def test_deleting_a_port_a_vm_still_holds_lets_the_device_go_when_the_vm_does(host, net):
    net()
    host.ctl("port-create", "ports", "--name", "held", "--queues", 2)
    vmm = VmManager(host, "held", "hold")
    assert vmm.first_line == "holding 2"
    host.ctl("port-delete", "held")
    assert "held" not in ports(host)
    link = host.link("held")
    assert link is not None and "master" not in link, "the device must leave the bridge at once"
    vmm.close()
    host._wait(lambda: host.link("held") is None, "the tap to go with its last fd")
    host.ctl("port-list")  # the daemon is alive


def test_interface_xml_is_what_libvirt_accepts(host, net):
    net()
    host.ctl("port-create", "ports", "--name", "lv0", "--mac", "52:54:00:00:00:07", "--queues", 4, "--mtu", 9000)
    xml = host.ctl("port-dumpxml", "lv0").stdout
    assert "<target dev='lv0' managed='no'/>" in xml and "<model type='virtio'/>" in xml
    assert "name='vhost'" not in xml, "no /dev/vhost-net here: a vhost driver would break KVM guests"
    assert "queues='4'" in xml
    domain = host.write_xml("dom", f"""<domain type='test'><name>vm</name><memory>65536</memory>
      <os><type>hvm</type></os><devices>{xml}</devices></domain>""")
    result = run(["virsh", "-c", "test:///default", f"define {domain} ; dumpxml vm"], check=False)
    assert result.returncode == 0, result.stderr
    assert "<target dev='lv0' managed='no'/>" in result.stdout and "52:54:00:00:00:07" in result.stdout


def test_bad_port_requests_are_named_and_change_nothing(host, net):
    net()
    host.ctl("net-define", host.write_xml("idle", network("idle", "10.78.0", bridge="hnp1")))
    host.ctl("port-create", "ports", "--name", "first", "--mac", "52:54:00:00:00:01")
    before = set(host.links())
    cases = [
        (["nope"], "NotFound: network 'nope' not found"),
        (["idle"], "Conflict: network 'idle' is not active"),
        (["ports", "--mac", "01:00:5e:00:00:01"], "mac '01:00:5e:00:00:01': a multicast address"),
        (["ports", "--mac", "52:54:00:00:00:01"], "is already used by port first"),
        (["ports", "--queues", "0"], "queues 0: a tap has 1..256 queues"),
        (["ports", "--queues", "257"], "queues 257"),
        (["ports", "--owner", "4242424"], "owner 4242424: no such user"),
        (["ports", "--name", "hnp0"], "name 'hnp0' is taken by an existing bridge device"),
        (["ports", "--name", "first"], "name 'first'"),
        (["ports", "--name", "a/b"], "name 'a/b'"),
        (["ports", "--portgroup", "none"], "portgroup 'none' is not defined"),
        (["ports", "--inbound", "10,5"], "peak is below average"),
        (["ports", "--mtu", "20"], "mtu 20"),
        # Text that ends up in a port record line and OVSDB: no new line, no new field.
        (["ports", "--interface-id", "x\nnetwork=idle"], "interface-id: 1..255 letters, digits"),
        (["ports", "--vm-uuid", "'; rm -rf /"], "vm-uuid: not a UUID"),
    ]
    for args, message in cases:
        error = host.ctl_error("port-create", *args)
        assert message in error, f"{args}: {error}"
    # A batch past the limit is refused with the limit, before any tap is made.
    big = run(["busctl", f"--address={host.bus_address}", "call", "org.hostnet1", "/org/hostnet1/network/ports",
               "org.hostnet1.Network", "CreatePorts", "aa{sv}", "4097", *(["0"] * 4097)], env=host.env, check=False)
    assert big.returncode != 0 and "4097 ports in one call: at most 4096" in big.stderr, big.stderr
    assert set(host.links()) == before
    assert list(ports(host)) == ["first"]
    assert "PermissionDenied" in host.ctl_error("port-create", "ports", as_user=65534)
    assert "PermissionDenied" in host.ctl_error("port-delete", "first", as_user=65534)


def test_destroying_a_network_removes_its_ports_at_once(host, net):
    net()
    bus = f"--address={host.bus_address}"
    run(["busctl", bus, "call", "org.hostnet1", "/org/hostnet1/network/ports", "org.hostnet1.Network",
         "CreatePorts", "aa{sv}", "50", *(["1", "outbound", "s", "100"] * 50)], env=host.env)
    assert len(port_links(host)) == 100  # 50 taps + 50 ifbs
    host.ctl("net-destroy", "ports")
    assert port_links(host) == {}
    assert list((host.state_dir / "ports").iterdir()) == []
    assert "Port" not in host.sh(f"busctl --address={host.bus_address} tree org.hostnet1").stdout


def test_create_delete_churn_leaks_no_device_fd_or_memory(host, net):
    # A small ASan quarantine, so freed memory is reused and only real growth shows.
    host.stop_daemon()
    host.env["ASAN_OPTIONS"] = "quarantine_size_mb=1"
    host.start_daemon()
    net()
    churn = r"""
import dbus, os, sys
bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
netw = bus.get_object("org.hostnet1", "/org/hostnet1/network/ports")
for i in range(int(sys.argv[1])):
    path = netw.CreatePort({"queues": dbus.UInt32(1 + i % 2)}, dbus_interface="org.hostnet1.Network")
    port = bus.get_object("org.hostnet1", path)
    if i % 3 == 0:
        for fd in port.OpenFds(dbus.UInt32(0), dbus_interface="org.hostnet1.Port")[0]:
            os.close(fd.take())
    port.Delete(dbus_interface="org.hostnet1.Port")
"""
    pid = host.daemon.pid
    daemon_pid = int(run(["pgrep", "-P", str(pid)], check=False).stdout.split()[0] or pid) \
        if run(["pgrep", "-P", str(pid)], check=False).stdout.strip() else pid

    def fds():
        return sorted(os.readlink(f) for f in (__import__("pathlib").Path(f"/proc/{daemon_pid}/fd")).iterdir())

    def rss_kb():
        for line in open(f"/proc/{daemon_pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    run(["/usr/bin/python3", "-c", churn, "100"], env=host.env)  # warm up
    fds0, rss0 = fds(), rss_kb()
    run(["/usr/bin/python3", "-c", churn, "1000"], env=host.env)
    assert port_links(host) == {}
    assert ports(host) == {}
    # A reply's fds or a device's close may still be on their way on a loaded machine: a leak is
    # what stays.
    deadline = time.monotonic() + 10
    while len(fds()) != len(fds0) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(fds()) == len(fds0), f"hostnetd's fds were {fds0}, are {fds()}"
    growth = rss_kb() - rss0
    assert growth < 8 * 1024, f"hostnetd grew by {growth} KiB over 1000 create/delete cycles"


def test_a_networks_own_bandwidth_shapes_its_bridge(host):
    host.ctl("net-define", host.write_xml("shaped", network(
        "shaped", extra="<bandwidth><inbound average='1000' peak='5000' burst='1024'/><outbound average='2000'/></bandwidth>")))
    host.ctl("net-start", "shaped")
    assert "rate 8Mbit ceil 40Mbit burst 1Mb" in host.sh("tc class show dev hnp0").stdout
    ifbs = [n for n, l in host.links().items() if l.get("ifalias") == "hostnet-netifb:shaped"]
    assert len(ifbs) == 1
    assert "rate 16Mbit" in host.sh(f"tc class show dev {ifbs[0]}").stdout
    assert f"Redirect to device {ifbs[0]}" in host.sh("tc filter show dev hnp0 parent ffff:").stdout
    host.restart_daemon()  # adopted as it is
    assert "rate 8Mbit" in host.sh("tc class show dev hnp0").stdout and host.link(ifbs[0]) is not None
    host.ctl("net-destroy", "shaped")
    assert host.link(ifbs[0]) is None


def test_a_port_deleted_behind_hostnets_back_is_made_again(host, net):
    net()
    host.ctl("port-create", "ports", "--name", "fragile", "--isolated", "--outbound", "100")
    host.sh("ip link del fragile")
    host._wait(lambda: (host.link("fragile") or {}).get("master") == "hnp0", "the port to be made again")
    link = host.link("fragile")
    assert link["linkinfo"]["info_slave_data"]["isolated"] is True
    assert ports(host)["fragile"]["ifindex"] == link["ifindex"]
    assert "Egress Redirect" in host.sh("tc filter show dev fragile parent ffff:").stdout


def test_port_objects_are_what_the_interface_file_says_and_listed_by_the_object_manager(host, net):
    """Port objects are served by one sd-bus fallback vtable, not generated from the XML as the
    other objects are: the live introspection must match org.hostnet1.Port.xml member for member."""
    import xml.etree.ElementTree as ET
    from pathlib import Path
    net()
    host.ctl("port-create", "ports", "--name", "vm0", "--owner", 65534)
    port = ports(host)["vm0"]
    busctl = ["busctl", f"--address={host.bus_address}"]

    def members(root):
        iface = next(i for i in root.iter("interface") if i.get("name") == "org.hostnet1.Port")
        out = {}
        for m in iface:
            if m.tag == "method":
                out[m.get("name")] = ("method", tuple((a.get("name"), a.get("type"), a.get("direction", "in"))
                                                      for a in m.iter("arg")))
            elif m.tag in ("property", "signal"):
                out[m.get("name")] = (m.tag, m.get("type"), m.get("access"))
        return out

    path = f"/org/hostnet1/port/{port['id']}"
    live = ET.fromstring(run([*busctl, "introspect", "--xml-interface", "org.hostnet1", path], env=host.env).stdout)
    spec = ET.parse(Path(__file__).resolve().parents[2] / "dbus" / "org.hostnet1.Port.xml").getroot()
    assert members(live) == members(spec)

    # The object manager lists it with its properties; the parent node lists it as a child.
    objects = json.loads(run([*busctl, "--json=short", "call", "org.hostnet1", "/org/hostnet1",
                              "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"], env=host.env).stdout)
    props = objects["data"][0][path]["org.hostnet1.Port"]
    assert props["Name"]["data"] == "vm0" and props["Owner"]["data"] == 65534 and props["Network"]["data"] == "ports"
    tree = run([*busctl, "tree", "--list", "org.hostnet1"], env=host.env).stdout.split()
    assert path in tree
    # A path of no port is no object, and a port's name is not its path.
    missing = run([*busctl, "get-property", "org.hostnet1", "/org/hostnet1/port/vm0", "org.hostnet1.Port", "Name"],
                  env=host.env, check=False)
    assert missing.returncode != 0 and "vm0" not in missing.stdout
    host.ctl("port-delete", "vm0")
    assert path not in run([*busctl, "tree", "--list", "org.hostnet1"], env=host.env).stdout.split()

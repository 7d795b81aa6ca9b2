"""The VMs a real libvirtd starts on hostnet's networks become hostnet ports (kind "libvirt"):
named after their domain, with the tap and MAC libvirt gave them, shaped and counted by hostnet,
kept out of the bridge when their VLAN cannot be given, gone when the domain stops, and adopted
as they are when hostnetd or libvirtd restarts."""

import json

import pytest

from harness import Host
from libvirt_host import Libvirtd, serve_libvirtd, wait_for

LAB = """<network>
  <name>lab</name>
  <forward mode='nat'/>
  <bridge name='hnlab0' stp='off'/>
  <ip address='10.79.0.1' prefix='24'/>
  <portgroup name='plain' default='yes'/>
  <portgroup name='slow'>
    <bandwidth><inbound average='1000' peak='2000' burst='256'/><outbound average='500'/></bandwidth>
  </portgroup>
  <portgroup name='v10'><vlan><tag id='10'/></vlan></portgroup>
</network>
"""
ISOLATED_LAB = LAB.replace("<ip address='10.79.0.1' prefix='24'/>", "<ip address='10.79.0.1' prefix='24'/>\n  <port isolated='yes'/>")


def ports(host, network="lab"):
    return {p["name"]: p for p in json.loads(host.ctl("port-list", "--network", network, "--json").stdout)}


def libvirt_ports(host, network="lab"):
    return {name: p for name, p in ports(host, network).items() if p["kind"] == "libvirt"}


def started_lab(host, lv, xml=LAB):
    host.ctl("net-define", host.write_xml("lab", xml))
    host.ctl("net-start", "lab")
    wait_for(lambda: "lab" in lv._names("net-list", "--name"), "lab to be active in libvirt")


def port_of(host, lv, domain, network="lab"):
    """Waits for the domain's one tap to be a hostnet port; returns (tap, port, its domiflist row)."""
    wait_for(lambda: len(lv.domain_taps(domain)) == 1, f"{domain}'s tap")
    ((tap, iface),) = lv.domain_taps(domain).items()
    wait_for(lambda: tap in libvirt_ports(host, network), f"{tap} of {domain} to be a hostnet port")
    return tap, libvirt_ports(host, network)[tap], iface


def test_a_domain_libvirt_starts_is_a_port_until_it_stops(host, lv):
    started_lab(host, lv, ISOLATED_LAB)
    lv.start_domain("g1", "lab", portgroup="slow")
    tap, port, iface = port_of(host, lv, "g1")
    domain_uuid = lv.virsh("domuuid", "g1").stdout.strip()
    assert port["vm_name"] == "g1" and port["vm_uuid"] == domain_uuid
    assert port["mac"] == iface["mac"] and port["portgroup"] == "slow" and port["problem"] == ""
    assert port["ifindex"] == host.link(tap)["ifindex"] and host.link(tap)["master"] == "hnlab0"
    assert port["isolated"] is True and host.link(tap)["linkinfo"]["info_slave_data"]["isolated"] is True
    # libvirt cannot shape on this kernel (sfq, police): hostnet gives the portgroup's bandwidth.
    assert port["bandwidth"] == "inbound=1000,2000,256 outbound=500"
    assert "htb 1: root" in host.sh(f"tc qdisc show dev {tap}").stdout
    assert "rate 8Mbit ceil 16Mbit" in host.sh(f"tc class show dev {tap}").stdout
    ifb = f"hb-{port['id']}"
    assert host.link(ifb) is not None, "the ifb shaping what the guest sends"

    table = host.ctl("port-list").stdout
    row = next(line for line in table.splitlines() if tap in line)
    assert "libvirt" in row and "g1" in row and "forwarding" in row
    info = json.loads(host.ctl("port-info", tap, "--json").stdout)
    assert set(info["statistics"]) >= {"rx_bytes", "tx_bytes", "rx_packets", "tx_packets"}
    assert "Domain:         g1 (" + domain_uuid + ")" in host.ctl("port-info", tap).stdout

    # The tap and its fds are libvirt's: hostnet refuses what would pull them from under it.
    assert "detach the interface there" in host.ctl_error("port-delete", tap)
    assert "libvirt's" in host.ctl_error("port-dumpxml", tap)
    assert host.link(tap) is not None

    lv.destroy_domain("g1")
    wait_for(lambda: tap not in libvirt_ports(host), f"{tap}'s port to go with the domain")
    assert host.link(ifb) is None, "hostnet's shaping goes with the port"


def test_a_vlan_the_bridge_cannot_give_keeps_the_port_out(host, lv):
    started_lab(host, lv)
    backends = host.sh(f"busctl --address={host.bus_address} get-property org.hostnet1 /org/hostnet1 "
                       "org.hostnet1.Manager Backends --json=short").stdout
    vlan_filtering = "vlan-filtering" in json.loads(backends)["data"]["bridge"]["Capabilities"]["data"]
    lv.start_domain("g2", "lab", portgroup="v10")
    tap, port, _ = port_of(host, lv, "g2")
    if vlan_filtering:
        vlans = host.sh(f"bridge -j vlan show dev {tap}").stdout
        assert '"vlan":10' in vlans.replace(" ", ""), vlans
        assert port["problem"] == ""
    else:
        # Fail closed: libvirt plugged it in untagged; hostnet took it out and says why.
        assert "does not forward" in port["problem"] and "VLAN" in port["problem"], port
        assert "master" not in host.link(tap), "a VLAN port must not forward untagged"
        row = next(line for line in host.ctl("port-list").stdout.splitlines() if tap in line)
        assert "blocked" in row
        assert "blocked: does not forward" in host.ctl("port-info", tap).stdout
    lv.destroy_domain("g2")
    wait_for(lambda: tap not in libvirt_ports(host), f"{tap}'s port to go")


def test_ports_survive_restarts_of_hostnetd_and_libvirtd(host, lv):
    started_lab(host, lv)
    lv.start_domain("g3", "lab", portgroup="slow")
    tap, port, _ = port_of(host, lv, "g3")

    # hostnetd killed with the domain running: the same port (id, device), untouched.
    host.restart_daemon(kill9=True)
    wait_for(lambda: tap in libvirt_ports(host), "the port after hostnetd's restart")
    again = libvirt_ports(host)[tap]
    assert (again["id"], again["ifindex"], again["vm_name"]) == (port["id"], port["ifindex"], "g3")
    assert host.link(tap)["master"] == "hnlab0"
    assert "class htb 1:1" in host.sh(f"tc class show dev {tap}").stdout

    # libvirtd killed and started again: reconnected, the port still followed, and a domain
    # started afterwards is a port too.
    lv.restart(kill=True)
    wait_for(lambda: json.loads(host.ctl("libvirt-info", "--json").stdout)["connected"], "hostnetd to reconnect", timeout=60)
    lv.start_domain("g4", "lab")
    tap4, port4, _ = port_of(host, lv, "g4")
    assert port4["vm_name"] == "g4" and port4["portgroup"] == "plain"
    assert libvirt_ports(host)[tap]["id"] == port["id"]

    lv.destroy_domain("g3")
    lv.destroy_domain("g4")
    wait_for(lambda: not libvirt_ports(host), "both ports to go")


def test_an_attached_interface_is_a_port_and_bad_requests_change_nothing(host, lv):
    started_lab(host, lv)
    lv.start_domain("g5", "lab")
    tap, _, _ = port_of(host, lv, "g5")
    lv.virsh("attach-interface", "g5", "network", "lab", "--model", "virtio", "--mac", "52:54:00:5e:00:02", "--live")
    wait_for(lambda: any(p["mac"] == "52:54:00:5e:00:02" for p in libvirt_ports(host).values()),
             "the attached interface to be a port")
    assert len(libvirt_ports(host)) == 2

    # A portgroup the network does not have: libvirt does not check it on a bridge network and
    # plugs the tap in; hostnet takes it out again and names the portgroup.
    lv.start_domain("bad", "lab", portgroup="nosuch")
    bad_tap, bad, _ = port_of(host, lv, "bad")
    wait_for(lambda: libvirt_ports(host)[bad_tap]["problem"], "the port to be blocked")
    bad = libvirt_ports(host)[bad_tap]
    assert "portgroup 'nosuch' is not defined in network 'lab'" in bad["problem"], bad
    assert "master" not in host.link(bad_tap)
    lv.destroy_domain("bad")
    wait_for(lambda: bad_tap not in libvirt_ports(host), "the blocked port to go")

    # A hostnet network that is not active is not active in libvirt: libvirt refuses the domain.
    host.ctl("net-define", host.write_xml("idle", LAB.replace("<name>lab", "<name>idle")
                                          .replace("hnlab0", "hnidle0").replace("10.79.", "10.81.")))
    wait_for(lambda: "idle" in lv.networks(), "idle in libvirt (inactive)")
    path = lv.tmp / "dom-bad.xml"
    path.write_text(lv.domain_xml("bad", "idle"))
    lv.virsh("define", path)
    refused = lv.virsh("start", "bad", check=False)
    assert refused.returncode != 0 and "not active" in refused.stderr, refused.stderr
    assert not ports(host, "idle") and len(libvirt_ports(host)) == 2
    lv.virsh("undefine", "bad")

    lv.destroy_domain("g5")
    wait_for(lambda: not libvirt_ports(host), "the domain's ports to go")


OVS_LAB = """<network>
  <name>ovslab</name>
  <bridge name='hnovs0'/>
  <virtualport type='openvswitch'/>
  <ip address='10.83.0.1' prefix='24'/>
  <portgroup name='v10'><vlan><tag id='10'/></vlan></portgroup>
  <portgroup name='trunk'><vlan trunk='yes'><tag id='20'/><tag id='30'/></vlan></portgroup>
</network>
"""


@pytest.fixture
def ovs_lv():
    host = Host(ovs=True)
    try:
        with Libvirtd(host.ns, ovs_rundir=host.ovs.socket.parent) as daemon:
            serve_libvirtd(host, daemon)
            yield host, daemon
            host.stop_daemon()
    finally:
        host.close()


def test_a_domain_on_an_ovs_network_is_a_port_with_libvirt_s_row_and_tag(ovs_lv):
    host, lv = ovs_lv
    host.ctl("net-define", host.write_xml("ovslab", OVS_LAB))
    host.ctl("net-start", "ovslab")
    wait_for(lambda: "ovslab" in lv._names("net-list", "--name"), "ovslab active in libvirt")
    assert "<virtualport type='openvswitch'/>" in lv.virsh("net-dumpxml", "ovslab").stdout
    lv.start_domain("o1", "ovslab", portgroup="v10")
    lv.start_domain("o2", "ovslab", portgroup="trunk")
    tap1, port1, iface1 = port_of(host, lv, "o1", network="ovslab")
    tap2, port2, _ = port_of(host, lv, "o2", network="ovslab")
    # libvirt made the Port rows (ovs-vsctl) with the portgroups' VLANs; hostnet follows them.
    assert host.ovs.vsctl("port-to-br", tap1).strip() == "hnovs0"
    assert host.ovs.vsctl("get", "Port", tap1, "tag").strip() == "10"
    assert host.ovs.vsctl("get", "Port", tap2, "trunks").strip() == "[20, 30]"
    assert host.ovs.vsctl("get", "Interface", tap1, "external_ids:attached-mac").strip() == f'"{iface1["mac"]}"'
    assert port1["vlan"] == "10" and port1["problem"] == "" and port1["vm_name"] == "o1"
    assert port2["vlan"] == "20,30" and port2["problem"] == ""
    lv.destroy_domain("o1")
    wait_for(lambda: tap1 not in libvirt_ports(host, "ovslab"), "o1's port to go")
    assert tap2 in libvirt_ports(host, "ovslab")
    lv.destroy_domain("o2")
    wait_for(lambda: not libvirt_ports(host, "ovslab"), "o2's port to go")


def test_an_interface_detached_from_a_running_guest_leaves_hostnet(host, lv):
    started_lab(host, lv)
    lv.virt_install("g6", "lab", stay=True)
    lv.wait_console("g6", "GUEST-STAYING", timeout=180)
    lv.virsh("attach-interface", "g6", "network", "lab", "--model", "virtio", "--mac", "52:54:00:5e:00:06", "--live")
    wait_for(lambda: any(p["mac"] == "52:54:00:5e:00:06" for p in libvirt_ports(host).values()), "the second NIC's port")
    # The guest's kernel acknowledges the unplug (ACPI hotplug), then libvirt reports device-removed.
    lv.virsh("detach-interface", "g6", "bridge", "--mac", "52:54:00:5e:00:06", "--live")
    wait_for(lambda: not any(p["mac"] == "52:54:00:5e:00:06" for p in libvirt_ports(host).values()),
             "the detached NIC's port to go", timeout=30)
    assert len(libvirt_ports(host)) == 1
    lv.destroy_domain("g6")
    wait_for(lambda: not libvirt_ports(host), "the domain's port to go")

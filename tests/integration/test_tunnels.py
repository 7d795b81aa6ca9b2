"""Networks spanning hosts: two "hosts" (each a namespace with its own bus and hostnetd, and for
Open vSwitch its own ovsdb-server and ovs-vswitchd) joined by an underlay veth; a VM on each
host, on the same network, reaching the other through the tunnel hostnet made."""

import pytest

from harness import Host, Topology, run

UNDERLAY = {"a": "192.0.2.1", "b": "192.0.2.2"}


def network(me, other, extra_tunnel="", ovs=False, tunnel_type="vxlan"):
    vport = "<virtualport type='openvswitch'/>" if ovs else ""
    bridge_ip = {"a": "10.90.0.1", "b": "10.90.0.2"}[me]
    return f"""<network><name>span</name><bridge name='hnvx0' stp='off'/>{vport}
      <metadata><hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
        <hostnet:tunnel type="{tunnel_type}" remote="{UNDERLAY[other]}" key="4242"/>{extra_tunnel}
      </hostnet:network></metadata>
      <ip address='{bridge_ip}' prefix='24'/></network>"""


@pytest.fixture
def hosts(request):
    ovs = getattr(request, "param", False)
    made = []
    try:
        made.append(Host(ovs=ovs))
        made.append(Host(ovs=ovs))
        a, b = made
        run(["ip", "-n", a.ns, "link", "add", "ul", "type", "veth", "peer", "name", "ul", "netns", b.ns])
        for h, me in ((a, "a"), (b, "b")):
            if ovs:  # the "br-phy" layout OVS's userspace tunnels need: the underlay IP on a bridge
                h.ovs.vsctl("add-br", "br-phy", "--", "set", "Bridge", "br-phy", "datapath_type=netdev",
                            "--", "add-port", "br-phy", "ul")
                dev = "br-phy"
                run(["ip", "-n", h.ns, "link", "set", "ul", "up"])
            else:
                dev = "ul"
            run(["ip", "-n", h.ns, "addr", "add", f"{UNDERLAY[me]}/24", "dev", dev])
            run(["ip", "-n", h.ns, "link", "set", dev, "up"])
        yield a, b
    finally:
        for h in made:
            h.close()


def ping(ns, addr, tries=20):
    for _ in range(tries):
        if run(["ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", addr], check=False).returncode == 0:
            return True
    return False


def test_vms_on_two_hosts_reach_each_other_over_vxlan_on_kernel_bridges(hosts):
    a, b = hosts
    a.ctl("net-create", a.write_xml("span", network("a", "b")))
    b.ctl("net-create", b.write_xml("span", network("b", "a")))
    vxlan = [l for n, l in a.links().items() if n.startswith("hnt")]
    assert len(vxlan) == 1 and vxlan[0]["linkinfo"]["info_kind"] == "vxlan"
    assert vxlan[0]["linkinfo"]["info_data"]["id"] == 4242 and vxlan[0]["master"] == "hnvx0"
    vm_a = Topology(a).vm("vm", "hnvx0", "10.90.0.11/24")
    vm_b = Topology(b).vm("vm", "hnvx0", "10.90.0.12/24")
    assert ping(vm_a, "10.90.0.12"), "VMs on two hosts did not reach each other through VXLAN"
    assert ping(vm_b, "10.90.0.1"), "a VM did not reach the other host's bridge address"
    a.restart_daemon()  # adopted, not remade
    assert [l["ifindex"] for n, l in a.links().items() if n.startswith("hnt")] == [vxlan[0]["ifindex"]]
    a.ctl("net-destroy", "span")
    assert not [n for n in a.links() if n.startswith("hnt")], "the tunnel device outlived its network"


@pytest.mark.parametrize("hosts", [True], indirect=True)
def test_vms_on_two_hosts_reach_each_other_over_vxlan_on_open_vswitch(hosts):
    a, b = hosts
    a.ctl("net-create", a.write_xml("span", network("a", "b", ovs=True)))
    b.ctl("net-create", b.write_xml("span", network("b", "a", ovs=True)))
    tunnel = [p for p in a.ovs.vsctl("list-ports", "hnvx0").split() if p.startswith("hnt")]
    assert len(tunnel) == 1
    assert a.ovs.vsctl("get", "Interface", tunnel[0], "type").strip() == "vxlan"
    assert 'remote_ip="192.0.2.2"' in a.ovs.vsctl("get", "Interface", tunnel[0], "options")
    a.ctl("port-create", "span", "--name", "pa")
    b.ctl("port-create", "span", "--name", "pb")
    vm_a = Topology(a).vm_on_port("vm", "pa", "10.90.0.11/24")
    Topology(b).vm_on_port("vm", "pb", "10.90.0.12/24")
    assert ping(vm_a.ns, "10.90.0.12"), "VMs on two OVS hosts did not reach each other through VXLAN"


def test_a_tunnel_type_this_kernel_lacks_is_refused_and_nothing_is_made(host):
    host.ctl("net-define", host.write_xml("span", network("a", "b", tunnel_type="geneve")))
    before = set(host.links())
    error = host.ctl_error("net-start", "span")
    assert error.startswith("error: Unsupported:") and "geneve" in error, error
    assert set(host.links()) == before

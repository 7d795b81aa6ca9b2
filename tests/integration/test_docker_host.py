"""A host that runs Docker: the filter table Docker 20.10 writes (FORWARD policy DROP, FORWARD
jumping to DOCKER-USER first, its isolation chains and docker0 rules, restored with iptables-nft
exactly as `iptables-save` shows them on a Docker host) in the test's namespace. hostnet's NAT,
routed and isolated networks keep working, and hostnet's only change to Docker's rules is in the
DOCKER-USER chain Docker documents for it. With br_netfilter (built into this kernel and on in
every namespace: bridge-nf-call-iptables=1, asserted below) Docker's drop also catches frames
between two ports of one bridge, so VM-to-VM traffic is checked too."""

import pytest

from harness import TcpServer, Topology, assert_guests_forward, tcp_connect

SUBNET = "192.168.122.0/24"

DOCKER_20_10_RULES = """*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
COMMIT
"""


def docker_rules(host):
    """Docker's chains as iptables shows them, without hostnet's rules."""
    lines = host.sh("iptables -S; iptables -t nat -S").stdout.splitlines()
    return [l for l in lines if "hostnet network" not in l]


def network(mode):
    forward = f"<forward mode='{mode}'/>" if mode != "none" else ""
    return f"""<network><name>default</name>{forward}<bridge name='virbr0'/>
      <ip address='192.168.122.1' netmask='255.255.255.0'/></network>"""


@pytest.fixture
def docker_host(host):
    assert host.sh("cat /proc/sys/net/bridge/bridge-nf-call-iptables").stdout.strip() == "1", \
        "br_netfilter is not on in the namespace: Docker's drop would not reach bridged frames"
    host.sh(f"iptables-restore <<'EOF'\n{DOCKER_20_10_RULES}EOF")
    return host


def start(host, mode, routes_back=()):
    host.ctl("net-define", host.write_xml("default", network(mode)))
    host.ctl("net-start", "default")
    topo = Topology(host)
    outside = topo.outside(routes_back=routes_back)
    vm = topo.vm("vm1", "virbr0", "192.168.122.10/24", gateway="192.168.122.1")
    vm2 = topo.vm("vm2", "virbr0", "192.168.122.11/24", gateway="192.168.122.1")
    return topo, outside, vm, vm2


def test_docker_rules_drop_forwarded_traffic_without_hostnet(docker_host):
    """The premise: the same topology with Docker's rules and hostnet's DOCKER-USER rules taken
    away loses the VM's traffic to the outside (what breaks libvirt's networks on Docker hosts)."""
    host = docker_host
    topo, outside, vm, vm2 = start(host, "nat", routes_back=[SUBNET])
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    host.stop_daemon()  # no repair while the premise is checked (the network stays up)
    host.sh("iptables -F DOCKER-USER && iptables -A DOCKER-USER -j RETURN")
    assert not tcp_connect(vm, Topology.OUTSIDE, 9000, timeout=1.5), "Docker's FORWARD DROP let the VM out"


@pytest.mark.parametrize("mode", ["nat", "route"])
def test_guests_reach_the_outside_and_each_other_under_dockers_rules(docker_host, mode):
    host = docker_host
    before = docker_rules(host)
    topo, outside, vm, vm2 = start(host, mode, routes_back=[SUBNET])
    assert_guests_forward(host, mode, outside, vm, vm2, "192.168.122.10")
    # Docker's own rules are as Docker wrote them; hostnet's are in DOCKER-USER, ahead of its RETURN.
    assert docker_rules(host) == before
    user = host.sh("iptables -S DOCKER-USER").stdout.splitlines()
    assert user == ["-N DOCKER-USER",
                    '-A DOCKER-USER -o virbr0 -m comment --comment "hostnet network default" -j ACCEPT',
                    '-A DOCKER-USER -i virbr0 -m comment --comment "hostnet network default" -j ACCEPT',
                    "-A DOCKER-USER -j RETURN"], user


def test_isolated_networks_vms_reach_each_other_and_nothing_else(docker_host):
    host = docker_host
    topo, outside, vm, vm2 = start(host, "none")
    TcpServer(host, vm, "192.168.122.10", 9001)
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    assert tcp_connect(vm2, "192.168.122.10", 9001)
    assert not tcp_connect(vm, Topology.OUTSIDE, 9000, timeout=1.5), "an isolated network reached the outside"


def test_stopping_the_network_takes_its_docker_user_rules_away(docker_host):
    host = docker_host
    before = host.sh("iptables -S").stdout
    start(host, "nat")
    assert "hostnet network default" in host.sh("iptables -S DOCKER-USER").stdout
    host.ctl("net-destroy", "default")
    assert host.sh("iptables -S").stdout == before


def test_rules_someone_removed_and_a_docker_started_later_are_repaired(host):
    topo, outside, vm, vm2 = start(host, "nat", routes_back=[SUBNET])
    TcpServer(host, outside, Topology.OUTSIDE, 9000)
    # Docker starts after the network: its chains appear, and the drift repair lets the bridge in.
    host.sh(f"iptables-restore <<'EOF'\n{DOCKER_20_10_RULES}EOF")
    host._wait(lambda: "hostnet network default" in host.sh("iptables -S DOCKER-USER").stdout,
               "hostnet's DOCKER-USER rules after Docker started")
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)
    # Someone flushes DOCKER-USER (a Docker restart keeps it; an admin may not): repaired again.
    host.sh("iptables -F DOCKER-USER && iptables -A DOCKER-USER -j RETURN")
    host._wait(lambda: "hostnet network default" in host.sh("iptables -S DOCKER-USER").stdout,
               "hostnet's DOCKER-USER rules after a flush")
    assert tcp_connect(vm, Topology.OUTSIDE, 9000)


def test_without_docker_no_iptables_rules_are_made(host):
    start(host, "nat")
    assert "DOCKER" not in host.sh("iptables -S", check=False).stdout
    assert "table ip filter" not in host.sh("nft list tables").stdout


def test_a_restart_removes_the_docker_user_rules_of_networks_not_active(docker_host):
    """A start hostnetd was killed in after it let the bridge through DOCKER-USER, before it
    recorded the network (its status record is what is missing): the next hostnetd takes those
    rules away and keeps those of the network that is active."""
    host = docker_host
    for name, bridge, third in (("default", "virbr0", 122), ("cut", "virbr9", 129)):
        host.ctl("net-define", host.write_xml(name, f"""<network><name>{name}</name><forward mode='nat'/>
          <bridge name='{bridge}'/><ip address='192.168.{third}.1' prefix='24'/></network>"""))
        host.ctl("net-start", name)
    assert "hostnet network cut" in host.sh("iptables -S DOCKER-USER").stdout
    host.stop_daemon(kill9=True)
    (host.state_dir / "networks" / "cut.xml").unlink()
    host.start_daemon()
    user = host.sh("iptables -S DOCKER-USER").stdout.splitlines()
    assert user == ["-N DOCKER-USER",
                    '-A DOCKER-USER -o virbr0 -m comment --comment "hostnet network default" -j ACCEPT',
                    '-A DOCKER-USER -i virbr0 -m comment --comment "hostnet network default" -j ACCEPT',
                    "-A DOCKER-USER -j RETURN"], user

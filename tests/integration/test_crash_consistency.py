"""hostnetd killed (SIGKILL) at random moments during port creates and deletes, and network starts
and stops: after each restart
every answered call holds, nothing is half made, no device is left without its port
(crash_churn.py; bench/bench_crash_churn.py runs the issue's full 20 rounds of 1000 calls)."""

import subprocess

import pytest

from crash_churn import churn
from harness import Host, run

KERNEL = "<network><name>churn</name><bridge name='hncc0' stp='off'/></network>"
OVS = "<network><name>churn</name><bridge name='hncc0'/><virtualport type='openvswitch'/></network>"
DPDK = ("<network><name>churn</name><bridge name='hncc0'/><metadata>"
        "<hostnet:network xmlns:hostnet='https://hostnet.dev/xmlns/network/1.0'><hostnet:backend name='ovs-dpdk'/>"
        "</hostnet:network></metadata></network>")


@pytest.mark.parametrize("backend", ["bridge", "ovs", "ovs-dpdk"])
def test_answered_port_calls_survive_a_kill_at_any_moment(backend):
    host = Host(ovs=backend == "ovs", dpdk="init" if backend == "ovs-dpdk" else None)
    try:
        host.ctl("net-create", host.write_xml("churn", {"bridge": KERNEL, "ovs": OVS, "ovs-dpdk": DPDK}[backend]))
        counts, problems = churn(host, "churn", "hncc0", rounds=6, calls=60, ovs=backend == "ovs", seed=7,
                                 vhost_user=backend == "ovs-dpdk")
        print(backend, counts)
        assert problems == [], problems
        assert counts["kills"] >= 5 and counts["succeeded"] > 30, counts
    finally:
        host.close()


def test_answered_network_starts_and_stops_survive_a_kill_at_any_moment():
    """Network starts and stops (bridges, nftables, dnsmasq) mixed with the port calls."""
    host = Host()
    try:
        host.ctl("net-create", host.write_xml("churn", KERNEL))
        counts, problems = churn(host, "churn", "hncc0", rounds=6, calls=60, seed=5, networks=3)
        print(counts)
        assert problems == [], problems
        assert counts["kills"] >= 5 and counts["succeeded"] > 30, counts
        assert counts.get("networks found active") and counts.get("networks found inactive"), counts
    finally:
        host.close()


def nat_network(name, bridge, third, port):
    return f"""<network><name>{name}</name><forward mode='nat'/><bridge name='{bridge}'/>
      <metadata><hostnet:network xmlns:hostnet="https://hostnet.dev/xmlns/network/1.0">
        <hostnet:forward proto="tcp" port="{port}" to="192.168.{third}.10" to-port="80"/>
      </hostnet:network></metadata>
      <ip address='192.168.{third}.1' prefix='24'><dhcp><range start='192.168.{third}.100' end='192.168.{third}.120'/></dhcp></ip>
    </network>"""


def command_lines(host):
    """The command lines of the processes in the host's namespace, joined."""
    out = []
    for pid in run(["ip", "netns", "pids", host.ns]).stdout.split():
        try:
            out.append(open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode())
        except OSError:
            pass
    return "\n".join(out)


def test_a_start_killed_before_it_was_recorded_leaves_nothing_after_the_restart(host):
    """The moment the churn above hits only now and then, made every time: a start's bridge,
    rules, port forward and dnsmasq all made, hostnetd killed before it recorded the network as
    active (its status record is what is missing). The next hostnetd removes all of it and leaves
    the network that is active as it was."""
    host.ctl("net-define", host.write_xml("keep", nat_network("keep", "hnkeep0", 150, 8150)))
    host.ctl("net-define", host.write_xml("cut", nat_network("cut", "hncut0", 151, 8151)))
    host.ctl("net-start", "keep")
    host.ctl("net-start", "cut")
    rules_of_keep = host.sh("nft list chain inet hostnet br-hnkeep0-to").stdout
    host.stop_daemon(kill9=True)
    (host.state_dir / "networks" / "cut.xml").unlink()
    host.start_daemon()

    listed = host.networks()
    assert listed["keep"]["active"] and not listed["cut"]["active"], listed
    table = host.sh("nft list table inet hostnet").stdout
    assert "hncut0" not in table and "8151" not in table, table
    assert '"hnkeep0"' in table and "8150" in table, table
    assert host.sh("nft list chain inet hostnet br-hnkeep0-to").stdout == rules_of_keep
    assert "hncut0" not in host.links()
    served = command_lines(host)
    assert "cut.conf" not in served and "keep.conf" in served, served
    assert "removing the firewall rules of bridge hncut0" in host.daemon_log()

    # With no network active any more, nothing of hostnet's stays in the firewall.
    host.stop_daemon(kill9=True)
    (host.state_dir / "networks" / "keep.xml").unlink()
    host.start_daemon()
    assert host.sh("nft list tables").stdout.find("hostnet") == -1


def test_a_dnsmasq_left_without_its_pid_file_is_found_by_its_command_line(host):
    """hostnetd killed after it started a network's dnsmasq but before that dnsmasq wrote its pid
    file leaves a dnsmasq with no record but its command line. The next hostnetd finds it there
    (--conf-file in hostnet's state dir) and ends it, whether its network is still active (the
    new dnsmasq then serves alone) or hostnetd no longer knows the network at all."""
    host.ctl("net-define", host.write_xml("keep", nat_network("keep", "hnkeep0", 150, 8150)))
    host.ctl("net-start", "keep")
    conf_dir = host.state_dir / "dnsmasq"
    host._wait(lambda: (conf_dir / "keep.pid").exists(), "keep's dnsmasq to write its pid file")
    old = int((conf_dir / "keep.pid").read_text())
    host.stop_daemon(kill9=True)
    (conf_dir / "keep.pid").unlink()
    (conf_dir / "gone.conf").write_text("port=0\npid-file=\n")  # no sockets, no pid file
    ghost = subprocess.Popen(["ip", "netns", "exec", host.ns, "dnsmasq", "--keep-in-foreground",
                              f"--conf-file={conf_dir}/gone.conf"])
    host.processes.append(ghost)
    host._wait(lambda: "gone.conf" in command_lines(host), "the stray dnsmasq to run")

    host.start_daemon()
    ghost.wait(timeout=10)

    def served():
        return [l for l in command_lines(host).splitlines() if "dnsmasq" in l]
    host._wait(lambda: len(served()) == 1 and "keep.conf" in served()[0], "keep's new dnsmasq alone")
    host._wait(lambda: (conf_dir / "keep.pid").exists(), "the new dnsmasq's pid file")
    assert int((conf_dir / "keep.pid").read_text()) != old
    log = host.daemon_log()
    assert f"stopping dnsmasq {old} of network keep: no hostnetd supervises it" in log, log
    assert f"stopping dnsmasq {ghost.pid} of network gone: no hostnetd supervises it" in log, log


def test_a_shaped_start_killed_before_it_was_recorded_leaves_no_ifb(host):
    """A network with <bandwidth> has an ifb for what it sends out; a start cut off by a kill
    before its status record leaves one. The next hostnetd removes it with the bridge, not at the
    network's next start."""
    host.ctl("net-define", host.write_xml("shaped", """<network><name>shaped</name><bridge name='hnshp0'/>
      <bandwidth><inbound average='1000'/><outbound average='2000'/></bandwidth>
      <ip address='192.168.152.1' prefix='24'/></network>"""))
    host.ctl("net-start", "shaped")
    ifbs = [n for n, l in host.links().items() if l.get("ifalias") == "hostnet-netifb:shaped"]
    assert len(ifbs) == 1, host.links()
    host.stop_daemon(kill9=True)
    (host.state_dir / "networks" / "shaped.xml").unlink()
    host.start_daemon()
    assert not host.networks()["shaped"]["active"]
    assert "hnshp0" not in host.links() and ifbs[0] not in host.links(), host.links()
    assert f"removing {ifbs[0]}: the shaping device of network 'shaped', which is not active" in host.daemon_log()

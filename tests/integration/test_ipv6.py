"""IPv6 on a NAT network: masqueraded with <nat ipv6='yes'>, routed (the VM's own address seen
outside) without it, as in libvirt."""

import subprocess

import pytest

from harness import TcpServer, Topology, run, tcp_connect

OUT_V6 = "2001:db8:ff::2"
HOST_V6 = "2001:db8:ff::1"


def scene(host, nat_ipv6):
    nat = "<nat ipv6='yes'/>" if nat_ipv6 else ""
    host.ctl("net-define", host.write_xml("v6", f"""<network><name>v6</name><forward mode='nat'>{nat}</forward>
      <bridge name='virbr6'/><ip address='192.168.126.1' prefix='24'/>
      <ip family='ipv6' address='fd00:126::1' prefix='64'/></network>"""))
    host.ctl("net-start", "v6")
    topo = Topology(host)
    outside = topo.outside()
    run(["ip", "-n", host.ns, "addr", "add", f"{HOST_V6}/64", "dev", "uplink", "nodad"])
    run(["ip", "-n", host.ns, "-6", "route", "add", "default", "via", OUT_V6])
    run(["ip", "-n", outside, "addr", "add", f"{OUT_V6}/64", "dev", "eth0", "nodad"])
    run(["ip", "-n", outside, "-6", "route", "add", "fd00:126::/64", "via", HOST_V6])
    vm = topo.vm("vm1", "virbr6", "192.168.126.10/24", gateway="192.168.126.1")
    run(["ip", "-n", vm, "addr", "add", "fd00:126::10/64", "dev", "eth0", "nodad"])
    run(["ip", "-n", vm, "-6", "route", "add", "default", "via", "fd00:126::1"])
    return outside, vm, TcpServer(host, outside, OUT_V6, 9000)


@pytest.mark.parametrize("nat_ipv6,seen_as", [(True, HOST_V6), (False, "fd00:126::10")],
                         ids=["masqueraded", "routed"])
def test_ipv6_leaves_masqueraded_or_routed(host, nat_ipv6, seen_as):
    outside, vm, server = scene(host, nat_ipv6)
    assert host.sh("sysctl -n net.ipv6.conf.all.forwarding").stdout.strip() == "1"
    assert tcp_connect(vm, OUT_V6, 9000), "the VM cannot reach the outside over IPv6"
    assert server.next_peer() == seen_as


DHCLIENT_SCRIPT = """#!/bin/sh
case "$reason" in
  BOUND6|RENEW6|REBIND6) ip -6 addr add "$new_ip6_address/$new_ip6_prefixlen" dev "$interface" nodad ;;
esac
exit 0
"""


def test_dhcpv6_gives_an_address_from_the_range_and_lists_the_lease(host):
    import json
    host.ctl("net-define", host.write_xml("v6", """<network><name>v6</name><forward mode='nat'/>
      <bridge name='virbr6'/><ip address='192.168.126.1' prefix='24'/>
      <ip family='ipv6' address='fd00:126::1' prefix='64'><dhcp>
        <range start='fd00:126::100' end='fd00:126::1ff'/></dhcp></ip></network>"""))
    host.ctl("net-start", "v6")
    vm = Topology(host).vm("vm1", "virbr6", mac="52:54:00:aa:66:01")
    # The link-local address must leave DAD before a DHCPv6 client can send from it.
    host._wait(lambda: "tentative" not in run(["ip", "-n", vm, "-6", "addr", "show", "dev", "eth0"]).stdout and
               "fe80" in run(["ip", "-n", vm, "-6", "addr", "show", "dev", "eth0"]).stdout, "a link-local address")
    script = host.tmp / "dhclient6.sh"
    script.write_text(DHCLIENT_SCRIPT)
    script.chmod(0o755)
    lease_db = host.tmp / "dhclient6.leases"
    pid_file = host.tmp / "dhclient6.pid"
    # -d: foreground (it would daemonise otherwise); ended by the harness, by pid, with the test.
    client = subprocess.Popen(["ip", "netns", "exec", vm, "dhclient", "-6", "-d", "-sf", str(script),
                               "-lf", str(lease_db), "-pf", str(pid_file), "eth0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host.processes.append(client)

    def global_addresses():
        out = run(["ip", "-n", vm, "-6", "-j", "addr", "show", "dev", "eth0", "scope", "global"]).stdout
        data = json.loads(out)
        return [a["local"] for a in (data[0]["addr_info"] if data else []) if a.get("local")]

    host._wait(lambda: global_addresses(), "a DHCPv6 address", timeout=30)
    got = global_addresses()
    assert got[0].startswith("fd00:126::1"), f"address outside the range: {got}"
    leases = json.loads(host.ctl("net-dhcp-leases", "v6", "--json").stdout)
    assert [l for l in leases if l["protocol"] == "ipv6" and l["ip"] == got[0] and l["prefix"] == 64], leases

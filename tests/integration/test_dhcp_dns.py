"""DHCP and DNS through hostnet's supervised dnsmasq, checked with real clients in VM namespaces."""

import json
import os
import signal
import time

from harness import Topology, run

NETWORK = """<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr0'/>
  <domain name='lab.example'/>
  <dns>
    <host ip='192.168.122.122'><hostname>pudding</hostname></host>
  </dns>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.122.100' end='192.168.122.200'/>
      <host mac='52:54:00:00:00:10' name='fixed' ip='192.168.122.10'/>
    </dhcp>
  </ip>
</network>
"""

UDHCPC_SCRIPT = """#!/bin/sh
case "$1" in
  bound|renew) ip addr add "$ip/$subnet" dev "$interface" ;;
esac
"""


def dhcp_client(host, ns):
    """busybox udhcpc in `ns`; returns the address it bound."""
    script = host.tmp / "udhcpc.sh"
    script.write_text(UDHCPC_SCRIPT)
    script.chmod(0o755)
    run(["ip", "netns", "exec", ns, "busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-t", "20", "-T", "1",
         "-s", str(script)], timeout=60)
    out = run(["ip", "-n", ns, "-j", "addr", "show", "dev", "eth0"]).stdout
    return [a["local"] for a in json.loads(out)[0]["addr_info"] if a["family"] == "inet"][0]


def dnsmasq_pid(host):
    pidfile = host.state_dir / "dnsmasq" / "default.pid"
    try:
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError, IndexError):
        return None


def started(host):
    host.ctl("net-define", host.write_xml("default", NETWORK))
    host.ctl("net-start", "default")
    host._wait(lambda: dnsmasq_pid(host), "dnsmasq to start")
    return Topology(host)


def test_vms_get_leases_static_hosts_their_address_and_names_resolve(host):
    topo = started(host)
    vm1 = topo.vm("vm1", "virbr0", mac="52:54:00:aa:bb:01")
    vm2 = topo.vm("vm2", "virbr0", mac="52:54:00:00:00:10")
    ip1 = dhcp_client(host, vm1)
    assert ip1.startswith("192.168.122.") and 100 <= int(ip1.split(".")[3]) <= 200
    assert dhcp_client(host, vm2) == "192.168.122.10"

    leases = {l["mac"]: l for l in json.loads(host.ctl("net-dhcp-leases", "default", "--json").stdout)}
    assert leases["52:54:00:aa:bb:01"]["ip"] == ip1 and leases["52:54:00:aa:bb:01"]["prefix"] == 24
    assert leases["52:54:00:00:00:10"]["ip"] == "192.168.122.10"
    assert leases["52:54:00:00:00:10"]["hostname"] == "fixed"
    table = host.ctl("net-dhcp-leases", "default").stdout
    assert "52:54:00:aa:bb:01" in table and "ipv4" in table

    answer = run(["ip", "netns", "exec", vm1, "busybox", "nslookup", "pudding", "192.168.122.1"], check=False)
    assert "192.168.122.122" in answer.stdout, answer.stdout + answer.stderr


def test_a_killed_dnsmasq_is_replaced_and_keeps_its_leases(host):
    topo = started(host)
    vm1 = topo.vm("vm1", "virbr0", mac="52:54:00:aa:bb:02")
    ip1 = dhcp_client(host, vm1)
    old = dnsmasq_pid(host)
    os.kill(old, signal.SIGKILL)
    host._wait(lambda: dnsmasq_pid(host) not in (None, old), "a new dnsmasq", timeout=15)
    leases = json.loads(host.ctl("net-dhcp-leases", "default", "--json").stdout)
    assert [l["ip"] for l in leases if l["mac"] == "52:54:00:aa:bb:02"] == [ip1]
    vm2 = topo.vm("vm2", "virbr0", mac="52:54:00:aa:bb:03")
    assert dhcp_client(host, vm2).startswith("192.168.122."), "the new dnsmasq serves"


def test_dnsmasq_survives_a_hostnetd_restart_with_its_leases(host):
    topo = started(host)
    vm1 = topo.vm("vm1", "virbr0", mac="52:54:00:aa:bb:04")
    ip1 = dhcp_client(host, vm1)
    host.restart_daemon(kill9=True)
    host._wait(lambda: dnsmasq_pid(host), "dnsmasq after the restart")
    leases = json.loads(host.ctl("net-dhcp-leases", "default", "--json").stdout)
    assert [l["ip"] for l in leases if l["mac"] == "52:54:00:aa:bb:04"] == [ip1]


def test_destroy_leaves_no_dnsmasq_and_no_file(host):
    started(host)
    pid = dnsmasq_pid(host)
    host.ctl("net-destroy", "default")
    time.sleep(0.2)
    assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read().lower()
    assert list((host.state_dir / "dnsmasq").glob("*")) == []
    assert host.sh("nft list tables").stdout.strip() == ""


def test_net_update_adds_hosts_live_without_restarting_dnsmasq(host):
    topo = started(host)
    pid = dnsmasq_pid(host)
    host.ctl("net-update", "default", "add", "ip-dhcp-host",
             "<host mac='52:54:00:00:00:20' name='late' ip='192.168.122.20'/>", "--live", "--config")
    host.ctl("net-update", "default", "add", "dns-host",
             "<host ip='192.168.122.123'><hostname>cake</hostname></host>", "--live", "--config")
    assert dnsmasq_pid(host) == pid, "net-update restarted dnsmasq instead of reloading it"
    vm = topo.vm("vm1", "virbr0", mac="52:54:00:00:00:20")
    assert dhcp_client(host, vm) == "192.168.122.20"
    answer = run(["ip", "netns", "exec", vm, "busybox", "nslookup", "cake", "192.168.122.1"], check=False)
    assert "192.168.122.123" in answer.stdout, answer.stdout + answer.stderr
    stored = host.ctl("net-dumpxml", "default", "--inactive").stdout
    assert "<host mac='52:54:00:00:00:20' name='late' ip='192.168.122.20'/>" in stored
    assert "<hostname>cake</hostname>" in stored

    host.ctl("net-update", "default", "delete", "ip-dhcp-host", "<host mac='52:54:00:00:00:20'/>", "--live", "--config")
    assert "52:54:00:00:00:20" not in host.ctl("net-dumpxml", "default", "--inactive").stdout
    assert dnsmasq_pid(host) == pid


def test_net_update_refuses_bad_hosts_and_leaves_dnsmasq_alone(host):
    started(host)
    pid = dnsmasq_pid(host)
    hostsfile = (host.state_dir / "dnsmasq" / "default.hostsfile").read_text()
    for fragment, expected in [
        ("<host mac='52:54:00:00:00:10' ip='192.168.122.30'/>", "MAC"),       # duplicate MAC
        ("<host mac='52:54:00:00:00:31' ip='192.168.122.10'/>", "address"),   # duplicate IP
        ("<host mac='52:54:00:00:00:33' name='a&#10;dhcp-range=1.1.1.1' ip='192.168.122.33'/>", "control character"),
    ]:
        err = host.ctl_error("net-update", "default", "add", "ip-dhcp-host", fragment, "--live", "--config")
        assert expected in err, err
    assert dnsmasq_pid(host) == pid
    assert (host.state_dir / "dnsmasq" / "default.hostsfile").read_text() == hostsfile
    # Outside the subnet: libvirt's net-update takes it (dnsmasq ignores it), so does hostnet, saying so.
    result = host.ctl("net-update", "default", "add", "ip-dhcp-host", "<host mac='52:54:00:00:00:32' ip='10.1.1.1'/>",
                      "--live", "--config")
    assert "warning: " in result.stderr and "<host ip='10.1.1.1'>: outside the network's subnet" in result.stderr
    assert dnsmasq_pid(host) == pid

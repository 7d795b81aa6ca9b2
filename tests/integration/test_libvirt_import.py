"""net-import and net-release against a real libvirtd: libvirt's own NAT network, with a guest
running on it that took a lease from libvirt's dnsmasq, becomes hostnet's with the guest still
connected (its tap on hostnet's bridge, its lease kept, pinged through the swap), and is given
back. Bad imports change nothing on either side."""

import json
import re
import subprocess
import time

from libvirt_host import wait_for

LIBVIRT_DEFAULT = """<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr9' stp='on' delay='0'/>
  <mac address='52:54:00:0a:0b:0c'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.150.100' end='192.168.150.200'/>
      <host mac='52:54:00:77:00:01' name='fixed' ip='192.168.150.10'/>
    </dhcp>
  </ip>
  <dns><host ip='192.168.150.5'><hostname>printer</hostname></host></dns>
</network>
"""


class Pinger:
    """Pings `addr` from the test's namespace every 20 ms until stopped; counts what came back."""

    def __init__(self, host, addr):
        self.proc = subprocess.Popen(["ip", "netns", "exec", host.ns, "ping", "-n", "-D", "-i", "0.02", addr],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def stop(self):
        self.proc.send_signal(2)
        out, _ = self.proc.communicate(timeout=10)
        replies = [(float(t), int(seq)) for t, seq in re.findall(r"\[([\d.]+)\].*icmp_seq=(\d+) ttl", out)]
        sent = int(re.search(r"(\d+) packets transmitted", out).group(1))
        seqs = {seq for _, seq in replies}
        lost = sorted(set(range(1, sent + 1)) - seqs)
        # The longest time without a reply: what a guest's connection would notice.
        self.gap = max((b[0] - a[0] for a, b in zip(replies, replies[1:])), default=0.0)
        return sent, lost


def answers(host, addr):
    return host.sh(f"ping -n -c 1 -W 1 {addr}", check=False).returncode == 0


def lease_of(lines):
    return next(line.split()[1] for line in lines if line.startswith("GUEST-LEASE"))


def test_import_keeps_a_running_guest_and_release_gives_it_back(host, lv):
    lv.define_network(LIBVIRT_DEFAULT)
    uuid = lv.virsh("net-uuid", "default").stdout.strip()
    lv.virt_install("g1", "default", stay=True)
    addr = lease_of(lv.wait_console("g1", "GUEST-STAYING", timeout=180))
    ((tap, iface),) = lv.domain_taps("g1").items()
    assert host.link(tap)["master"] == "virbr9"
    assert "virbr9" in host.sh("iptables-save").stdout, "libvirt's own iptables rules"
    wait_for(lambda: "default" in lv_networks_of_its_own(host), "hostnet to see libvirt's default")

    pinger = Pinger(host, addr)
    time.sleep(1)
    began = time.monotonic()
    out = host.ctl("net-import", "default").stdout
    took = time.monotonic() - began
    assert "Network default imported from libvirt (bridge virbr9)" in out
    wait_for(lambda: host.link(tap).get("master") == "virbr9", "the guest's tap on hostnet's virbr9")
    # With STP on (as libvirt's default network has it) a new bridge port listens and learns
    # before it forwards: the kernel's minimum forward delay is 2 s, whatever the XML says.
    wait_for(lambda: answers(host, addr), "the guest to answer through hostnet's bridge", timeout=20)
    time.sleep(1)
    sent, lost = pinger.stop()
    print(f"import of default with a running guest: {took * 1000:.0f} ms; {len(lost)} of {sent} pings lost, "
          f"longest time without a reply {pinger.gap * 1000:.0f} ms")
    assert sent > 50 and (not lost or max(lost) < sent - 10), f"the guest answers again after the import: {lost}"

    # hostnet's now: same identity, bridge MAC, DHCP and DNS; the guest a libvirt port on it.
    info = json.loads(host.ctl("net-info", "default", "--json").stdout)
    assert info["uuid"] == uuid and info["bridge"] == "virbr9" and info["active"] and info["autostart"] is False
    xml = host.ctl("net-dumpxml", "default").stdout
    assert "<mac address='52:54:00:0a:0b:0c'/>" in xml and "192.168.150.10" in xml and "printer" in xml
    assert host.link("virbr9")["address"] == "52:54:00:0a:0b:0c"
    leases = json.loads(host.ctl("net-dhcp-leases", "default", "--json").stdout)
    assert [(l["mac"], l["ip"]) for l in leases] == [(iface["mac"], addr)], "libvirt's lease is hostnet's"
    ports = {p["name"]: p for p in json.loads(host.ctl("port-list", "--json").stdout)}
    assert ports[tap]["kind"] == "libvirt" and ports[tap]["vm_name"] == "g1"
    assert "virbr9" not in host.sh("iptables-save").stdout, "libvirt's iptables rules went"
    assert "virbr9" in host.sh("nft list ruleset").stdout
    # libvirt keeps it as hostnet's registration, the guest's port reclaimed on it.
    lv_xml = lv.virsh("net-dumpxml", "default").stdout
    assert "<hostnet:registration/>" in lv_xml and "<forward mode='bridge'/>" in lv_xml and uuid in lv_xml
    assert [p["owner"] for p in lv.net_ports("default")] == ["g1"]
    assert "default" not in lv_networks_of_its_own(host)

    # And back.
    pinger = Pinger(host, addr)
    time.sleep(1)
    assert "given back to libvirt" in host.ctl("net-release", "default").stdout
    wait_for(lambda: host.link(tap).get("master") == "virbr9", "the tap on libvirt's virbr9 again")
    wait_for(lambda: answers(host, addr), "the guest to answer through libvirt's bridge", timeout=20)
    time.sleep(1)
    sent, lost = pinger.stop()
    print(f"release of default: {len(lost)} of {sent} pings lost, longest time without a reply {pinger.gap * 1000:.0f} ms")
    assert sent > 50 and (not lost or max(lost) < sent - 10), f"the guest answers again after the release: {lost}"
    assert "default" not in host.networks()
    lv_xml = lv.virsh("net-dumpxml", "default").stdout
    assert "<forward mode='nat'" in lv_xml and "hostnet" not in lv_xml
    assert "virbr9" in host.sh("iptables-save").stdout
    assert [p["owner"] for p in lv.net_ports("default")] == ["g1"]
    lv.destroy_domain("g1")


def lv_networks_of_its_own(host):
    out = host.sh(f"busctl --address={host.bus_address} call org.hostnet1 /org/hostnet1 "
                  "org.hostnet1.Manager ListLibvirtNetworks --json=short").stdout
    return json.loads(out)["data"][0]


def test_imports_that_cannot_be_made_change_nothing(host, lv):
    theirs = lv.define_network("<network><name>theirs</name><forward mode='bridge'/><bridge name='br-theirs'/></network>",
                               start=False)
    before = lv.virsh("net-dumpxml", theirs).stdout
    wait_for(lambda: "theirs" in lv_networks_of_its_own(host), "hostnet to see libvirt's network")
    assert "not one whose bridge libvirt makes" in host.ctl_error("net-import", "theirs")
    assert "libvirt has no network 'nosuch'" in host.ctl_error("net-import", "nosuch")
    every = host.ctl("net-import", "--all")
    assert "skipped theirs: " in every.stderr and "not one whose bridge libvirt makes" in every.stderr
    host.ctl("net-define", host.write_xml("lab", "<network><name>lab</name><bridge name='hnlab0'/></network>"))
    wait_for(lambda: "lab" in lv.networks(), "lab registered")
    assert "hostnet has a network named 'lab' already" in host.ctl_error("net-import", "lab")
    assert "only a network hostnet imported can be released" in host.ctl_error("net-release", "lab")
    assert lv.virsh("net-dumpxml", theirs).stdout == before
    assert set(host.networks()) == {"lab"}


def test_a_guest_libvirt_lost_track_of_is_imported_too(host, lv):
    # libvirt's net-destroy + net-start drops its record of the running guest's port (and leaves
    # its tap off the bridge); the admin put the tap back by hand. The domain still says where
    # the guest is: the import takes it, and libvirt gets its port back.
    lv.define_network(LIBVIRT_DEFAULT)
    lv.virt_install("g2", "default", stay=True)
    addr = lease_of(lv.wait_console("g2", "GUEST-STAYING", timeout=180))
    ((tap, _),) = lv.domain_taps("g2").items()
    lv.virsh("net-destroy", "default")
    lv.virsh("net-start", "default")
    assert lv.net_ports("default") == []
    host.sh(f"ip link set {tap} master virbr9")
    wait_for(lambda: answers(host, addr), "the guest on libvirt's bridge again", timeout=20)
    wait_for(lambda: "default" in lv_networks_of_its_own(host), "hostnet to see libvirt's default")

    host.ctl("net-import", "default")
    assert host.link(tap).get("master") == "virbr9"
    wait_for(lambda: answers(host, addr), "the guest through hostnet's bridge", timeout=20)
    ports = {p["name"]: p for p in json.loads(host.ctl("port-list", "--json").stdout)}
    assert ports[tap]["vm_name"] == "g2"
    assert [p["owner"] for p in lv.net_ports("default")] == ["g2"], "libvirt has the guest's port again"
    lv.destroy_domain("g2")
    wait_for(lambda: tap not in {p["name"] for p in json.loads(host.ctl("port-list", "--json").stdout)},
             "the port to go with the domain")

"""hostnet under a real libvirtd (isolated in the test's namespaces, libvirt_host.py): a hostnet
network is a network virsh and virt-install use, a guest libvirt starts on it boots and takes a
lease from hostnet's dnsmasq, and the registration survives libvirtd and hostnetd restarts and an
admin's net-destroy. libvirt's own networks are never touched."""

import json

from libvirt_host import wait_for
from test_libvirt import libvirt_info, libvirt_note as note

LAB = """<network>
  <name>lab</name>
  <forward mode='nat'/>
  <bridge name='hnlab0' stp='off'/>
  <ip address='10.79.0.1' prefix='24'>
    <dhcp><range start='10.79.0.100' end='10.79.0.200'/></dhcp>
  </ip>
  <portgroup name='web'/>
</network>
"""


def active_in_libvirt(lv, name):
    return name in lv._names("net-list", "--name")


def test_a_guest_that_virt_install_starts_on_a_hostnet_network_gets_a_lease_from_hostnet(host, lv):
    host.ctl("net-define", host.write_xml("lab", LAB))
    host.ctl("net-start", "lab")
    wait_for(lambda: active_in_libvirt(lv, "lab"), "lab to be active in libvirt")
    xml = lv.virsh("net-dumpxml", "lab").stdout
    assert "<forward mode='bridge'/>" in xml and "<bridge name='hnlab0'/>" in xml and "<portgroup name='web'>" in xml
    assert "<hostnet:registration/>" in xml
    uuid = json.loads(host.ctl("net-info", "lab", "--json").stdout)["uuid"]
    assert f"<uuid>{uuid}</uuid>" in xml, "libvirt and hostnet must name the network by the same uuid"

    lv.virt_install("g1", "lab", portgroup="web")
    (tap,) = lv.domain_taps("g1")
    assert host.link(tap)["master"] == "hnlab0", "libvirt plugged the guest into hostnet's bridge"
    lines = lv.wait_console("g1", "GUEST-DONE", timeout=180)
    lease = next(l for l in lines if l.startswith("GUEST-LEASE"))
    assert lease.split()[1].startswith("10.79.0."), lines
    assert "GUEST-PING-GATEWAY ok" in lines, lines
    leases = json.loads(host.ctl("net-dhcp-leases", "lab", "--json").stdout)
    assert [l["ip"] for l in leases] == [lease.split()[1]]


def test_the_registration_follows_hostnet_and_is_repaired(host, lv):
    own = lv.define_network("<network><name>theirs</name><forward mode='bridge'/><bridge name='br-theirs'/></network>",
                            start=False)
    before = lv.virsh("net-dumpxml", own).stdout
    host.ctl("net-define", host.write_xml("lab", LAB))
    wait_for(lambda: "lab" in lv.networks(), "lab in virsh net-list --all")
    assert not active_in_libvirt(lv, "lab")
    host.ctl("net-start", "lab")
    wait_for(lambda: active_in_libvirt(lv, "lab"), "lab to start in libvirt")

    # An admin stops it in libvirt: hostnet's network is still active, so it comes back.
    lv.virsh("net-destroy", "lab")
    wait_for(lambda: active_in_libvirt(lv, "lab"), "hostnet to start its registration again")

    # libvirtd killed and started again: hostnetd reconnects and checks everything again.
    lv.virsh("net-undefine", "lab")  # gone with libvirtd's restart (it was transient by then)
    lv.restart(kill=True)
    wait_for(lambda: libvirt_info(host)["connected"], "hostnetd to reconnect", timeout=60)
    wait_for(lambda: "lab" in lv.networks() and active_in_libvirt(lv, "lab"), "lab registered again", timeout=30)
    assert "lost the connection" in host.daemon_log()

    # hostnetd killed and started again: the registration is left as it is.
    host.restart_daemon(kill9=True)
    wait_for(lambda: note(host, "lab") == "registered as libvirt bridge network 'lab' (active)", "the note")

    # The name of libvirt's own network is refused; the network itself is untouched throughout.
    err = host.ctl_error("net-define", host.write_xml("theirs", LAB.replace("<name>lab", "<name>theirs")
                                                       .replace("hnlab0", "hnth0").replace("10.79.", "10.80.")))
    assert "libvirt already has a network of its own named 'theirs'" in err
    host.ctl("net-destroy", "lab")
    host.ctl("net-undefine", "lab")
    wait_for(lambda: "lab" not in lv.networks(), "lab to leave libvirt with hostnet's network")
    assert lv.virsh("net-dumpxml", own).stdout == before

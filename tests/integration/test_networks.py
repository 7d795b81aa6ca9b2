"""Isolated and host-bridge networks, end to end: hostnetctl -> D-Bus -> hostnetd -> kernel."""

ISOLATED = """<network>
  <name>isolated</name>
  <bridge stp='on' delay='0'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'/>
  <ip family='ipv6' address='fd00:150::1' prefix='64'/>
</network>
"""


def test_define_start_list_dumpxml_destroy_undefine(host):
    out = host.ctl("net-define", host.write_xml("isolated", ISOLATED)).stdout
    assert "Network isolated defined" in out
    assert host.networks()["isolated"] == {
        "name": "isolated", "uuid": host.networks()["isolated"]["uuid"], "active": False, "persistent": True,
        "autostart": False, "bridge": "hnbr0", "backend": "bridge", "forward": "none", "warnings": [],
        "libvirt": host.networks()["isolated"]["libvirt"], "controllers": []}
    assert host.config_files() == ["isolated.xml"]

    host.ctl("net-start", "isolated")
    bridge = host.link("hnbr0")
    assert bridge is not None, "net-start made no bridge"
    assert bridge["linkinfo"]["info_kind"] == "bridge"
    assert "UP" in bridge["flags"]
    assert bridge["linkinfo"]["info_data"]["stp_state"] == 1
    # delay='0' with STP on: the kernel holds 2 s, its minimum while STP runs (libvirt's virbr0 too).
    assert bridge["linkinfo"]["info_data"]["forward_delay"] == 200
    assert bridge["ifalias"] == "hostnet:isolated"
    assert set(host.addresses("hnbr0")) == {"192.168.150.1/24", "fd00:150::1/64"}

    table = host.ctl("net-list").stdout
    assert table.splitlines()[0].split() == ["Name", "State", "Autostart", "Persistent"]
    assert table.splitlines()[2].split() == ["isolated", "active", "no", "yes"]

    xml = host.ctl("net-dumpxml", "isolated").stdout
    uuid = host.networks()["isolated"]["uuid"]
    assert f"<uuid>{uuid}</uuid>" in xml
    mac = bridge["address"]
    assert f"<mac address='{mac}'/>" in xml, "the bridge must carry the MAC the definition was given"
    assert mac.startswith("52:54:00:")
    assert "<bridge name='hnbr0' stp='on' delay='0'/>" in xml

    info = host.ctl("net-info", "isolated").stdout
    assert "Active:         yes" in info and "Bridge:         hnbr0" in info

    host.ctl("net-destroy", "isolated")
    assert host.link("hnbr0") is None
    assert host.networks()["isolated"]["active"] is False
    host.ctl("net-undefine", "isolated")
    assert host.networks() == {}
    assert host.config_files() == []


def test_stp_off_and_delay_as_written(host):
    host.ctl("net-define", host.write_xml("n", """<network><name>n</name>
        <bridge name='hn-stp' stp='off' delay='4'/><mtu size='9000'/>
        <ip address='10.40.0.1' prefix='24'/></network>"""))
    host.ctl("net-start", "n")
    data = host.link("hn-stp")
    assert data["linkinfo"]["info_data"]["stp_state"] == 0
    assert data["linkinfo"]["info_data"]["forward_delay"] == 400
    assert data["mtu"] == 9000


def test_autostart_across_restart_keeps_the_same_bridge(host):
    host.ctl("net-define", host.write_xml("isolated", ISOLATED))
    host.ctl("net-start", "isolated")
    host.ctl("net-autostart", "isolated")
    assert host.config_files() == ["autostart/isolated.xml", "isolated.xml"]
    ifindex = host.link("hnbr0")["ifindex"]

    host.restart_daemon()
    assert host.networks()["isolated"]["active"] is True
    assert host.link("hnbr0")["ifindex"] == ifindex, "a daemon restart recreated the bridge"

    host.restart_daemon(kill9=True)
    assert host.networks()["isolated"]["active"] is True
    assert host.networks()["isolated"]["autostart"] is True
    assert host.link("hnbr0")["ifindex"] == ifindex, "a restart after kill -9 recreated the bridge"

    host.ctl("net-autostart", "isolated", "--disable")
    assert host.config_files() == ["isolated.xml"]


def test_autostart_starts_an_inactive_network_when_hostnetd_starts(host):
    host.ctl("net-define", host.write_xml("isolated", ISOLATED))
    host.ctl("net-autostart", "isolated")
    host.restart_daemon()
    assert host.networks()["isolated"]["active"] is True
    assert host.link("hnbr0") is not None


def test_restart_recreates_a_bridge_deleted_behind_its_back(host):
    host.ctl("net-define", host.write_xml("isolated", ISOLATED))
    host.ctl("net-start", "isolated")
    host.stop_daemon()
    host.sh("ip link del hnbr0")
    host.start_daemon()
    assert host.networks()["isolated"]["active"] is True
    assert "192.168.150.1/24" in host.addresses("hnbr0")


def test_restart_removes_what_hostnet_made_for_inactive_networks(host):
    host.sh("ip link add ghostbr type bridge && ip link set ghostbr alias hostnet:ghost")
    host.sh("ip link add adminbr type bridge")
    host.restart_daemon()
    assert host.link("ghostbr") is None
    assert host.link("adminbr") is not None, "a bridge hostnet did not make was removed"


def test_transient_network_is_never_stored(host):
    host.ctl("net-create", host.write_xml("isolated", ISOLATED))
    assert host.networks()["isolated"]["persistent"] is False
    assert host.networks()["isolated"]["active"] is True
    assert host.config_files() == []
    assert "autostart" in host.ctl_error("net-autostart", "isolated")
    host.ctl("net-destroy", "isolated")
    assert host.networks() == {}
    assert host.link("hnbr0") is None


def test_host_bridge_network_uses_the_admins_bridge_and_never_deletes_it(host):
    xml = host.write_xml("hb", """<network><name>host-bridge</name>
        <forward mode='bridge'/><bridge name='br0'/></network>""")
    host.ctl("net-define", xml)
    err = host.ctl_error("net-start", "host-bridge")
    assert "NotFound" in err and "br0" in err

    host.sh("ip link add br0 type bridge")
    ifindex = host.link("br0")["ifindex"]
    host.ctl("net-start", "host-bridge")
    assert host.networks()["host-bridge"]["active"] is True
    host.ctl("net-destroy", "host-bridge")
    host.ctl("net-undefine", "host-bridge")
    assert host.link("br0")["ifindex"] == ifindex


def test_host_bridge_must_be_a_bridge(host):
    host.sh("ip link add br0 type veth peer name br0p")
    host.ctl("net-define", host.write_xml("hb", """<network><name>hb</name>
        <forward mode='bridge'/><bridge name='br0'/></network>"""))
    err = host.ctl_error("net-start", "hb")
    assert "Conflict" in err and "veth" in err


def test_modes_of_later_issues_are_stored_but_unsupported(host):
    host.ctl("net-define", host.write_xml("p", """<network><name>macvtap</name>
        <forward mode='private' dev='eth7'/></network>"""))
    err = host.ctl_error("net-start", "macvtap")
    assert "Unsupported" in err and "'private'" in err
    assert host.networks()["macvtap"]["active"] is False
    assert "nft" not in host.sh("nft list tables").stdout


def test_a_failure_half_way_through_start_rolls_back(host):
    # With IPv6 disabled the kernel refuses the network's IPv6 address, after the bridge exists.
    host.sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
    host.ctl("net-define", host.write_xml("isolated", ISOLATED))
    err = host.ctl_error("net-start", "isolated")
    assert "fd00:150::1" in err
    assert host.link("hnbr0") is None, "the half-made bridge was left behind"
    assert host.networks()["isolated"]["active"] is False
    assert not list((host.state_dir / "networks").glob("*.xml"))


def test_net_validate_needs_no_daemon(host):
    good = host.write_xml("good", ISOLATED)
    bad = host.write_xml("bad", "<network><name>x</name>\n<ip address='10.0.0.300'/></network>")
    host.stop_daemon()
    assert "validates" in host.ctl("net-validate", good).stdout
    err = host.ctl_error("net-validate", bad)
    assert "InvalidXML" in err and "line 2" in err and "10.0.0.300" in err


def test_what_libvirt_accepts_but_will_not_work_is_defined_with_a_warning(host):
    # libvirt accepts a static DHCP host outside the subnet; dnsmasq then ignores it.
    xml = ("<network><name>warned</name><ip address='192.168.151.1' prefix='24'>\n"
           "<dhcp><range start='192.168.151.10' end='192.168.151.20'/>\n"
           "<host mac='52:54:00:00:00:01' ip='10.9.9.9'/></dhcp></ip></network>")
    result = host.ctl("net-define", host.write_xml("warned", xml))
    expected = "line 3: <host ip='10.9.9.9'>: outside the network's subnet 192.168.151.1/24"
    assert "Network warned defined" in result.stdout
    assert f"warning: {expected}" in result.stderr
    assert expected in host.networks()["warned"]["warnings"][0]
    assert f"Warning:        {expected}" in host.ctl("net-info", "warned").stdout
    assert "network warned: " + expected in host.daemon_log()
    assert "<host mac='52:54:00:00:00:01' ip='10.9.9.9'/>" in host.ctl("net-dumpxml", "warned").stdout
    validated = host.ctl("net-validate", host.tmp / "warned.xml")
    assert "validates" in validated.stdout and expected in validated.stderr
    host.ctl("net-start", "warned")  # and it starts, as under libvirt

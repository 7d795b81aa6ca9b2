"""Bad input gets a named error and changes nothing: no device, no file, no network."""

import pytest

OTHER = """<network><name>other</name><uuid>11111111-2222-3333-4444-555555555555</uuid>
  <bridge name='hnbr-other'/><ip address='192.168.170.1' prefix='24'/></network>"""


@pytest.fixture
def busy_host(host):
    host.ctl("net-define", host.write_xml("other", OTHER))
    host.ctl("net-start", "other")
    host.sh("ip link add vethtaken type veth peer name vethtaken-p")
    return host


BAD = [
    ("malformed", "<network><name>x</name>\n<bridge name='b'>\n</network>", "InvalidXML", "line 2"),
    ("unknown mode", "<network><name>x</name><forward mode='tunnel'/></network>", "InvalidXML", "tunnel"),
    ("long bridge", "<network><name>x</name><bridge name='abcdefghijklmnop'/></network>", "InvalidXML", "15 bytes"),
    ("slash bridge", "<network><name>x</name><bridge name='a/b'/></network>", "InvalidXML", "'/'"),
    ("space bridge", "<network><name>x</name><bridge name='a b'/></network>", "InvalidXML", "whitespace"),
    ("percent bridge", "<network><name>x</name><bridge name='a%b'/></network>", "InvalidXML", "'%'"),
    ("same name other uuid", "<network><name>other</name><uuid>11111111-2222-3333-4444-666666666666</uuid></network>",
     "Conflict", "already exists"),
    ("same uuid other name", "<network><name>x</name><uuid>11111111-2222-3333-4444-555555555555</uuid></network>",
     "Conflict", "uuid"),
    ("same bridge", "<network><name>x</name><bridge name='hnbr-other'/></network>", "Conflict", "hnbr-other"),
    ("foreign device", "<network><name>x</name><bridge name='vethtaken'/></network>", "Conflict", "veth"),
    ("misspelt hostnet element", "<network><name>x</name><metadata>\n<h:network xmlns:h='https://hostnet.dev/xmlns/"
     "network/1.0'>\n<h:tunel type='vxlan' remote='192.0.2.2' key='5'/></h:network></metadata></network>",
     "InvalidXML", "line 3: <h:tunel>: not an element of hostnet's namespace"),
]


IP = "<ip address='10.9.9.1' prefix='24'>{}</ip>"
# Text that would change the meaning of what it is written into, one case per place it goes: a
# file name, dnsmasq's configuration (a newline starts an option of the attacker's, a comma adds
# a field), nftables (a quote ends a string), OVSDB and sysfs (device names).
INJECTION = [
    ("file name: ../", "<network><name>../evil</name></network>", "InvalidXML", "<name>: the network name '../evil' contains '/'"),
    ("file name: too long", f"<network><name>{'n' * 300}</name></network>", "InvalidXML", "longer than 200 bytes"),
    ("dnsmasq: newline in domain", "<network><name>x</name><domain name='a&#10;dhcp-script=/bin/sh'/>" + IP.format("")
     + "</network>", "InvalidXML", "<domain name='a"),
    ("dnsmasq: comma in host name", "<network><name>x</name>" + IP.format(
        "<dhcp><host mac='52:54:00:00:00:01' name='a,set:x' ip='10.9.9.5'/></dhcp>") + "</network>",
     "InvalidXML", "a host name cannot contain ','"),
    ("dnsmasq: newline in tftp root", "<network><name>x</name>" + IP.format("<tftp root='/srv&#10;dhcp-script=/x'/>")
     + "</network>", "InvalidXML", "root contains a control character"),
    ("dnsmasq: comma in tftp root", "<network><name>x</name>" + IP.format("<tftp root='/srv,eth0'/>") + "</network>",
     "InvalidXML", "root cannot contain ','"),
    ("dnsmasq: comma in boot file", "<network><name>x</name>" + IP.format(
        "<dhcp><range start='10.9.9.10' end='10.9.9.20'/><bootp file='pxe,evil'/></dhcp>") + "</network>",
     "InvalidXML", "file cannot contain ','"),
    ("nftables: quote in forward dev", "<network><name>x</name><forward mode='nat' dev='eth0&quot; accept'/>"
     + IP.format("") + "</network>", "InvalidXML", "interface name 'eth0\" accept' contains '\"'"),
    ("nftables: rule text as an address", "<network><name>x</name><forward mode='nat'><nat><address "
     "start='1.2.3.4; flush ruleset' end='1.2.3.5'/></nat></forward>" + IP.format("") + "</network>",
     "InvalidXML", "not an IPv4 address"),
    ("OVSDB: newline in interfaceid", "<network><name>x</name><forward mode='bridge'/><bridge name='br0'/>"
     "<virtualport type='openvswitch'><parameters interfaceid='a&#10;b'/></virtualport></network>",
     "InvalidXML", "interfaceid contains a control character"),
    ("sysfs: .. as a bridge", "<network><name>x</name><bridge name='..'/></network>", "InvalidXML",
     "'..' is not an interface name"),
    ("size: over 4 MiB", f"<network><name>x</name><description>{'d' * (4 * 1024 * 1024)}</description></network>",
     "InvalidXML", "the limit is 4194304 (4 MiB)"),
]
BAD += INJECTION


@pytest.mark.parametrize("what,xml,error,detail", BAD, ids=[b[0] for b in BAD])
def test_definition_is_refused_and_nothing_changes(busy_host, what, xml, error, detail):
    host = busy_host
    links, files, nets = set(host.links()), host.config_files(), host.networks()
    err = host.ctl_error("net-define", host.write_xml("bad", xml))
    assert f"error: {error}:" in err and detail in err, err
    assert set(host.links()) == links
    assert host.config_files() == files
    assert host.networks() == nets
    assert host.link("vethtaken")["linkinfo"]["info_kind"] == "veth"


def test_a_definition_that_is_not_utf8_is_refused(busy_host):
    """Bytes that are not UTF-8 (a Latin-1 file) reach neither dnsmasq nor the bus's strings."""
    host = busy_host
    path = host.tmp / "latin1.xml"
    path.write_bytes("<network><name>x</name><title>café</title></network>".encode("latin-1"))
    files = host.config_files()
    err = host.ctl_error("net-define", path)
    assert "UTF-8" in err, err
    assert host.config_files() == files


def test_overlapping_subnet_is_refused_at_start(busy_host):
    host = busy_host
    host.ctl("net-define", host.write_xml("x", "<network><name>x</name><ip address='192.168.170.77' prefix='24'/></network>"))
    links = set(host.links())
    err = host.ctl_error("net-start", "x")
    assert "Conflict" in err and "other" in err and "192.168.170" in err
    assert set(host.links()) == links
    assert host.networks()["x"]["active"] is False


def test_a_caller_that_is_not_root_is_refused(busy_host):
    host = busy_host
    nobody = 65534
    assert "other" in host.ctl("net-list", "--all", as_user=nobody).stdout, "reading must stay open"
    for args in (["net-define", host.write_xml("y", "<network><name>y</name></network>")],
                 ["net-destroy", "other"], ["net-undefine", "other"], ["net-autostart", "other"],
                 ["net-create", host.write_xml("z", "<network><name>z</name></network>")]):
        err = host.ctl_error(*args, as_user=nobody)
        assert "PermissionDenied" in err, err
    assert host.networks()["other"]["active"] is True
    assert host.networks()["other"]["autostart"] is False
    assert set(host.networks()) == {"other"}


def test_a_full_disk_fails_a_define_clearly_and_keeps_the_old_definition():
    """The config dir on a small tmpfs of its own (hostnetd restarted on it), filled up: a define that
    cannot be written fails naming the reason, and the definition before it is the one kept."""
    import subprocess
    from harness import Host, run
    host = Host()
    mounted = False
    try:
        host.stop_daemon()
        saved = host.tmp / "etc-before"
        host.config_dir.rename(saved)
        host.config_dir.mkdir()
        run(["mount", "-t", "tmpfs", "-o", "size=256k", "hostnet-test-full", str(host.config_dir)])
        mounted = True
        run(["cp", "-a", f"{saved}/.", str(host.config_dir)])
        host.start_daemon()
        host.ctl("net-define", host.write_xml("keep", OTHER))
        path = host.config_dir / "networks" / "other.xml"
        before = path.read_text()
        filler = host.config_dir / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)  # until ENOSPC
        err = host.ctl_error("net-define", host.write_xml("bigger", OTHER.replace(
            "<bridge name='hnbr-other'/>", "<bridge name='hnbr-other'/>" + "<!-- x -->" +
            "".join(f"<portgroup name='pg{i}'/>" for i in range(400)))))
        assert "other" in err and "No space left on device" in err, err
        assert path.read_text() == before, "the old definition is intact"
        assert "pg1" not in host.ctl("net-dumpxml", "other", "--inactive").stdout
        assert not list((host.config_dir / "networks").glob("*.tmp*")), "no temporary file left"
        err = host.ctl_error("net-define", host.write_xml("new", "<network><name>fresh</name></network>"))
        assert "No space left on device" in err, err
        assert "fresh" not in host.ctl("net-list", "--all").stdout
    finally:
        if mounted:
            host.stop_daemon()
            run(["umount", str(host.config_dir)], check=False)
        host.close()

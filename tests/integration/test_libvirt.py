"""hostnet under libvirt: hostnet's networks registered in libvirt as bridge-mode networks on
hostnet's bridges, libvirt's own networks left alone. libvirt's test driver (test:///default,
libvirt's own code running inside hostnetd) stands in for libvirtd where no daemon is needed;
tests/integration/test_libvirtd.py uses a real libvirtd."""

import json

import pytest

from harness import Host


@pytest.fixture
def test_driver_host():
    h = Host(libvirt_uri="test:///default")
    try:
        h._wait(lambda: libvirt_info(h)["connected"], "libvirt to connect")
        yield h
    finally:
        h.close()


def libvirt_info(host):
    return json.loads(host.ctl("libvirt-info", "--json").stdout)


def libvirt_note(host, name):
    return json.loads(host.ctl("net-info", name, "--json").stdout)["libvirt"]


def test_a_network_is_registered_in_libvirt_and_follows_start_and_stop(test_driver_host):
    host = test_driver_host
    host.ctl("net-define", host.write_xml("lab", "<network><name>lab</name><ip address='10.62.0.1' prefix='24'/></network>"))
    host._wait(lambda: libvirt_note(host, "lab") == "registered as libvirt bridge network 'lab' (inactive)",
               "the registration")
    host.ctl("net-start", "lab")
    host._wait(lambda: libvirt_note(host, "lab") == "registered as libvirt bridge network 'lab' (active)",
               "the registration to start")
    host.ctl("net-destroy", "lab")
    host._wait(lambda: libvirt_note(host, "lab").endswith("(inactive)"), "the registration to stop")


def test_a_name_libvirt_uses_for_its_own_network_is_refused_naming_it(test_driver_host):
    host = test_driver_host
    # The test driver has a 'default' network of its own, as a fresh libvirt host does.
    err = host.ctl_error("net-define", host.write_xml("default", "<network><name>default</name>"
                                                                 "<ip address='10.63.0.1' prefix='24'/></network>"))
    assert err.startswith("error: Conflict:") and "libvirt already has a network of its own named 'default'" in err
    assert host.config_files() == []
    # Kept out of libvirt, the same name is fine.
    host.ctl("net-define", host.write_xml("default", "<network><name>default</name><metadata>"
                                                     "<hostnet:network xmlns:hostnet='https://hostnet.dev/xmlns/network/1.0'>"
                                                     "<hostnet:libvirt register='no'/></hostnet:network></metadata>"
                                                     "<ip address='10.63.0.1' prefix='24'/></network>"))
    assert libvirt_note(host, "default") == "not registered: kept out of libvirt by its hostnet metadata"


def test_without_libvirtd_hostnet_works_and_says_libvirt_is_not_connected(host):
    host.restart_daemon()  # the fixture's host runs --no-libvirt: that says so too
    assert json.loads(host.ctl("libvirt-info", "--json").stdout) == {
        "enabled": False, "connected": False, "uri": "", "reason": "switched off (--no-libvirt)"}
    host.stop_daemon()
    host.libvirt_uri = f"qemu+unix:///system?socket={host.tmp}/no-libvirtd/libvirt-sock"
    host.start_daemon()
    host._wait(lambda: "no-libvirtd" in json.loads(host.ctl("libvirt-info", "--json").stdout)["reason"],
               "the reason libvirt is not connected")
    info = json.loads(host.ctl("libvirt-info", "--json").stdout)
    assert info["enabled"] and not info["connected"] and info["uri"] == host.libvirt_uri
    host.ctl("net-create", host.write_xml("lab", "<network><name>lab</name><ip address='10.62.0.1' prefix='24'/></network>"))
    assert host.link("hnbr0") is not None
    assert "libvirt: not connected" in host.daemon_log()

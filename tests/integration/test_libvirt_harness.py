"""The libvirt test harness itself (libvirt_host.py): a real libvirtd in the test's namespace that
leaves nothing behind, survives restarts, runs a real guest that takes a DHCP lease on a
bridge-mode network, and takes domains from virt-install as a client."""

import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from libvirt_host import Libvirtd, alive, guest_image, wait_for

GATEWAY = "10.78.0.1"


def net_name():
    # A name of this test only, so that "nothing of it on the host" can be checked by name.
    return "hn" + secrets.token_hex(3)


def bridge_network(bridge):
    """A bridge-mode libvirt network on `bridge` (libvirt then leaves the bridge alone)."""
    return f"<network><name>{net_name()}</name><forward mode='bridge'/><bridge name='{bridge}'/>" \
           "<portgroup name='web'/></network>"


def processes_in_mount_ns(mnt_ns):
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and os.readlink(proc / "ns" / "mnt") == mnt_ns:
                pids.append(int(proc.name))
        except OSError:
            pass
    return pids


@pytest.fixture
def lv(host):
    with Libvirtd(host.ns) as daemon:
        yield daemon


@pytest.fixture
def bridge(host):
    """A Linux bridge in the host namespace that libvirt does not manage."""
    host.sh(f"ip link add hnbr0 type bridge && ip addr add {GATEWAY}/24 dev hnbr0 && ip link set hnbr0 up")
    return "hnbr0"


@pytest.fixture
def dhcp(host, bridge):
    """dnsmasq on the bridge (as hostnet will run one for its networks); returns its lease file.
    Ended by pid with the host."""
    leases = host.tmp / f"{bridge}.leases"
    log_path = host.tmp / "dnsmasq.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["ip", "netns", "exec", host.ns, "dnsmasq", "--no-daemon", "--conf-file=/dev/null",
                                 "--port=0", f"--interface={bridge}", "--bind-interfaces", "--no-ping", "--log-dhcp",
                                 "--dhcp-range=10.78.0.100,10.78.0.200,1h", f"--dhcp-leasefile={leases}"],
                                stdout=log, stderr=subprocess.STDOUT)
    host.processes.append(proc)
    wait_for(lambda: "sockets bound" in log_path.read_text() or proc.poll() is not None, "dnsmasq to listen")
    assert proc.poll() is None, log_path.read_text()
    return leases


def test_libvirtd_runs_in_the_test_namespace_and_leaves_nothing_behind(host, bridge):
    run_libvirt_existed = os.path.exists("/run/libvirt")
    lib_before = sorted(p.name for p in Path("/var/lib/libvirt").iterdir())
    lv = Libvirtd(host.ns)
    try:
        print(f"libvirtd answered {lv.start_seconds:.2f} s after start")
        assert "Running hypervisor: QEMU" in lv.virsh("version").stdout
        pid = lv.pid
        assert os.stat(f"/proc/{pid}/ns/net").st_ino == os.stat(f"/run/netns/{host.ns}").st_ino
        mnt_ns = os.readlink(f"/proc/{pid}/ns/mnt")
        assert mnt_ns != os.readlink("/proc/self/ns/mnt")

        name = lv.define_network(bridge_network(bridge))
        assert "Active:         yes" in lv.virsh("net-info", name).stdout
        assert (lv.tmp / "etc" / "qemu" / "networks" / f"{name}.xml").exists()
        assert not Path(f"/etc/libvirt/qemu/networks/{name}.xml").exists()
        assert lv.socket.is_socket()
    finally:
        lv.close()
    assert not Path(f"/etc/libvirt/qemu/networks/{name}.xml").exists()
    assert os.path.exists("/run/libvirt") == run_libvirt_existed
    assert sorted(p.name for p in Path("/var/lib/libvirt").iterdir()) == lib_before
    assert not lv.tmp.exists()
    assert not alive(pid)
    assert processes_in_mount_ns(mnt_ns) == []
    lv.close()  # twice is fine


def test_networks_and_domains_survive_restart_and_crash(host, bridge, lv):
    name = lv.define_network(bridge_network(bridge))
    lv.start_domain("idle", name)  # no guest: SeaBIOS idles, the domain just owns a tap
    (tap,) = lv.domain_taps("idle")
    qemu = int((lv.tmp / "run" / "qemu" / "idle.pid").read_text())

    for crash in (False, True):
        old = lv.pid
        began = time.monotonic()
        lv.restart(kill=crash)
        print(f"{'kill' if crash else 'stop'} + start: {time.monotonic() - began:.2f} s")
        assert lv.pid != old
        assert lv.networks() == [name]
        assert "Active:         yes" in lv.virsh("net-info", name).stdout
        assert lv.domain_state("idle") == "running"
        assert list(lv.domain_taps("idle")) == [tap]
        assert host.link(tap)["master"] == bridge

    # The hard case for cleanup: libvirtd dead, its QEMU still running (as after a crash).
    mnt_ns = os.readlink(f"/proc/{lv.pid}/ns/mnt")
    lv.kill()
    assert alive(qemu)
    lv.close()
    assert not alive(qemu)
    assert processes_in_mount_ns(mnt_ns) == []
    assert host.link(tap) is None


def test_guest_takes_a_lease_through_a_bridge_mode_network(host, bridge, lv, dhcp):
    guest = guest_image()
    name = lv.define_network(bridge_network(bridge))
    began = time.monotonic()
    lv.start_domain("g1", name, guest=guest)
    print(f"domain started in {time.monotonic() - began:.2f} s")

    taps = lv.domain_taps("g1")
    (tap, iface), = taps.items()
    assert iface["type"] == "bridge" and iface["source"] == name  # live XML of a bridge-mode net
    assert host.link(tap)["master"] == bridge
    (port,) = lv.net_ports(name)
    assert (port["owner"], port["mac"], port["plug"], port["bridge"]) == ("g1", iface["mac"], "bridge", bridge)

    lines = lv.wait_console("g1", "GUEST-DONE")
    print(f"guest done {time.monotonic() - began:.2f} s after start:", *lines, sep="\n  ")
    lease = next(line.split()[1] for line in lines if line.startswith("GUEST-LEASE"))
    assert lease.startswith("10.78.0.")
    assert "GUEST-PING-GATEWAY ok" in lines
    assert iface["mac"] in dhcp.read_text()
    wait_for(lambda: lv.domain_state("g1") == "shut off", "the guest to power off", timeout=30)
    assert lv.net_ports(name) == []


def test_virt_install_creates_a_domain_on_the_network(host, bridge, lv, dhcp):
    name = lv.define_network(bridge_network(bridge))
    began = time.monotonic()
    lv.virt_install("vi1", name, portgroup="web", stay=True)
    print(f"virt-install returned after {time.monotonic() - began:.2f} s")
    assert "vi1" in lv.virsh("list", "--persistent", "--name").stdout.split()
    assert lv.domain_state("vi1") == "running"
    (port,) = lv.net_ports(name)
    assert (port["owner"], port["group"]) == ("vi1", "web")
    lines = lv.wait_console("vi1", "GUEST-STAYING")
    assert any(line.startswith("GUEST-LEASE 10.78.0.") for line in lines), lines
    lv.destroy_domain("vi1")
    assert lv.domains() == []

import pytest

from harness import Host
from libvirt_host import Libvirtd, serve_libvirtd


@pytest.fixture
def host():
    h = Host()
    try:
        yield h
    finally:
        h.close()


@pytest.fixture
def lv(host):
    """A real libvirtd in the host's namespace, with the host's hostnetd connected to it."""
    with Libvirtd(host.ns) as daemon:
        serve_libvirtd(host, daemon)
        yield daemon
        host.stop_daemon()  # before libvirtd goes: its disconnect is not what the test checks

"""hostnetd killed (SIGKILL) at random moments during port creates and deletes, and network starts
and stops: after each restart
every answered call holds, nothing is half made, no device is left without its port
(crash_churn.py; bench/bench_crash_churn.py runs the issue's full 20 rounds of 1000 calls)."""

import pytest

from crash_churn import churn
from harness import Host

KERNEL = "<network><name>churn</name><bridge name='hncc0' stp='off'/></network>"
OVS = "<network><name>churn</name><bridge name='hncc0'/><virtualport type='openvswitch'/></network>"


@pytest.mark.parametrize("backend", ["bridge", "ovs"])
def test_answered_port_calls_survive_a_kill_at_any_moment(backend):
    host = Host(ovs=backend == "ovs")
    try:
        host.ctl("net-create", host.write_xml("churn", OVS if backend == "ovs" else KERNEL))
        counts, problems = churn(host, "churn", "hncc0", rounds=6, calls=60, ovs=backend == "ovs", seed=7)
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

"""hostnetd killed (SIGKILL) at random moments during port creates and deletes: after each restart
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

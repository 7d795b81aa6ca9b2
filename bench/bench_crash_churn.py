#!/usr/bin/python3
"""Crash consistency at the issue's size (issue 13 part 5): --rounds rounds (default 20) of up to
--count port creates/deletes (default 1000) each, on a kernel bridge network, an Open vSwitch one
and an OVS-DPDK one (vhost-user ports; --backends picks), hostnetd killed with SIGKILL at a
random moment of every round and started again; after each restart every answered call is
checked against what is there (see tests/integration/crash_churn.py). --networks N mixes in starts and stops of N more networks (with
DHCP, so dnsmasq too; default 3). Prints the counts and every problem found.

    sudo /usr/bin/python3 bench/bench_crash_churn.py [--count 1000] [--rounds 20] [--networks 3]
        [--backends bridge,ovs,ovs-dpdk] [--build-dir build-bench]"""

import benchlib


def main():
    def extra(p):
        p.add_argument("--rounds", type=int, default=20)
        p.add_argument("--networks", type=int, default=3)
        p.add_argument("--backends", default="bridge,ovs,ovs-dpdk")
    args = benchlib.parse_args(__doc__, 1000, extra=extra)
    from crash_churn import churn
    from harness import Host
    from test_crash_consistency import DPDK, KERNEL, OVS
    total = 0
    for backend in args.backends.split(","):
        xml = {"bridge": KERNEL, "ovs": OVS, "ovs-dpdk": DPDK}[backend]
        host = Host(ovs=backend == "ovs", dpdk="init" if backend == "ovs-dpdk" else None)
        try:
            host.ctl("net-create", host.write_xml("churn", xml))
            counts, problems = churn(host, "churn", "hncc0", args.rounds, args.count, ovs=backend == "ovs", seed=11,
                                     networks=args.networks, vhost_user=backend == "ovs-dpdk")
        finally:
            host.close()
        print(f"{backend:8} {counts}")
        for p in problems:
            print(f"  PROBLEM {p}")
        total += len(problems)
    print(f"problems: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())

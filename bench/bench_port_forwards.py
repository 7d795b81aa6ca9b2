#!/usr/bin/python3
"""The cost of adding the 1st, 100th and 1000th port forward to a running NAT network (hostnetctl
per call, as an admin would), to show it stays flat: each forward is one nftables map element.

    sudo /usr/bin/python3 bench/bench_port_forwards.py [--count 1000] [--build-dir build-bench]"""

import statistics
import time

import benchlib


def main():
    args = benchlib.parse_args(__doc__, 1000)
    from harness import Host  # noqa: E402  (needs HOSTNET_BUILD_DIR first)

    host = Host()
    try:
        host.ctl("net-define", host.write_xml("default", """<network><name>default</name><forward mode='nat'/>
            <bridge name='virbr0'/><ip address='192.168.122.1' netmask='255.255.255.0'/></network>"""))
        host.ctl("net-start", "default")
        times = []
        for i in range(args.count):
            start = time.perf_counter()
            host.ctl("net-port-forward-add", "default", "--host-port", str(10000 + i), "--to", "192.168.122.10:80")
            times.append(time.perf_counter() - start)
        elements = host.sh("nft list map inet hostnet forward_any").stdout.count(" : 192.168.122.10 . 80")
    finally:
        host.close()

    n = args.count
    print(f"adding {n} port forwards to a running NAT network, one hostnetctl call each ({elements} map elements):")
    for k in (1, 100, n):
        if k <= n:
            print(f"  forward #{k:<5} {times[k - 1] * 1000:7.2f} ms")
    first = statistics.median(times[:10])
    last = statistics.median(times[-10:])
    print(f"  median of the first 10: {first * 1000:.2f} ms, of the last 10: {last * 1000:.2f} ms "
          f"(ratio last/first {last / first:.2f}; flat is 1.0)")


if __name__ == "__main__":
    main()

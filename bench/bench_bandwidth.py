#!/usr/bin/python3
"""Does a port's <bandwidth> hold? An iperf3 run through a shaped port, both directions, against
the configured rate: a benchmark check, not a test (rates on a noisy machine are not assertions).

    sudo /usr/bin/python3 bench/bench_bandwidth.py [--build-dir build-bench]

A "VM" namespace is plugged into a hostnet port by tests/integration/vmm.py (a userspace relay,
as a VMM is); a peer namespace sits on the same bridge through a veth. The port is shaped at
inbound (towards the VM) 2000 KiB/s and outbound 1000 KiB/s (libvirt's units: KiB/s), far below
what the relay carries unshaped, which is measured first for reference."""

import json
import subprocess

import benchlib

INBOUND, OUTBOUND = 2000, 1000  # KiB/s


def iperf(host, client_ns, server_ns, server_addr, seconds=5):
    server = subprocess.Popen(["ip", "netns", "exec", server_ns, "iperf3", "-s", "-1", "-B", server_addr],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host.processes.append(server)
    out = None
    for _ in range(50):
        r = subprocess.run(["ip", "netns", "exec", client_ns, "iperf3", "-c", server_addr, "-t", str(seconds), "-J"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            out = json.loads(r.stdout)
            break
        subprocess.run(["sleep", "0.1"])
    server.wait(timeout=30)
    return out["end"]["sum_received"]["bits_per_second"] / 8 / 1024  # KiB/s


def main():
    benchlib.parse_args(__doc__, 1)
    from harness import Host, Topology  # noqa: E402

    host = Host()
    try:
        host.ctl("net-create", host.write_xml("bw", "<network><name>bw</name><bridge name='hnbw0' stp='off'/>"
                                                    "<ip address='10.210.0.1' prefix='24'/></network>"))
        topo = Topology(host)
        peer = topo.vm("peer", "hnbw0", "10.210.0.2/24")
        host.ctl("port-create", "bw", "--name", "free")
        free = topo.vm_on_port("free", "free", "10.210.0.10/24")
        base_in = iperf(host, peer, free.ns, "10.210.0.10")
        base_out = iperf(host, free.ns, peer, "10.210.0.2")
        host.ctl("port-create", "bw", "--name", "shaped", "--inbound", str(INBOUND), "--outbound", str(OUTBOUND))
        shaped = topo.vm_on_port("shaped", "shaped", "10.210.0.11/24")
        got_in = iperf(host, peer, shaped.ns, "10.210.0.11")
        got_out = iperf(host, shaped.ns, peer, "10.210.0.2")
    finally:
        host.close()
    print("iperf3 through a hostnet port (tap + userspace relay as the VMM), 5 s each way, KiB/s:")
    print(f"  unshaped port:  towards the VM {base_in:9.0f}   from the VM {base_out:9.0f}")
    print(f"  shaped port:    towards the VM {got_in:9.0f}   from the VM {got_out:9.0f}")
    print(f"  configured:     inbound        {INBOUND:9d}   outbound    {OUTBOUND:9d}")
    print(f"  measured / configured: inbound {got_in / INBOUND:.2f}, outbound {got_out / OUTBOUND:.2f}")


if __name__ == "__main__":
    main()

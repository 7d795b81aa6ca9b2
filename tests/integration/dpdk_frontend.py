"""A VM's NIC as DPDK's testpmd drives it, for the OVS-DPDK tests and bench/bench_dpdk.py."""

import os
import re
import shutil
import subprocess


class Frontend:
    """A VM's virtio-net as DPDK's testpmd runs it (net_virtio_user, server=1: the socket is the
    frontend's, as QEMU's is), forwarding `mode` (txonly / rxonly) until stopped.

    For benchmarks: `vdevs` replaces the one virtio-user device (net_tap on a tap, or several
    ports in one process), `args` are more testpmd options (--txpkts=1500, --eth-peer=...),
    `prefix` names the EAL runtime directory when there is no socket to name it, and
    `interactive` starts testpmd at its prompt (-i), forwarding nothing until send("start").
    `queues` is the number of queue pairs the virtio-user device negotiates (multi-queue)."""

    def __init__(self, host, socket, mode, vdevs=None, args=(), prefix=None, lcores="0@0,1@0", interactive=False,
                 queues=1):
        # One EAL runtime directory each: the port's id names it.
        self.prefix = prefix or f"hnfe-{host.ns}-{os.path.basename(os.path.dirname(socket))}"
        self.interactive = interactive
        self.output = ""
        vdevs = vdevs or [f"net_virtio_user0,path={socket},server=1,queues={queues}"]
        if queues > 1:
            args = (*args, f"--rxq={queues}", f"--txq={queues}")
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", host.ns, "dpdk-testpmd", f"--lcores={lcores}", "--no-huge", "-m", "256", "--no-pci",
             f"--file-prefix={self.prefix}", *(f"--vdev={v}" for v in vdevs), "--",
             *(["-i"] if interactive else []), f"--forward-mode={mode}", "--total-num-mbufs=8192", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        host.processes.append(self.proc)

    def send(self, command):
        """A command at the prompt of an interactive frontend ("start", "start tx_first 4")."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def stop(self):
        """Its own counters: {"RX-packets": n, "TX-packets": n}; all it printed is in .output."""
        out, _ = self.proc.communicate("stop\nquit\n" if self.interactive else "\n", timeout=30)
        self.output = out
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)
        block = out[out.rfind("Accumulated forward statistics"):]
        return {k: int(v) for k, v in re.findall(r"(RX-packets|TX-packets): (\d+)", block)}

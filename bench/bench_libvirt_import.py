#!/usr/bin/python3
"""What a running guest notices when hostnet takes over libvirt's own NAT network and gives it
back, against what a libvirt user does today to re-apply a NAT network's definition. One libvirtd
(isolated in a namespace: tests/integration/libvirt_host.py), its network `default` on virbr9
with STP on and delay 0 (as libvirt ships it), one TCG guest on it holding a lease from libvirt's
dnsmasq, pinged from the host every 20 ms. Each of --count rounds does

- `hostnetctl net-import default`, then `hostnetctl net-release default`;

and after those rounds, --count rounds of

- `virsh net-destroy default; virsh net-start default` (libvirt does not put the running guest's
  tap back on the new bridge: the guest stays cut off; the bench then does what the user must,
  `ip link set TAP master virbr9`).

Per operation: the wall time of the call(s), the pings lost, and the longest time without a reply
(the guest counts as not back once it has been silent for --cap seconds). Prints each round and
the medians. The silence is the figure to compare: while the host has no ARP entry for the guest,
ping's echoes wait in the kernel's ARP queue (and come back late, not lost, if it resolves) and
hold ping's small send buffer, so ping sends only a few a second: the lost count of an outage of
seconds is far below 50 a second.

    sudo /usr/bin/python3 bench/bench_libvirt_import.py [--count 5] [--cap 10]

Needs scripts/install-deps.sh --bench (libvirtd, QEMU, virt-install, iptables for libvirt's NAT)."""

import re
import statistics
import subprocess
import threading
import time

import benchlib

LIBVIRT_DEFAULT = """<network><name>default</name><forward mode='nat'/>
<bridge name='virbr9' stp='on' delay='0'/><mac address='52:54:00:0a:0b:0c'/>
<ip address='192.168.150.1' netmask='255.255.255.0'>
<dhcp><range start='192.168.150.100' end='192.168.150.200'/></dhcp></ip></network>"""


class Pinger:
    """Pings `addr` from the host's namespace every 20 ms; a thread keeps the replies' times
    (ping's own -D stamps, wall clock) as they come, so a caller can wait for the guest."""

    def __init__(self, host, addr):
        self.proc = subprocess.Popen(["ip", "netns", "exec", host.ns, "ping", "-n", "-D", "-i", "0.02", addr],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        host.processes.append(self.proc)  # host.close() ends it, whatever happens here
        self.replies, self.lines = [], []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if m := re.search(r"\[([\d.]+)\].*icmp_seq=(\d+) ttl", line):
                self.replies.append((float(m.group(1)), int(m.group(2))))

    def wait_back(self, since, cap):
        """Waits for a reply after wall time `since`, or until the guest has been silent for `cap`
        seconds; then 1 s more (so a second drop would show). True if it answered."""
        while not self.replies or self.replies[-1][0] <= since:
            if time.time() - (self.replies[-1][0] if self.replies else since) >= cap:
                return False
            time.sleep(0.02)
        time.sleep(1)
        return True

    def stop(self):
        """(pings lost, longest silence in s); a silence still running when stopped counts up to now."""
        end = time.time()
        self.proc.send_signal(2)
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        sent = int(re.search(r"(\d+) packets transmitted", "".join(self.lines)).group(1))
        times = [t for t, _ in self.replies] + [end]
        return sent - len({seq for _, seq in self.replies}), max(b - a for a, b in zip(times, times[1:]))


def measured(host, addr, cap, operation):
    """Runs operation() with the pinger going: {"took", "lost", "silence", "back"}."""
    pinger = Pinger(host, addr)
    time.sleep(1)  # replies before the operation, so its silence starts at the last one
    began = time.monotonic()
    operation()
    took = time.monotonic() - began
    back = pinger.wait_back(time.time(), cap)
    lost, silence = pinger.stop()
    return {"took": took, "lost": lost, "silence": silence, "back": back}


def show(what, r, cap):
    silence = f"{r['silence'] * 1000:.0f} ms" if r["back"] else f"not back within {cap:.0f} s"
    print(f"  {what:<33} {r['took'] * 1000:6.0f} ms  {r['lost']:4d} pings lost  longest silence {silence}")


def medians(what, rounds, cap):
    back = [r for r in rounds if r["back"]]
    # The max too: a swap whose ARP request for the guest is lost costs the kernel's 1 s retry.
    silence = (f"{statistics.median(r['silence'] for r in back) * 1000:.0f} ms "
               f"(max {max(r['silence'] for r in back) * 1000:.0f} ms)" if len(back) == len(rounds)
               else f"not back within {cap:.0f} s in {len(rounds) - len(back)} of {len(rounds)} rounds")
    print(f"{what:<35} {statistics.median(r['took'] for r in rounds) * 1000:6.0f} ms  "
          f"{statistics.median(r['lost'] for r in rounds):4.0f} pings lost  longest silence {silence}")


def main():
    def extra(parser):
        parser.add_argument("--cap", type=float, default=10.0, help="seconds of silence after which the guest is not back")

    args = benchlib.parse_args(__doc__, 5, extra)
    from harness import Host
    from libvirt_host import Libvirtd, serve_libvirtd

    host = Host()
    try:
        with Libvirtd(host.ns) as lv:
            serve_libvirtd(host, lv)
            lv.define_network(LIBVIRT_DEFAULT)
            lv.virt_install("g1", "default", stay=True)
            lines = lv.wait_console("g1", "GUEST-STAYING", timeout=180)
            addr = next(line.split()[1] for line in lines if line.startswith("GUEST-LEASE"))
            ((tap, _),) = lv.domain_taps("g1").items()

            def on_virbr9(what):
                assert host.link(tap).get("master") == "virbr9", f"{tap} not on virbr9 after {what}"

            imports, releases, own = [], [], []
            print(f"guest g1 ({addr}, tap {tap}) on libvirt's default (virbr9, STP on, delay 0); ping every 20 ms")
            for i in range(args.count):
                print(f"round {i + 1}")
                imports.append(measured(host, addr, args.cap, lambda: host.ctl("net-import", "default")))
                on_virbr9("net-import")
                show("hostnetctl net-import default", imports[-1], args.cap)
                releases.append(measured(host, addr, args.cap, lambda: host.ctl("net-release", "default")))
                on_virbr9("net-release")
                show("hostnetctl net-release default", releases[-1], args.cap)
            # libvirt's rounds come after hostnet's: net-start leaves libvirt without the guest's
            # network port, and the import takes its guests from those ports.
            reattached = []
            for i in range(args.count):
                own.append(measured(host, addr, args.cap,
                                    lambda: (lv.virsh("net-destroy", "default"), lv.virsh("net-start", "default"))))
                show(f"virsh net-destroy + net-start ({i + 1})", own[-1], args.cap)
                # What the user does to get the guest back (without restarting libvirtd or it).
                pinger = Pinger(host, addr)
                began = time.time()
                host.sh(f"ip link set {tap} master virbr9")
                back = pinger.wait_back(began, 30)
                pinger.stop()
                assert back, "the guest did not answer after its tap went back on virbr9"
                reattached.append(pinger.replies[0][0] - began)

            print(f"medians of {args.count}:")
            medians("hostnetctl net-import", imports, args.cap)
            medians("hostnetctl net-release", releases, args.cap)
            medians("virsh net-destroy + net-start", own, args.cap)
            print(f"then ip link set {tap} master virbr9 to the guest's first answer: "
                  f"median {statistics.median(reattached) * 1000:.0f} ms (STP: listening + learning)")
            # A guest not back within the cap makes libvirt's figure a lower bound.
            at_least = "" if all(r["back"] for r in own) else "at least "
            for what, rounds in (("import", imports), ("release", releases)):
                ratio = statistics.median(r["silence"] for r in own) / statistics.median(r["silence"] for r in rounds)
                print(f"longest silence, libvirt's net-destroy + net-start / hostnet's {what}: {at_least}{ratio:.0f}x")
            host.stop_daemon()
    finally:
        host.close()


if __name__ == "__main__":
    main()

"""A host of hostnet's own for one test: a fresh network namespace, a private dbus-daemon, and
hostnetd running inside the namespace with temporary config and state directories. Everything it
starts it stops by pid, and the namespace (with every device in it) is deleted, even when the test
fails."""

import json
import os
import secrets
import shutil
import shlex
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("HOSTNET_BUILD_DIR", SOURCE_DIR / "build")).resolve()
HOSTNETD = BUILD_DIR / "hostnetd" / "hostnetd"
HOSTNETCTL = BUILD_DIR / "cli" / "hostnetctl"
PLUGIN_DIR = BUILD_DIR / "plugins"
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
  <!-- hostnet's own policy, as installed on a real host -->
  <include>{policy}</include>{extra}
</busconfig>
"""


POLKIT_BUS_POLICY = "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"
# The tests' own firewalld, unpacked by scripts/install-deps.sh --test (never a host service).
FIREWALLD_ROOT = Path("/var/lib/hostnet-tests/firewalld")
FIREWALLD_BUS_POLICY = FIREWALLD_ROOT / "usr/share/dbus-1/system.d/FirewallD.conf"


def run(cmd, check=True, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


UNIT = Path(__file__).resolve().parents[2] / "dbus" / "hostnetd.service"


UNIT_UMASK = 0o077  # UMask= in hostnetd.service


def unit_sandbox():
    """The part of hostnetd.service's sandbox a process can be put under without systemd as PID 1:
    its capability bounding set and no_new_privs, through setpriv (util-linux)."""
    caps = next(line.split("=", 1)[1].split() for line in UNIT.read_text().splitlines()
                if line.startswith("CapabilityBoundingSet="))
    assert "NoNewPrivileges=yes" in UNIT.read_text().splitlines()
    assert f"UMask={UNIT_UMASK:04o}" in UNIT.read_text().splitlines()
    bounding = ",".join(["-all"] + ["+" + c.lower().removeprefix("cap_") for c in caps])
    return ["setpriv", f"--bounding-set={bounding}", "--no-new-privs"]


class Host:
    def __init__(self, ovs=False, libvirt_uri=None, dpdk=None, sandbox=False, polkit_rules=None):
        for binary in (HOSTNETD, HOSTNETCTL):
            if not binary.exists():
                raise AssertionError(f"{binary} is not built (HOSTNET_BUILD_DIR={BUILD_DIR})")
        if os.geteuid() != 0:
            raise AssertionError("integration tests need root: they create network namespaces")
        self.ns = "hn-" + secrets.token_hex(4)
        self.tmp = Path(tempfile.mkdtemp(prefix="hostnet-it-"))
        os.chmod(self.tmp, 0o755)  # the bus socket must be reachable by the unprivileged caller
        self.config_dir = self.tmp / "etc"
        # Runtime state on tmpfs, as /run is on a real host (here / and /run are ext4, where
        # creating thousands of small status files costs more than the devices they describe).
        shm = Path("/dev/shm")
        self.state_dir = Path(tempfile.mkdtemp(prefix="hostnet-it-run-", dir=shm)) if shm.is_dir() else self.tmp / "run"
        os.chmod(self.state_dir, 0o755)  # dnsmasq reads its hosts files after dropping root
        self.bus_socket = self.tmp / "bus.sock"
        self.bus_address = f"unix:path={self.bus_socket}"
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address)
        self.daemon = None
        self.daemon_logs = []
        self.libvirt_uri = libvirt_uri
        self.sandbox = sandbox
        self.bus = None
        self.extra_namespaces = []
        self.processes = []  # helpers a test started (servers in namespaces), ended at close
        self.ovs = None
        self.polkit = None
        try:
            run(["ip", "netns", "add", self.ns])
            run(["ip", "-n", self.ns, "link", "set", "lo", "up"])
            self._start_bus(polkit=polkit_rules is not None)
            if polkit_rules is not None:
                from polkit import Polkit
                self.polkit = Polkit(self, polkit_rules)
            if ovs or dpdk:
                self.ovs = Ovs(self, dpdk=dpdk)
            self.start_daemon()
        except BaseException:
            self.close()
            raise

    # --- processes -------------------------------------------------------------------------

    def _start_bus(self, polkit=False):
        conf = self.tmp / "bus.conf"
        # polkitd's own bus policy, as its package installs it, when the test runs one.
        extra = f"\n  <include>{POLKIT_BUS_POLICY}</include>" if polkit else ""
        # firewalld's bus policy lets root own its name; a test may start one at any moment.
        if FIREWALLD_BUS_POLICY.exists():
            extra += f"\n  <include>{FIREWALLD_BUS_POLICY}</include>"
        conf.write_text(BUS_CONFIG.format(socket=self.bus_socket, policy=SOURCE_DIR / "dbus" / "org.hostnet1.conf",
                                          extra=extra))
        self.bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--nopidfile"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait(lambda: self.bus_socket.exists() or self.bus.poll() is not None, "the private dbus-daemon to listen")
        if self.bus.poll() is not None:
            raise AssertionError(f"dbus-daemon exited: {self.bus.stderr.read().decode(errors='replace')}")

    def kill_bus(self, sig=signal.SIGKILL):
        """Ends the private dbus-daemon (hostnetd keeps running); a dead daemon leaves its socket
        file behind, as on a real host."""
        self.bus.send_signal(sig)
        self.bus.wait(timeout=10)

    def restart_bus(self, sig=signal.SIGKILL):
        """A bus daemon restarted under hostnetd: the old one ended, a new one on the same address."""
        self.kill_bus(sig)
        self.bus_socket.unlink(missing_ok=True)
        self._start_bus(polkit=self.polkit is not None)

    def start_daemon(self, *extra, ready=None):
        """Starts hostnetd and waits until `ready()` (by default: hostnetctl net-list answers)."""
        log = self.tmp / f"hostnetd.{len(self.daemon_logs)}.log"
        self.daemon_logs.append(log)
        # HOSTNET_DAEMON_WRAP runs hostnetd under a profiler (e.g. "perf record -g -o /tmp/h.perf")
        # when a benchmark's figures need explaining; the pid then is the profiler's.
        wrap = shlex.split(os.environ.get("HOSTNET_DAEMON_WRAP", ""))
        cmd = ["ip", "netns", "exec", self.ns, *(unit_sandbox() if self.sandbox else []), *wrap, str(HOSTNETD),
               "--config-dir", str(self.config_dir),
               "--state-dir", str(self.state_dir), "--plugin-dir", str(PLUGIN_DIR), "--dhcp-no-ping", *extra]
        # Never the host's own libvirtd: a test that wants libvirt gives the URI of one of its own.
        cmd += ["--libvirt-uri", self.libvirt_uri] if self.libvirt_uri else ["--no-libvirt"]
        if self.ovs:
            cmd += ["--ovsdb-socket", str(self.ovs.socket)]
        with open(log, "w") as out:
            self.daemon = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                           preexec_fn=(lambda: os.umask(UNIT_UMASK)) if self.sandbox else None)
        ready = ready or (lambda: self.ctl("net-list", check=False).returncode == 0)
        self._wait(lambda: ready() or self.daemon.poll() is not None, "hostnetd to own org.hostnet1")
        if self.daemon.poll() is not None:
            raise AssertionError(f"hostnetd exited with {self.daemon.returncode}:\n{log.read_text()}")

    def stop_daemon(self, kill9=False):
        if not self.daemon or self.daemon.poll() is not None:
            return
        self.daemon.send_signal(signal.SIGKILL if kill9 else signal.SIGTERM)
        try:
            self.daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
        if not kill9 and self.daemon.returncode != 0:
            raise AssertionError(f"hostnetd exited with {self.daemon.returncode}:\n{self.daemon_log()}")

    def restart_daemon(self, kill9=False):
        self.stop_daemon(kill9=kill9)
        self.start_daemon()

    def daemon_log(self):
        return "".join(p.read_text(errors="replace") for p in self.daemon_logs if p.exists())

    def close(self):
        problems = []
        for proc in self.processes:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        try:
            self.stop_daemon()
        except AssertionError as e:
            problems.append(str(e))
        if self.daemon and self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait()
        if self.ovs:
            self.ovs.close()
        if self.bus and self.bus.poll() is None:
            self.bus.terminate()
            try:
                self.bus.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.bus.kill()
                self.bus.wait()
        # dnsmasq outlives hostnetd by design; here it goes with the test: every process of the
        # test's namespace whose command line names this test's state dir, pid file or not (a
        # dnsmasq started just before the test ended may not have written one yet).
        pids = set(run(["ip", "netns", "pids", self.ns], check=False).stdout.split())
        for pidfile in (self.state_dir / "dnsmasq").glob("*.pid"):
            try:
                pids.add(pidfile.read_text().split()[0])
            except (OSError, IndexError):
                pass
        for pid in pids:
            try:
                if str(self.state_dir) in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                    os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        for ns in [self.ns, *self.extra_namespaces]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        log = self.daemon_log()
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.state_dir, ignore_errors=True)
        for mark in SANITIZER_MARKS:
            if mark in log:
                problems.append(f"hostnetd reported '{mark}':\n{log}")
                break
        if problems:
            raise AssertionError("\n".join(problems))

    def _wait(self, predicate, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    # --- what a test does ----------------------------------------------------------------

    def ctl(self, *args, check=True, as_user=None):
        # The bus socket is a file, reachable from any namespace: hostnetctl runs where the admin is.
        cmd = []
        if as_user is not None:
            cmd += ["setpriv", f"--reuid={as_user}", f"--regid={as_user}", "--clear-groups"]
        cmd += [str(HOSTNETCTL), *map(str, args)]
        result = run(cmd, check=False, env=self.env)
        for mark in SANITIZER_MARKS:
            assert mark not in result.stderr, f"hostnetctl {args}: {result.stderr}"
        if check and result.returncode != 0:
            raise AssertionError(f"hostnetctl {' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")
        return result

    def ctl_error(self, *args, **kw):
        """Runs a hostnetctl command that must fail; returns its error line."""
        result = self.ctl(*args, check=False, **kw)
        assert result.returncode != 0, f"hostnetctl {args} succeeded but should have failed:\n{result.stdout}"
        return result.stderr.strip()

    def write_xml(self, name, text):
        path = self.tmp / f"{name}.xml"
        path.write_text(text)
        return path

    def networks(self):
        return {n["name"]: n for n in json.loads(self.ctl("net-list", "--all", "--json").stdout)}

    def sh(self, command, check=True):
        return run(["ip", "netns", "exec", self.ns, "sh", "-c", command], check=check)

    def link(self, name):
        result = run(["ip", "-n", self.ns, "-d", "-j", "link", "show", "dev", name], check=False)
        if result.returncode != 0:
            return None
        return json.loads(result.stdout)[0]

    def links(self):
        return {l["ifname"]: l for l in json.loads(run(["ip", "-n", self.ns, "-d", "-j", "link", "show"]).stdout)}

    def addresses(self, name):
        data = json.loads(run(["ip", "-n", self.ns, "-j", "addr", "show", "dev", name]).stdout)
        return [f"{a['local']}/{a['prefixlen']}" for a in data[0].get("addr_info", []) if a.get("scope") != "link"]

    def config_files(self):
        base = self.config_dir / "networks"
        return sorted(str(p.relative_to(base)) for p in base.rglob("*") if p.is_file() or p.is_symlink())


class Ovs:
    """ovsdb-server and ovs-vswitchd (userspace datapath: no kernel module here) of one test host,
    running in its namespace with private run/db/log dirs, stopped by pid at close.

    dpdk="init": Debian's DPDK build of ovs-vswitchd with DPDK initialised without hugepages
    (shared/TESTBED.md's recipe: --no-huge --legacy-mem, per-port memory, one PMD core that
    sleeps when idle), its EAL files under a prefix of its own; dpdk="off": the same binary with
    dpdk-init unset."""

    SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
    VSWITCHD = "/usr/lib/openvswitch-switch/ovs-vswitchd"
    VSWITCHD_DPDK = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"

    def __init__(self, host, dpdk=None):
        self.host = host
        self.dpdk = dpdk
        self.dpdk_prefix = f"hostnet-{host.ns}"
        self.dir = host.tmp / "ovs"
        for sub in ("run", "db", "log"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        self.db = self.dir / "db" / "conf.db"
        self.socket = self.dir / "run" / "db.sock"
        self.env = dict(os.environ, OVS_RUNDIR=str(self.dir / "run"), OVS_DBDIR=str(self.dir / "db"),
                        OVS_LOGDIR=str(self.dir / "log"))
        self.server = self.vswitchd = None
        run(["ovsdb-tool", "create", str(self.db), self.SCHEMA])
        self.start_server()
        self.vsctl("--no-wait", "init")
        if dpdk and not Path(self.VSWITCHD_DPDK).exists():
            raise AssertionError(f"{self.VSWITCHD_DPDK} is missing: install openvswitch-switch-dpdk "
                                 "(scripts/install-deps.sh --test)")
        if dpdk == "init":
            self.vsctl("--no-wait", "set", "Open_vSwitch", ".", "other_config:dpdk-init=true",
                       f"other_config:dpdk-extra=--no-huge --legacy-mem -m 512 --file-prefix={self.dpdk_prefix} --no-pci",
                       "other_config:per-port-memory=true", "other_config:pmd-cpu-mask=0x2",
                       "other_config:dpdk-lcore-mask=0x1", "other_config:pmd-maxsleep=10000")
        self.start_vswitchd()

    def start_vswitchd(self):
        ctl = self.dir / "run" / "vswitchd.ctl"
        if ctl.exists():
            ctl.unlink()
        self.vswitchd = self._spawn([self.VSWITCHD_DPDK if self.dpdk else self.VSWITCHD, f"unix:{self.socket}",
                                     f"--unixctl={ctl}", f"--log-file={self.dir}/log/ovs-vswitchd.log", "--no-chdir"])
        self.host._wait(lambda: ctl.exists() or self.vswitchd.poll() is not None, "ovs-vswitchd to start")
        if self.dpdk == "init":
            self.host._wait(lambda: self.vsctl("get", "Open_vSwitch", ".", "dpdk_initialized").strip() == "true"
                            or self.vswitchd.poll() is not None, "DPDK to initialise in ovs-vswitchd", timeout=30)

    def restart_vswitchd(self):
        """SIGTERM, and a new one once the old has exited (DPDK's EAL refuses a second process on
        the same file prefix): what `systemctl restart ovs-vswitchd` does."""
        self.vswitchd.terminate()
        self.vswitchd.wait(timeout=30)
        self.start_vswitchd()

    def _spawn(self, cmd):
        return subprocess.Popen(["ip", "netns", "exec", self.host.ns, *cmd], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_server(self):
        if self.socket.exists():
            self.socket.unlink()
        self.server = self._spawn(["ovsdb-server", str(self.db), f"--remote=punix:{self.socket}",
                                   f"--unixctl={self.dir}/run/ovsdb-server.ctl",
                                   f"--log-file={self.dir}/log/ovsdb-server.log", "--no-chdir"])
        self.host._wait(lambda: self.socket.exists() or self.server.poll() is not None, "ovsdb-server to listen")

    def pause_server(self):
        """SIGSTOP: the socket stays open and takes connections, nothing answers."""
        self.server.send_signal(signal.SIGSTOP)

    def resume_server(self):
        self.server.send_signal(signal.SIGCONT)

    def kill_server(self):
        self.server.kill()
        self.server.wait()

    def vsctl(self, *args):
        return run(["ovs-vsctl", f"--db=unix:{self.socket}", "--timeout=10", *args], env=self.env).stdout

    def pause_vswitchd(self):
        """SIGSTOP: OVSDB keeps committing, but nothing takes the new ports until resume."""
        self.vswitchd.send_signal(signal.SIGSTOP)

    def resume_vswitchd(self):
        self.vswitchd.send_signal(signal.SIGCONT)

    def close(self):
        for proc in (self.vswitchd, self.server):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        for proc in (self.vswitchd, self.server):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self.dpdk:  # DPDK's EAL leaves its runtime files behind
            shutil.rmtree(f"/var/run/dpdk/{self.dpdk_prefix}", ignore_errors=True)


class Topology:
    """Namespaces around a Host, made with one line each, as a test describes its scenario:
    VMs plugged into a network's bridge by veth, and an "outside" network behind an uplink."""

    UPLINK_HOST = "203.0.113.1"
    OUTSIDE = "203.0.113.2"

    def __init__(self, host):
        self.host = host

    def namespace(self, role):
        ns = f"{self.host.ns}-{role}"
        run(["ip", "netns", "add", ns])
        self.host.extra_namespaces.append(ns)
        run(["ip", "-n", ns, "link", "set", "lo", "up"])
        return ns

    def vm(self, name, bridge, cidr=None, gateway=None, mac=None):
        """A VM: a namespace whose eth0 is plugged into `bridge` in the host namespace."""
        ns = self.namespace(name)
        port = f"v{secrets.token_hex(3)}"
        peer = ["peer", "name", "eth0"] + (["address", mac] if mac else []) + ["netns", ns]
        run(["ip", "-n", self.host.ns, "link", "add", port, "type", "veth", *peer])
        run(["ip", "-n", self.host.ns, "link", "set", port, "master", bridge, "up"])
        if cidr:
            run(["ip", "-n", ns, "addr", "add", cidr, "dev", "eth0"])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        if gateway:
            run(["ip", "-n", ns, "route", "add", "default", "via", gateway])
        # With STP on, a new bridge port listens and learns (2 x forward delay) before it forwards.
        self.host._wait(lambda: "state forwarding" in run(["bridge", "-n", self.host.ns, "link", "show", "dev", port],
                                                          check=False).stdout,
                        f"bridge port {port} to forward", timeout=30)
        return ns

    def vm_on_port(self, name, port, cidr, gateway=None):
        """A VM plugged into a hostnet port as a real VMM would: a process in the VM's namespace
        holds the port's tap fd (over D-Bus) and copies frames to and from the namespace's eth0."""
        ns = self.namespace(name)
        relay = VmManager(self.host, port, "relay", ns=ns)
        run(["ip", "-n", ns, "addr", "add", cidr, "dev", "eth0"])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        if gateway:
            run(["ip", "-n", ns, "route", "add", "default", "via", gateway])
        relay.ns = ns
        return relay

    def outside(self, routes_back=()):
        """An outside network behind the host's uplink; the host's default route points there."""
        ns = self.namespace("out")
        run(["ip", "-n", self.host.ns, "link", "add", "uplink", "type", "veth", "peer", "name", "eth0", "netns", ns])
        run(["ip", "-n", self.host.ns, "addr", "add", f"{self.UPLINK_HOST}/24", "dev", "uplink"])
        run(["ip", "-n", self.host.ns, "link", "set", "uplink", "up"])
        run(["ip", "-n", self.host.ns, "route", "add", "default", "via", self.OUTSIDE])
        run(["ip", "-n", ns, "addr", "add", f"{self.OUTSIDE}/24", "dev", "eth0"])
        run(["ip", "-n", ns, "link", "set", "eth0", "up"])
        for prefix in routes_back:
            run(["ip", "-n", ns, "route", "add", prefix, "via", self.UPLINK_HOST])
        return ns


VMM = Path(__file__).resolve().parent / "vmm.py"


def port_path(host, port):
    return "/org/hostnet1/port/" + json.loads(host.ctl("port-info", port, "--json").stdout)["id"]


def vmm_run(host, verb, port, *args, as_user=None):
    """Runs tests/integration/vmm.py once (open, arp) and returns its CompletedProcess."""
    cmd = []
    if as_user is not None:
        cmd += ["setpriv", f"--reuid={as_user}", f"--regid={as_user}", "--clear-groups"]
    # The program comes on stdin: another uid may not be able to read the source tree (a CI
    # checkout in a 0700 temp dir).
    cmd += ["/usr/bin/python3", "-", verb, port_path(host, port), *map(str, args)]
    return subprocess.run(cmd, input=VMM.read_text(), capture_output=True, text=True, env=host.env, timeout=120)


class VmManager:
    """vmm.py running in the background (relay, hold), ended by closing its stdin."""

    def __init__(self, host, port, verb, ns=None):
        cmd = ["ip", "netns", "exec", ns] if ns else []
        cmd += ["/usr/bin/python3", str(VMM), verb, port_path(host, port)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=host.env)
        host.processes.append(self.proc)
        line = self.proc.stdout.readline().strip()
        assert line.startswith(("ready", "holding")), f"vmm.py {verb} {port}: {line!r}"
        self.first_line = line

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)


SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
print("listening", flush=True)
while True:
    c, peer = s.accept()
    print(peer[0], flush=True)
    c.sendall(b"hello\n")
    c.close()
"""

CLIENT = r"""
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[3]))
    print(c.recv(16).decode().strip())
except OSError as e:
    print("failed:", e)
    sys.exit(1)
"""


class TcpServer:
    """A TCP server in a namespace that records the source address of every connection."""

    def __init__(self, host, ns, addr, port):
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", SERVER, addr, str(port)],
                                     stdout=subprocess.PIPE, text=True)
        host.processes.append(self.proc)
        assert self.proc.stdout.readline().strip() == "listening"

    def next_peer(self):
        return self.proc.stdout.readline().strip()

    def close(self):
        self.proc.kill()
        self.proc.wait()


def tcp_connect(ns, addr, port, timeout=3.0):
    """True when a TCP connection from `ns` to addr:port gets the server's greeting."""
    r = subprocess.run(["ip", "netns", "exec", ns, "/usr/bin/python3", "-c", CLIENT, addr, str(port), str(timeout)],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == "hello"


def assert_guests_forward(host, mode, outside, vm, vm2, vm_addr):
    """What a NAT or routed network's guests do on any host (one that runs Docker or firewalld
    too): reach the outside (NATed behind the uplink's address, or routed with their own), reach
    each other on the bridge; the outside reaches a routed guest and not a NATed one."""
    server = TcpServer(host, outside, Topology.OUTSIDE, 9000)
    TcpServer(host, vm, vm_addr, 9001)
    assert tcp_connect(vm, Topology.OUTSIDE, 9000), f"the VM cannot reach the outside through a {mode} network"
    assert server.next_peer() == (Topology.UPLINK_HOST if mode == "nat" else vm_addr)
    assert tcp_connect(vm2, vm_addr, 9001), "two VMs on one bridge cannot reach each other"
    if mode == "nat":
        assert not tcp_connect(outside, vm_addr, 9001, timeout=1.5), "the outside reached a NATed VM"
    else:
        assert tcp_connect(outside, vm_addr, 9001), "a routed network must be reachable from outside"

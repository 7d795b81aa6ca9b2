"""A real libvirtd (Debian's libvirt 9.0 with the QEMU driver) for one test, and the tiny guest
that its domains boot.

Isolation: libvirtd runs inside the test's network namespace *and* a private mount namespace
(`ip netns exec NS unshare -m --propagation private ...`) in which

    /run                  is a fresh tmpfs (so libvirtd sees neither the host's D-Bus, systemd
                          nor any other libvirt; its pidfile and locks land there too)
    /run/libvirt          is bind-mounted from TMP/run      (sockets, live network/domain state)
    /etc/libvirt          is bind-mounted from TMP/etc      (a copy of the host's *.conf, no
                          networks, domains, hooks or pools: what the test defines goes here)
    /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt  from TMP/lib, TMP/cache, TMP/log
    /run/openvswitch      with ovs_rundir: a test's ovsdb-server run dir (libvirt's ovs-vsctl)
    /dev/kvm              is masked by an empty root-only file (tests run TCG guests; see
                          Libvirtd._prepare for why it matters)

so nothing it writes reaches the host's libvirt paths (nor a host libvirtd's, if one runs), and
its sockets are reachable from outside as files: `lv.uri` is
`qemu+unix:///system?socket=TMP/run/libvirt-sock`. The mounts vanish with the last process of the
mount namespace; close() ends libvirtd and every QEMU/dnsmasq it left by pid, then deletes TMP.
Restarting (stop()/kill() then start()) reuses TMP, so defined networks and domains survive, and
running domains are found again, as on a real host.

libvirtd's QEMU capabilities (probed on a cold start: ~4 s here) are kept between tests in
CACHE/libvirt-capabilities: the per-test cache starts as a copy of it. libvirt itself revalidates
the files (QEMU and libvirt binaries, kernel), so a stale copy only costs a new probe.

No virtlogd: qemu.conf says stdio_handler = "file" (see QEMU_CONF for the other settings)."""

import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

from harness import run

GUEST_SRC = Path(__file__).resolve().parents[1] / "guest"
CACHE = Path(os.environ.get("HOSTNET_TEST_CACHE", "/var/cache/hostnet-tests"))
LIBVIRTD = "/usr/sbin/libvirtd"
# The host paths libvirtd owns, and the TMP subdirectory each one is replaced by.
STATE_DIRS = {"/etc/libvirt": "etc", "/run/libvirt": "run", "/var/lib/libvirt": "lib",
              "/var/cache/libvirt": "cache", "/var/log/libvirt": "log"}

# Runs as the first process of the new mount namespace and becomes libvirtd (same pid). mount(2)
# directly: mount(8) would record the mounts in the host's /run/mount/utab.
ISOLATE = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def mount(src, dst, fstype, flags, data=None):
    if libc.mount(src.encode(), dst.encode(), fstype and fstype.encode(), flags, data and data.encode()) != 0:
        sys.exit(f"mount {src} on {dst}: {os.strerror(ctypes.get_errno())}")
MS_NOSUID, MS_NODEV, MS_BIND = 2, 4, 4096
libvirtd, tmp, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
for pair in dirs:
    host_path, sub = pair.split("=")
    os.makedirs(host_path, exist_ok=True)  # only dirs under /run, inside the new tmpfs
    mount(sub if sub.startswith("/") else f"{tmp}/{sub}", host_path, None, MS_BIND)
if os.path.exists("/dev/kvm"):
    mount(f"{tmp}/kvm-mask", "/dev/kvm", None, MS_BIND)
os.execv(libvirtd, ["libvirtd", "--pid-file", "/run/libvirt/libvirtd.pid"])
"""

# Put at the top of the per-test copy of qemu.conf: libvirt takes the first occurrence of a setting,
# so these win over the host's.
QEMU_CONF = """# hostnet tests: QEMU writes its stdout/stderr to /var/log/libvirt/qemu/NAME.log itself, so no
# virtlogd is needed.
stdio_handler = "file"
# No cgroups: domains of a test must not leave anything in the host's /sys/fs/cgroup.
cgroup_controllers = [ ]
# No private /dev per domain: libvirt would try to move the /dev/kvm mask (Libvirtd._prepare) into it
# and fail ("Unable to move ... mount to /dev/kvm"). Taps reach QEMU as fds either way.
namespaces = [ ]
# libvirt chowns kernel/initrd (the shared guest cache) to libvirt-qemu while a domain runs and
# back to root after; remembering the old owner in xattrs would leave them behind on a SIGKILL.
remember_owner = 0

"""


class Guest(NamedTuple):
    kernel: Path
    initrd: Path


def guest_image(outdir=None):
    """The tiny guest (tests/guest/build.sh), built on first use into CACHE/guest or outdir."""
    outdir = Path(outdir or CACHE / "guest")
    outdir.mkdir(parents=True, exist_ok=True)
    with open(outdir / ".lock", "w") as lock:  # one build at a time, even across test runs
        fcntl.flock(lock, fcntl.LOCK_EX)
        run([str(GUEST_SRC / "build.sh"), str(outdir)], timeout=600)
    return Guest(outdir / "vmlinuz", outdir / "initrd.gz")


def serve_libvirtd(host, lv, timeout=60):
    """Restarts the test host's hostnetd pointed at libvirtd `lv` and waits until it is connected
    (libvirtd's first answer can take seconds while it probes QEMU)."""
    host.stop_daemon()
    host.libvirt_uri = lv.uri
    host.start_daemon()
    wait_for(lambda: json.loads(host.ctl("libvirt-info", "--json").stdout)["connected"], "hostnetd to connect to libvirtd",
             timeout=timeout)


def wait_for(predicate, what, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def alive(pid):
    """True while `pid` runs; a zombie (dead, not yet reaped) does not count."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Libvirtd:
    """libvirtd in network namespace `ns`, isolated as the module docstring says. Use it as a
    context manager or call close() in a finally."""

    def __init__(self, ns, start=True, ovs_rundir=None):
        if os.geteuid() != 0:
            raise AssertionError("libvirtd tests need root")
        for path in STATE_DIRS:
            # Only /run/libvirt may be missing (it is made inside the private /run): creating the
            # others would leave directories on the host.
            if path != "/run/libvirt" and not os.path.isdir(path):
                raise AssertionError(f"{path} is missing: install libvirt-daemon-system (scripts/install-deps.sh --test)")
        self.ns = ns
        # libvirt plugs taps into Open vSwitch with ovs-vsctl on its default socket
        # (/run/openvswitch/db.sock): a test's ovsdb-server run dir is bound there.
        self.ovs_rundir = ovs_rundir
        self.tmp = Path(tempfile.mkdtemp(prefix="hostnet-lv-"))
        # QEMU runs as libvirt-qemu and opens files a test puts here (serial console logs).
        os.chmod(self.tmp, 0o755)
        self.socket = self.tmp / "run" / "libvirt-sock"
        self.uri = f"qemu+unix:///system?socket={self.socket}"
        self.proc = None
        self.logs = []
        self.start_seconds = None  # how long the last start() waited for the first answer
        try:
            self._prepare()
            if start:
                self.start()
        except BaseException:
            self.close()
            raise

    def _prepare(self):
        """The per-test state dirs that replace the host's (module docstring)."""
        for sub in STATE_DIRS.values():
            (self.tmp / sub).mkdir(mode=0o755)
        etc = self.tmp / "etc"
        for conf in Path("/etc/libvirt").glob("*.conf"):
            shutil.copy2(conf, etc)
        if Path("/etc/libvirt/nwfilter").is_dir():  # libvirt's stock filters, harmless
            shutil.copytree("/etc/libvirt/nwfilter", etc / "nwfilter")
        (etc / "qemu.conf").write_text(QEMU_CONF + (etc / "qemu.conf").read_text())
        # Masks /dev/kvm in the mount namespace: an empty file only root may open. Tests run TCG
        # guests anyway, and a /dev/kvm that root can open but libvirt-qemu cannot (0600 here:
        # no udev) makes libvirt 9.0 find its capability cache outdated on every call and
        # re-probe QEMU (~4 s per call: a domain start took ~50 s).
        (self.tmp / "kvm-mask").touch(mode=0o600)
        self._seed_capabilities()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the daemon --------------------------------------------------------------------------

    @property
    def pid(self):
        return self.proc.pid if self.running() else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=60):
        """Starts libvirtd and waits until it answers: ~0.3 s, or ~4 s when it must probe QEMU
        (no or outdated CACHE/libvirt-capabilities), longer on a loaded machine."""
        assert not self.running(), "libvirtd already runs"
        self.socket.unlink(missing_ok=True)  # a SIGKILLed libvirtd leaves it behind
        log = self.tmp / f"libvirtd.{len(self.logs)}.log"
        self.logs.append(log)
        # No D-Bus for libvirtd: a test Host's env points at hostnet's private bus.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
        cmd = ["ip", "netns", "exec", self.ns, "unshare", "--mount", "--propagation", "private",
               "/usr/bin/python3", "-c", ISOLATE, LIBVIRTD, str(self.tmp), *(f"{p}={s}" for p, s in STATE_DIRS.items())]
        if self.ovs_rundir:
            cmd.append(f"/run/openvswitch={Path(self.ovs_rundir).resolve()}")
        began = time.monotonic()
        with open(log, "w") as out:
            self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)

        def answers():
            if self.proc.poll() is not None:
                raise AssertionError(f"libvirtd exited with {self.proc.returncode}")
            return self.virsh("version", check=False).returncode == 0

        try:
            wait_for(answers, f"libvirtd to answer on {self.socket}", timeout=timeout, interval=0.2)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.log()}") from None
        self.start_seconds = time.monotonic() - began
        self._save_capabilities()

    def stop(self, timeout=30):
        """SIGTERM and wait. Running domains keep running (libvirtd does not stop them)."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self):
        """SIGKILL: libvirtd dies as in a crash; its socket file stays behind."""
        self._signal(signal.SIGKILL, 10)

    def restart(self, kill=False):
        self.kill() if kill else self.stop()
        self.start()

    def _signal(self, sig, timeout):
        if not self.running():
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"libvirtd did not exit within {timeout} s of signal {sig}:\n{self.log()}")

    def log(self):
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())

    def close(self):
        """Destroys and undefines every domain and network, ends libvirtd and whatever it left
        running (by pid), deletes TMP. Safe to call twice, and on a half-started instance."""
        problems = []
        if self.running():
            for name in self._names("list", "--all", "--name"):
                self.virsh("destroy", name, check=False)
                self.virsh("undefine", name, "--nvram", check=False)
            for name in self._names("net-list", "--all", "--name"):
                self.virsh("net-destroy", name, check=False)
                self.virsh("net-undefine", name, check=False)
        try:
            self.stop()
        except AssertionError as e:
            problems.append(str(e))
        try:
            self._kill_leftovers()
        except AssertionError as e:
            problems.append(str(e))
        if self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        if problems:
            raise AssertionError("\n".join(problems))

    def _kill_leftovers(self):
        """QEMU and dnsmasq outlive libvirtd. Each wrote a pidfile under /run/libvirt, i.e.
        TMP/run; a pid counts as ours only if that very file is visible at the same path in the
        process's own mount namespace (so a recycled pid is never hit)."""
        killed = []
        for pidfile in (self.tmp / "run").rglob("*.pid"):
            try:
                pid = int(pidfile.read_text().split()[0])
                inside = Path(f"/proc/{pid}/root/run/libvirt") / pidfile.relative_to(self.tmp / "run")
                if pid != os.getpid() and os.path.samefile(inside, pidfile):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            except (OSError, ValueError, IndexError):
                pass
        # They are not our children (libvirt daemonizes them): init reaps them, in its own time.
        wait_for(lambda: not any(alive(pid) for pid in killed), f"processes {killed} to die", timeout=10)

    def _seed_capabilities(self):
        saved = CACHE / "libvirt-capabilities"
        if saved.is_dir():
            shutil.copytree(saved, self.tmp / "cache" / "qemu" / "capabilities")

    def _save_capabilities(self):
        """Keeps what this libvirtd probed for the next test, when it differs from the cache."""
        probed = sorted((self.tmp / "cache" / "qemu" / "capabilities").glob("*.xml"))
        saved = CACHE / "libvirt-capabilities"
        contents = lambda files: [(f.name, f.read_bytes()) for f in files]
        if not probed or contents(probed) == contents(sorted(saved.glob("*.xml"))):
            return
        CACHE.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".capabilities-", dir=CACHE))
        for f in probed:
            shutil.copy2(f, staging)
        old = Path(tempfile.mkdtemp(prefix=".capabilities-old-", dir=CACHE))
        if saved.exists():
            saved.rename(old / "caps")
        staging.rename(saved)
        shutil.rmtree(old, ignore_errors=True)

    # --- what a test does ----------------------------------------------------------------------

    def virsh(self, *args, check=True, timeout=120):
        return run(["virsh", "-q", "-c", self.uri, *map(str, args)], check=check, timeout=timeout)

    def _names(self, *args):
        result = self.virsh(*args, check=False)
        return [line.strip() for line in result.stdout.splitlines() if line.strip()]

    def domains(self):
        """Names of all domains, running or not."""
        return self._names("list", "--all", "--name")

    def networks(self):
        """Names of all networks, active or not."""
        return self._names("net-list", "--all", "--name")

    def define_network(self, xml, start=True):
        """net-define (and net-start) the network in `xml`; returns its name."""
        name = ET.fromstring(xml).findtext("name")
        path = self.tmp / f"net-{name}.xml"
        path.write_text(xml)
        self.virsh("net-define", path)
        if start:
            self.virsh("net-start", name)
        return name

    def domain_xml(self, name, network, portgroup=None, mac=None, guest=None, stay=False, cmdline=""):
        """A tiny TCG domain (machine pc, 256 MiB, no disk) with one virtio NIC on `network`.
        With a Guest (guest_image()) it boots that kernel with its serial console in
        console_path(name) ("stay" keeps it up, `cmdline` adds kernel arguments such as
        target=ADDR); with guest=None it boots nothing and idles in the BIOS: a domain that only
        needs to exist and own a tap."""
        pg = f" portgroup='{portgroup}'" if portgroup else ""
        mac_el = f"<mac address='{mac}'/>" if mac else ""
        if guest:
            args = f"console=ttyS0 quiet panic=-1 {'stay ' if stay else ''}{cmdline}".strip()
            os_extra = f"<kernel>{guest.kernel}</kernel><initrd>{guest.initrd}</initrd><cmdline>{args}</cmdline>"
            rom = ""
        else:
            # SeaBIOS finds nothing to boot and waits; rebootTimeout -1: forever (by default it
            # resets after 60 s, and on_reboot would then end the domain). No NIC ROM: iPXE
            # would boot from the network and take DHCP leases.
            os_extra = "<boot dev='hd'/><bios rebootTimeout='-1'/>"
            rom = "<rom enabled='no'/>"
        return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>{os_extra}</os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <interface type='network'><source network='{network}'{pg}/>{mac_el}<model type='virtio'/>{rom}</interface>
    <serial type='file'><source path='{self.console_path(name)}'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""

    def start_domain(self, name, network, **kw):
        """Defines and starts a domain_xml(name, network, **kw) domain; returns its name."""
        path = self.tmp / f"dom-{name}.xml"
        path.write_text(self.domain_xml(name, network, **kw))
        self.console_path(name).unlink(missing_ok=True)
        self.virsh("define", path)
        self.virsh("start", name)
        return name

    def destroy_domain(self, name, undefine=True):
        self.virsh("destroy", name, check=False)  # it may have powered off already
        if undefine:
            self.virsh("undefine", name)

    def domain_state(self, name):
        return self.virsh("domstate", name).stdout.strip()

    def console_path(self, name):
        return self.tmp / f"console-{name}.log"

    def console(self, name):
        path = self.console_path(name)
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_console(self, name, marker, timeout=120):
        """Waits for `marker` (e.g. GUEST-DONE) on the guest's serial console; returns the
        GUEST-* lines so far."""
        try:
            wait_for(lambda: marker in self.console(name), f"{marker} on {name}'s console", timeout=timeout, interval=0.2)
        except AssertionError as e:
            raise AssertionError(f"{e}; console so far:\n{self.console(name)}") from None
        return [line.strip() for line in self.console(name).splitlines() if line.startswith("GUEST-")]

    def domain_taps(self, name):
        """{tap: {"type", "source", "model", "mac"}} from `virsh domiflist` (running domain)."""
        taps = {}
        for line in self.virsh("domiflist", name).stdout.splitlines():
            fields = line.split()
            if len(fields) == 5:
                tap, kind, source, model, mac = fields
                taps[tap] = {"type": kind, "source": source, "model": model, "mac": mac}
        return taps

    def net_ports(self, network):
        """The ports libvirt records for `network` (virsh net-port-list + net-port-dumpxml)."""
        ports = []
        for uuid in self._names("net-port-list", network, "--uuid"):
            doc = ET.fromstring(self.virsh("net-port-dumpxml", network, uuid).stdout)
            plug = doc.find("plug")
            ports.append({"uuid": uuid, "owner": doc.findtext("owner/name"), "owner_uuid": doc.findtext("owner/uuid"),
                          "mac": doc.find("mac").get("address"), "group": doc.findtext("group"),
                          "plug": plug.get("type") if plug is not None else None,
                          "bridge": plug.get("bridge") if plug is not None else None})
        return ports

    def virt_install(self, name, network, portgroup=None, guest=None, stay=False, extra=()):
        """Creates and starts a domain the way a user does, with Debian's virt-install as the
        client (it defines the domain after starting it). Boots `guest` (default guest_image())."""
        guest = guest or guest_image()
        net = f"network={network},model=virtio" + (f",portgroup={portgroup}" if portgroup else "")
        args = "console=ttyS0 quiet panic=-1" + (" stay" if stay else "")
        self.console_path(name).unlink(missing_ok=True)
        return run(["virt-install", "--connect", self.uri, "--name", name, "--virt-type", "qemu", "--machine", "pc",
                    "--memory", "256", "--vcpus", "1", "--osinfo", "detect=on,require=off", "--network", net,
                    "--boot", f"kernel={guest.kernel},initrd={guest.initrd},kernel_args={args}",
                    "--disk", "none", "--import", "--graphics", "none",
                    "--serial", f"file,path={self.console_path(name)}", "--console", "none", "--noautoconsole",
                    *extra], timeout=300)

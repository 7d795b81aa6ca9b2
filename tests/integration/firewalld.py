"""A real firewalld (Debian's 1.3.3, nftables backend) for one test host: in the host's network
namespace, on the host's private bus, with a configuration directory of the test's own (the
packaged defaults plus hostnet's zone from the tree, as an admin installs it into
/etc/firewalld/zones) and a private /run, so nothing of the machine's /etc, /run or firewall is
touched. The daemon is the one scripts/install-deps.sh --test unpacks; it is never a service."""

import shutil
import signal
import subprocess
import time

from harness import FIREWALLD_ROOT, SOURCE_DIR, run

FIREWALLD = FIREWALLD_ROOT / "usr/sbin/firewalld"
FIREWALL_CMD = FIREWALLD_ROOT / "usr/bin/firewall-cmd"
DEFAULT_CONFIG = FIREWALLD_ROOT / "usr/lib/firewalld"
HOSTNET_ZONE = SOURCE_DIR / "dbus" / "firewalld" / "hostnet.xml"
HOSTNET_POLICY = SOURCE_DIR / "dbus" / "firewalld" / "hostnet-in.xml"
PACKAGED_CONF = FIREWALLD_ROOT / "etc/firewalld/firewalld.conf"


class Firewalld:
    def __init__(self, host, hostnet_zone=True):
        if not FIREWALLD.exists():
            raise AssertionError(f"{FIREWALLD} is missing: run scripts/install-deps.sh --test (it unpacks firewalld)")
        self.host = host
        self.config = host.tmp / "firewalld-etc"
        (self.config / "zones").mkdir(parents=True)
        (self.config / "policies").mkdir()
        shutil.copy(PACKAGED_CONF, self.config)
        if hostnet_zone:
            shutil.copy(HOSTNET_ZONE, self.config / "zones")
            shutil.copy(HOSTNET_POLICY, self.config / "policies")
        self.proc = None
        self.runs = 0
        self.start()

    def start(self):
        log = open(self.host.tmp / f"firewalld.{self.runs}.log", "w")
        self.runs += 1
        # A tmpfs on /run inside the daemon's own mount namespace: firewalld writes /run/firewalld.
        script = (f"mount -t tmpfs tmpfs /run && exec /usr/bin/python3 {FIREWALLD} --nofork --nopid "
                  f"--default-config {DEFAULT_CONFIG} --system-config {self.config} --log-target console")
        self.proc = subprocess.Popen(["ip", "netns", "exec", self.host.ns, "unshare", "--mount", "--propagation",
                                      "private", "sh", "-c", script],
                                     env=self.host.env, stdout=log, stderr=subprocess.STDOUT)
        self.host.processes.append(self.proc)
        deadline = time.monotonic() + 60
        while self.cmd("--state", check=False).returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("firewalld did not come up on the test bus:\n" + self.log())
            time.sleep(0.2)

    def stop(self):
        """Ends it as systemd would (SIGTERM: it removes its table on the way out)."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)

    def restart(self):
        self.stop()
        self.start()

    def cmd(self, *args, check=True):
        return run(["/usr/bin/python3", str(FIREWALL_CMD), *args], check=check, env=self.host.env)

    def reload(self):
        self.cmd("--reload")

    def zone_of(self, interface):
        """The interface's zone, "" when it is in none."""
        return self.cmd(f"--get-zone-of-interface={interface}", check=False).stdout.strip()

    def log(self):
        return "".join(p.read_text(errors="replace") for p in sorted(self.host.tmp.glob("firewalld.*.log")))

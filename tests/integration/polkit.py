"""A real polkitd for one test host, on the host's private bus. It runs in a mount namespace of
its own where the actions and rules directories are the test's (the packaged actions plus
hostnet's org.hostnet1.policy from the tree, and the test's rules), so nothing is written to the
machine's /etc or /usr and tests can run side by side. polkitd reads both directories live."""

import shutil
import subprocess
import time
from pathlib import Path

from harness import SOURCE_DIR, run

POLKITD = "/usr/lib/polkit-1/polkitd"
ACTIONS = Path("/usr/share/polkit-1/actions")
RULES = Path("/etc/polkit-1/rules.d")
HOSTNET_POLICY = SOURCE_DIR / "dbus" / "org.hostnet1.policy"


class Polkit:
    def __init__(self, host, rules):
        if not Path(POLKITD).exists():
            raise AssertionError(f"{POLKITD} is missing: install polkitd (scripts/install-deps.sh does)")
        self.host = host
        self.actions = host.tmp / "polkit-actions"
        self.rules = host.tmp / "polkit-rules"
        self.actions.mkdir()
        self.rules.mkdir()
        for policy in ACTIONS.glob("*.policy"):
            shutil.copy(policy, self.actions)
        shutil.copy(HOSTNET_POLICY, self.actions)
        self.set_rules(rules)
        # polkitd drops to its own user: what it reads must be readable by it.
        for d in (self.actions, self.rules):
            d.chmod(0o755)
        log = open(host.tmp / "polkitd.log", "w")
        script = (f"mount --bind {self.actions} {ACTIONS} && mount --bind {self.rules} {RULES} && "
                  f"exec {POLKITD}")
        # unshare execs the shell, which execs polkitd: the pid the host ends is polkitd's own.
        proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                env=host.env, stdout=log, stderr=subprocess.STDOUT)
        host.processes.append(proc)
        self.proc = proc
        deadline = time.monotonic() + 20
        while not self.on_bus():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("polkitd did not come onto the test bus:\n" + self.log())
            time.sleep(0.05)

    def on_bus(self):
        out = run(["dbus-send", "--system", "--print-reply", "--dest=org.freedesktop.DBus", "/",
                   "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.PolicyKit1"],
                  check=False, env=self.host.env).stdout
        return "boolean true" in out

    def set_rules(self, text):
        """Replaces the test's rules; polkitd notices within a moment (inotify)."""
        path = self.rules / "50-hostnet-test.rules"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.chmod(0o644)
        tmp.rename(path)

    def log(self):
        path = self.host.tmp / "polkitd.log"
        return path.read_text(errors="replace") if path.exists() else ""

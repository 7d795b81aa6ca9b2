"""A host of hostnet's own for one test: a fresh network namespace, a private dbus-daemon, and
hostnetd running inside the namespace with temporary config and state directories. Everything it
starts it stops by pid, and the namespace (with every device in it) is deleted, even when the test
fails."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("HOSTNET_BUILD_DIR", SOURCE_DIR / "build")).resolve()
HOSTNETD = BUILD_DIR / "daemon" / "hostnetd"
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
  <include>{policy}</include>
</busconfig>
"""


def run(cmd, check=True, **kw):
    result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


class Host:
    def __init__(self):
        for binary in (HOSTNETD, HOSTNETCTL):
            if not binary.exists():
                raise AssertionError(f"{binary} is not built (HOSTNET_BUILD_DIR={BUILD_DIR})")
        if os.geteuid() != 0:
            raise AssertionError("integration tests need root: they create network namespaces")
        self.ns = "hn-" + secrets.token_hex(4)
        self.tmp = Path(tempfile.mkdtemp(prefix="hostnet-it-"))
        os.chmod(self.tmp, 0o755)  # the bus socket must be reachable by the unprivileged caller
        self.config_dir = self.tmp / "etc"
        self.state_dir = self.tmp / "run"
        self.bus_socket = self.tmp / "bus.sock"
        self.bus_address = f"unix:path={self.bus_socket}"
        self.env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address)
        self.daemon = None
        self.daemon_logs = []
        self.bus = None
        self.extra_namespaces = []
        try:
            run(["ip", "netns", "add", self.ns])
            run(["ip", "-n", self.ns, "link", "set", "lo", "up"])
            self._start_bus()
            self.start_daemon()
        except BaseException:
            self.close()
            raise

    # --- processes -------------------------------------------------------------------------

    def _start_bus(self):
        conf = self.tmp / "bus.conf"
        conf.write_text(BUS_CONFIG.format(socket=self.bus_socket, policy=SOURCE_DIR / "dbus" / "org.hostnet1.conf"))
        self.bus = subprocess.Popen(["dbus-daemon", f"--config-file={conf}", "--nofork", "--nopidfile"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait(lambda: self.bus_socket.exists() or self.bus.poll() is not None, "the private dbus-daemon to listen")
        if self.bus.poll() is not None:
            raise AssertionError(f"dbus-daemon exited: {self.bus.stderr.read().decode(errors='replace')}")

    def start_daemon(self, *extra):
        log = self.tmp / f"hostnetd.{len(self.daemon_logs)}.log"
        self.daemon_logs.append(log)
        cmd = ["ip", "netns", "exec", self.ns, str(HOSTNETD), "--config-dir", str(self.config_dir),
               "--state-dir", str(self.state_dir), "--plugin-dir", str(PLUGIN_DIR), *extra]
        with open(log, "w") as out:
            self.daemon = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self._wait(lambda: self.ctl("net-list", check=False).returncode == 0 or self.daemon.poll() is not None,
                   "hostnetd to own org.hostnet1")
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
        try:
            self.stop_daemon()
        except AssertionError as e:
            problems.append(str(e))
        if self.daemon and self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait()
        if self.bus and self.bus.poll() is None:
            self.bus.terminate()
            try:
                self.bus.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.bus.kill()
                self.bus.wait()
        for ns in [self.ns, *self.extra_namespaces]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        log = self.daemon_log()
        shutil.rmtree(self.tmp, ignore_errors=True)
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

"""Authorization through a real polkitd on the test's private bus: hostnet's actions from
dbus/org.hostnet1.policy, JavaScript rules that grant and deny, callers that are not root. A caller
polkit does not allow changes nothing; root, the admin group and a port's owner keep their rights
whatever the rules say; with no polkit on the bus hostnetd falls back to those and says so once."""

import json
import subprocess

import pytest

from harness import Host, run, vmm_run

NOBODY, DAEMON, BIN = 65534, 1, 2

# nobody may do everything on network "lab" and nothing else unasked (the packaged defaults:
# auth_admin, a challenge with no agent); daemon is refused outright; bin has no rule.
RULES = """
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.hostnet1.") != 0) return polkit.Result.NOT_HANDLED;
    if (subject.user == "nobody" && action.lookup("network") == "lab") return polkit.Result.YES;
    if (subject.user == "daemon") return polkit.Result.NO;
    return polkit.Result.NOT_HANDLED;
});
"""

LAB = "<network><name>lab</name><bridge name='hnlab0'/><ip address='10.91.0.1' netmask='255.255.255.0'/></network>"
OTHER = "<network><name>other</name><bridge name='hnoth0'/><ip address='10.92.0.1' netmask='255.255.255.0'/></network>"


@pytest.fixture
def pk_host():
    h = Host(polkit_rules=RULES)
    try:
        yield h
    finally:
        h.close()


def state(host):
    """What a refused call must not change: definitions, devices, the firewall, the ports."""
    return (host.config_files(), sorted(host.links()), host.sh("nft list ruleset").stdout,
            host.ctl("port-list", "--json").stdout, json.dumps(host.networks(), sort_keys=True))


def test_hostnets_actions_are_known_to_polkit(pk_host):
    for action in ("org.hostnet1.manage-networks", "org.hostnet1.manage-ports", "org.hostnet1.open-port-fds"):
        out = run(["pkaction", "--verbose", "--action-id", action], env=pk_host.env).stdout
        assert "implicit any:" in out and "auth_admin" in out, out


def test_a_rule_grants_one_network_to_a_user(pk_host):
    host = pk_host
    host.ctl("net-define", host.write_xml("lab", LAB), as_user=NOBODY)
    host.ctl("net-start", "lab", as_user=NOBODY)
    assert "UP" in host.link("hnlab0")["flags"]
    host.ctl("port-create", "lab", "--name", "labp0", "--owner", NOBODY, as_user=NOBODY)
    assert host.link("labp0")["master"] == "hnlab0"
    host.ctl("port-delete", "labp0", as_user=NOBODY)
    assert host.link("labp0") is None
    host.ctl("net-destroy", "lab", as_user=NOBODY)
    host.ctl("net-undefine", "lab", as_user=NOBODY)
    assert host.link("hnlab0") is None and "lab" not in host.networks()
    assert "polkit allows org.hostnet1.manage-networks to caller uid 65534" in host.daemon_log()


def test_a_denied_caller_changes_nothing(pk_host):
    host = pk_host
    host.ctl("net-define", host.write_xml("other", OTHER))
    host.ctl("net-start", "other")
    host.ctl("port-create", "other", "--name", "othp0")
    before = state(host)
    for args in (["net-define", host.write_xml("lab", LAB)], ["net-create", host.write_xml("lab2", LAB)],
                 ["net-destroy", "other"], ["net-undefine", "other"], ["net-autostart", "other"],
                 ["port-create", "other", "--name", "othp1"], ["port-delete", "othp0"]):
        err = host.ctl_error(*args, as_user=DAEMON)
        assert "PermissionDenied" in err and "polkit denies org.hostnet1.manage-" in err, (args, err)
    assert state(host) == before
    # The network a refused call was about is named to the caller.
    assert "network other" in host.ctl_error("net-destroy", "other", as_user=DAEMON)


def test_opening_a_ports_fds_is_its_own_action(pk_host):
    host = pk_host
    host.ctl("net-define", host.write_xml("lab", LAB))
    host.ctl("net-start", "lab")
    host.ctl("port-create", "lab", "--name", "labp0", "--queues", 2)
    # nobody is granted everything on lab by the rule, open-port-fds included; daemon is refused.
    assert vmm_run(host, "open", "labp0", 0, as_user=NOBODY).stdout.strip() == "taps 2 vhosts 0"
    refused = vmm_run(host, "open", "labp0", 0, as_user=DAEMON)
    assert refused.stdout.startswith("error org.hostnet1.Error.PermissionDenied"), refused.stdout + refused.stderr
    assert "org.hostnet1.open-port-fds" in refused.stdout


def test_a_user_without_a_rule_is_asked_to_authenticate(pk_host):
    host = pk_host
    host.ctl("net-define", host.write_xml("other", OTHER))
    before = state(host)
    err = host.ctl_error("net-start", "other", as_user=BIN)
    assert "InteractiveAuthorizationRequired" in err and "needs authentication" in err, err
    # A caller that allows interaction is not told to allow it: with no authentication agent
    # here, the answer is a refusal.
    path = run(["busctl", f"--address={host.bus_address}", "call", "org.hostnet1", "/org/hostnet1",
                "org.hostnet1.Manager", "LookupNetwork", "s", "other"], env=host.env).stdout.split()[1].strip('"')
    cmd = ["setpriv", f"--reuid={BIN}", f"--regid={BIN}", "--clear-groups", "busctl", f"--address={host.bus_address}",
           "--allow-interactive-authorization=yes", "call", "org.hostnet1", path, "org.hostnet1.Network", "Start"]
    asked = subprocess.run(cmd, capture_output=True, text=True, env=host.env, timeout=90)
    assert asked.returncode != 0 and "authentication for polkit action org.hostnet1.manage-networks did not succeed" in asked.stderr, asked.stderr
    assert state(host) == before


def test_rules_are_read_at_call_time(pk_host):
    host = pk_host
    host.ctl("net-define", host.write_xml("other", OTHER))
    assert "PermissionDenied" in host.ctl_error("net-start", "other", as_user=DAEMON)
    host.polkit.set_rules(RULES.replace('subject.user == "daemon"', 'subject.user == "nobody-at-all"')
                          .replace('subject.user == "nobody" &&', '(subject.user == "nobody" || subject.user == "daemon") &&')
                          .replace('== "lab"', '== "other"'))
    host._wait(lambda: host.ctl("net-start", "other", as_user=DAEMON, check=False).returncode == 0,
               "polkitd to read the new rule")
    assert host.networks()["other"]["active"] is True


def test_the_admin_group_and_a_ports_owner_keep_working_when_polkit_refuses(pk_host):
    host = pk_host
    host.stop_daemon()
    host.start_daemon("--admin-group", "bin")
    host.ctl("net-define", host.write_xml("other", OTHER), as_user=BIN)  # group bin: no polkit asked
    host.ctl("net-start", "other", as_user=BIN)
    host.ctl("port-create", "other", "--name", "mine", "--owner", DAEMON)
    # The rule refuses daemon everything, but the port is daemon's own.
    assert vmm_run(host, "open", "mine", 0, as_user=DAEMON).stdout.strip() == "taps 1 vhosts 0"
    assert "PermissionDenied" in host.ctl_error("port-delete", "mine", as_user=DAEMON)


def test_without_polkit_only_root_and_the_admin_group_may_and_it_is_said_once(host):
    for _ in range(3):
        err = host.ctl_error("net-define", host.write_xml("lab", LAB), as_user=NOBODY)
        assert "PermissionDenied" in err and "polkit is not on the bus" in err, err
    assert host.daemon_log().count("polkit is not on the bus") == 1, host.daemon_log()
    assert host.config_files() == []


def test_no_polkit_flag_never_asks(pk_host):
    host = pk_host
    host.stop_daemon()
    host.start_daemon("--no-polkit")
    err = host.ctl_error("net-define", host.write_xml("lab", LAB), as_user=NOBODY)
    assert "PermissionDenied" in err and "needs root" in err and "polkit" not in err, err

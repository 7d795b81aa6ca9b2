#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, build with ASan+UBSan, run the
# unit tests, the root tests (each in a network namespace of its own) and the integration tests
# (real kernel, real dbus-daemon, hostnetd in namespaces), then print "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh --test || exit 1

build=build-ci
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug >/dev/null || exit 1
fi
meson compile -C "$build" || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Unit and root tests (GoogleTest); meson's JUnit log has every gtest case.
meson test -C "$build" --print-errorlogs --num-processes 2 2>&1 | tail -n 40
unit_rc=${PIPESTATUS[0]}
cp "$build/meson-logs/testlog.junit.xml" "$results/unit.xml" 2>/dev/null

# Integration tests (pytest).
HOSTNET_BUILD_DIR="$root/$build" /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration \
  --junitxml="$results/integration.xml" 2>&1 | tail -n 40
int_rc=${PIPESTATUS[0]}

/usr/bin/python3 - "$results" "$unit_rc" "$int_rc" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.xml"):
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError:
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
# A runner that failed without a failing case (a crash, a sanitizer abort, a build error)
# still counts as a failure.
for rc in sys.argv[2:]:
    if rc != "0" and failed == 0:
        failed = 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
[ "$unit_rc" = 0 ] && [ "$int_rc" = 0 ]

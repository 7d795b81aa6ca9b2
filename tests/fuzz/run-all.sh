#!/bin/bash
# Builds every libFuzzer target (clang, ASan+UBSan, -Dfuzz=true) and runs each for N seconds, one
# at a time, over a copy of its seed corpus (the tree's corpus is never written). Prints, per
# target, the executions, crashes and final corpus size; exits non-zero when any target crashed
# (its crash-* files stay in the work directory it names). With --runs, each target runs until it
# has executed that many inputs (however long it takes) instead of for a time.
#   tests/fuzz/run-all.sh --seconds N | --runs N [--build-dir DIR] [--only TARGET]
set -euo pipefail

seconds=60
runs=""
build_dir=build-fuzz
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run-all.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
targets=(fuzz_network_xml fuzz_port_record fuzz_network_status fuzz_hostnet_metadata fuzz_dhcp_leases
         fuzz_ovsdb_jsonrpc fuzz_ovsdb_update2 fuzz_port_options fuzz_rtnl_replies)
[ -n "$only" ] && targets=("$only")

corpus_of() {
  case "$1" in
    fuzz_network_xml) echo "$src/tests/corpus/network-xml" ;;
    *) echo "$src/tests/fuzz/corpus/$1" ;;
  esac
}

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang CXX=clang++ nice -n 19 meson setup "$build_dir" -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false
fi
nice -n 19 ninja -C "$build_dir" "${targets[@]/#/tests/fuzz/}"

work=$(mktemp -d "${TMPDIR:-/tmp}/hostnet-fuzz.XXXXXX")
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
failed=0
printf '%-24s %12s %8s %8s %8s\n' target executions crashes corpus seconds
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp "$(corpus_of "$t")"/* "$work/$t/corpus/"
  set +e
  if [ -n "$runs" ]; then limit=(-runs="$runs"); else limit=(-max_total_time="$seconds"); fi
  start=$(date +%s)
  nice -n 19 "$build_dir/tests/fuzz/$t" "${limit[@]}" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$work/$t/artifacts/" "$work/$t/corpus" >"$work/$t/log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log" | tail -1)
  if [ -z "$execs" ]; then
    execs=$(grep -o '#[0-9]*' "$work/$t/log" | tail -1 | tr -d '#')
  fi
  crashes=$(find "$work/$t/artifacts" -type f | wc -l)
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  size=$(find "$work/$t/corpus" -type f | wc -l)
  printf '%-24s %12s %8s %8s %8s\n' "$t" "${execs:-0}" "$crashes" "$size" "$(( $(date +%s) - start ))"
  [ "$crashes" -ne 0 ] && failed=1
done
echo "logs, grown corpora and crash inputs: $work"
exit $failed

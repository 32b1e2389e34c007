#!/usr/bin/env bash
# fuzz.sh [--minutes N] [--only TARGET] [--no-build]: runs every libFuzzer target (the fuzz_run.* ctests of
# a FUZZ=1 build: tests/fuzz/<module>/) for N minutes each (default 10), one after the other
# on one core at nice 19, so other work on the machine keeps its CPU.
#
# Each target starts from its seed corpus in the tree plus what earlier runs of this script
# found (kept in build-fuzz/fuzz-corpus/<target>, not in the tree). A crash, leak or timeout
# is copied into the target's corpus as regressions/<target>-<sha1> - the fuzz_replay.*
# ctests replay every file there, so it fails the plain test suite until it is fixed - and
# that target stops there (the next one starts). Every run is appended to
# build-fuzz/fuzz-ledger.tsv (date, target, seconds, executions, findings): the clean hours
# per target in the README come from it.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=10 only= build=1
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-build) build=0; shift ;;  # use build-fuzz as it is
    *) echo "usage: $0 [--minutes N] [--only TARGET] [--no-build]" >&2; exit 2 ;;
  esac
done
dir=${BUILD_DIR:-build-fuzz}
if [ $build = 1 ]; then
  BUILD_DIR=$dir FUZZ=1 TARGETS=fuzz_targets scripts/build.sh >/dev/null || exit 1
fi
ledger=$dir/fuzz-ledger.tsv
[ -f "$ledger" ] || printf 'date\ttarget\tseconds\texecutions\tfindings\n' >"$ledger"

# target<TAB>binary<TAB>seed corpus, from the fuzz_run.* tests' own command lines.
targets=$(ctest --test-dir "$dir" -L fuzzrun --show-only=json-v1 |
  jq -r '.tests[] | select(.name | startswith("fuzz_run.")) |
         [(.name | ltrimstr("fuzz_run.")), .command[1], .command[2]] | @tsv')
total=0
while IFS=$'\t' read -r name bin seeds; do
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  cache=$dir/fuzz-corpus/$name art=$dir/fuzz-artifacts/$name
  mkdir -p "$cache" "$art" "$seeds/regressions"
  start=$(date +%s) found=0 log=$art/run.log
  # New inputs go to the cache (first folder); the tree's seeds are only read.
  nice -n 19 "$bin" -max_total_time=$((minutes * 60)) -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$art/" "$cache" "$seeds" >"$log" 2>&1
  rc=$?
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  # A finding stops the target: until it is fixed the fuzzer would find it again at once.
  shopt -s nullglob
  for a in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* "$art"/slow-unit-*; do
    dest=$seeds/regressions/$name-$(sha1sum "$a" | cut -c1-16)
    cp "$a" "$dest" && rm -f "$a"
    found=$((found + 1))
    echo "$name: $(grep -m1 -E 'ERROR|SUMMARY' "$log")"
    echo "$name: regression input $dest (replayed by fuzz_replay.$name; fix, then run again)"
  done
  shopt -u nullglob
  [ $rc != 0 ] && [ $found = 0 ] && { echo "$name: fuzzer exited $rc:"; tail -20 "$log"; found=1; }
  secs=$(($(date +%s) - start))
  rmdir "$seeds/regressions" 2>/dev/null  # only kept when it holds something
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$name" "$secs" "${execs:-0}" "$found" >>"$ledger"
  echo "$name: ${secs} s, $execs executions, $found finding(s)"
  total=$((total + found))
done <<<"$targets"
[ "$total" = 0 ]

#!/usr/bin/env bash
# run-fuzzer.sh BINARY CORPUS_DIR [SECONDS]: a short libFuzzer run on a copy of the corpus
# (new inputs are not written into the repository). A crash fails the run, and the
# crashing input is printed so it can be added to the target's crashers folder.
set -u
bin=$1 corpus=$2 secs=${3:-${FUZZ_SECONDS:-20}}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$corpus"/. "$work"/ 2>/dev/null || true
cd "$work"
"$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$work" >"$work/log" 2>&1
rc=$?
grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work/log"
if [ $rc -ne 0 ]; then
  grep -E "ERROR|SUMMARY|Test unit written" "$work/log"
  for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do [ -f "$a" ] && xxd "$a" | head -20; done
fi
exit $rc

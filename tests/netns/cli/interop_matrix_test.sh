#!/usr/bin/env bash
# `vpnlab interop --quick` as CI runs it: the quick cases of the matrix against the installed
# strongSwan + FRR (Azure side) and strongSwan + BIRD (AWS side), each in a lab of its own.
# Checks the exit status and the JSON report: every quick case on both sides passed, with
# negotiated suites, probes that crossed and none lost where the case counts them.
# Usage: interop_matrix_test.sh path/to/vpnlab   (root; labels netns, interop)
set -euo pipefail
vpnlab=$1
work=$(mktemp -d /tmp/vpnlab-interop-test-XXXXXX)
run_pid=
# If the run dies mid-case (a crash), its case labs stay up: they are named
# iop<its pid % 10000>-<n>, so take down exactly those.
cleanup() {
  if [[ -n $run_pid ]]; then
    for d in /run/vpnlab/iop$((run_pid % 10000))-*; do
      [[ -d $d ]] && "$vpnlab" down --lab "$(basename "$d")" >/dev/null 2>&1
    done
    rm -rf "/run/vpnlab/interop-$run_pid"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
echo "== vpnlab interop --quick"
status=0
"$vpnlab" interop --quick --report "$work/report.json" &
run_pid=$!
wait "$run_pid" || status=$?
[[ -s $work/report.json ]] || { echo "FAIL: no report written"; exit 1; }
jq -e '.failed == 0 and .passed == 8' "$work/report.json" >/dev/null ||
  { echo "FAIL: report says:"; jq '.cases[] | {case, side, result, reason}' "$work/report.json"; exit 1; }
[[ $status -eq 0 ]] || { echo "FAIL: exit status $status with every case passed"; exit 1; }
for side in azure aws; do
  for c in defaults rekey-child tunnel-loss dh31; do
    jq -e --arg s "$side" --arg c "$c" \
      '[.cases[] | select(.side == $s and .case == $c and .result == "pass")] | length == 1' \
      "$work/report.json" >/dev/null || { echo "FAIL: $side $c missing or failed"; exit 1; }
  done
  # Traffic crossed the real node in every traffic step, and nothing was lost in a rekey.
  jq -e --arg s "$side" '[.cases[] | select(.side == $s and .case != "dh31")] |
      all(.probes_sent > 1000 and (.ike_suites | length) > 0 and (.esp_suites | length) > 0)' \
    "$work/report.json" >/dev/null || { echo "FAIL: $side: a case without traffic or suites"; exit 1; }
  jq -e --arg s "$side" '[.cases[] | select(.side == $s and .case == "rekey-child") | .steps[]
      | select(.step | startswith("CHILD_SA rekey")) | .probes_lost] | length == 2 and all(. == 0)' \
    "$work/report.json" >/dev/null || { echo "FAIL: $side: rekeys lost probes"; exit 1; }
done
# Every case's lab is gone again (checked before the trap would clean up).
prefix="iop$((run_pid % 10000))-"
if ip netns list | grep -q "^$prefix"; then echo "FAIL: a case left namespaces:"; ip netns list | grep "^$prefix"; exit 1; fi
echo "PASS: interop quick matrix"

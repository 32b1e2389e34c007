#!/usr/bin/env bash
# Scenario: the gateway and supervisor processes under AddressSanitizer + LeakSanitizer (and
# UBSan) through a whole lab's life, with zero reports. Registered only in the sanitizer
# build (build-asan/, label `sanitized`; scripts/test.sh runs it in its sanitizer phase).
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels, BGP== aws-vgw -- vpc-host
#
# The soak's lab (scripts/soak.sh --print-lab) at a third of its pace: every CHILD_SA rekeys
# by its timer every ~6 s, every IKE_SA every ~18 s. up -> converged -> probe stream VM <->
# host throughout -> drill: aws0t1 down and up -> CHILD_SA and IKE_SA rekeys on demand on
# every tunnel -> a BGP session reset (when the binary has bgp-reset) -> timer rekeys for
# 20 s -> down (SIGTERM: each gateway and the supervisor exit by themselves, so LeakSanitizer
# checks them at exit). Every vpnlab process of the run (the CLI commands too) writes its
# sanitizer reports to files under a directory this test reads (ASAN_OPTIONS log_path); any
# file there fails the test. The lab is named vpnlab-t-<pid>; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
SOAK=$(dirname "$0")/../../../scripts/soak.sh
LAB=vpnlab-t-$$
work=$(mktemp -d)
reports=$work/sanitizer
mkdir -p "$reports"
fail() {
  echo "FAIL: $*"
  for f in "$reports"/*; do [ -f "$f" ] && { echo "== $f"; head -40 "$f"; }; done
  exit 1
}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  lab_cleanup
}
trap cleanup EXIT
run() { echo "+ $*"; "$@"; }
# The gateways and the supervisor inherit this environment from `vpnlab up` (fork + exec).
# detect_leaks: LSan at every process exit; abort_on_error=0 so a report never kills a
# process before it is written; log_path: <dir>/asan.<pid> per process that reports.
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1"
export LSAN_OPTIONS="log_path=$reports/lsan"
"$VPNLAB" --help >/dev/null 2>&1 || fail "$VPNLAB does not run"
nm -D --undefined-only "$VPNLAB" 2>/dev/null | grep -q __asan_init || nm "$VPNLAB" 2>/dev/null | grep -q __asan_init || fail "$VPNLAB is not an ASan build (SANITIZE=1 scripts/build.sh)"

bash "$SOAK" --print-lab --name "$LAB" --vpnlab "$VPNLAB" |
  sed 's/^  time_factor: .*/  time_factor: 0.0133333/' >"$work/lab.yaml"
grep -q "time_factor: 0.0133333" "$work/lab.yaml" || fail "could not make the test lab"

run "$VPNLAB" up "$work/lab.yaml" --wait 90 || fail "up"
for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
"$VPNLAB" probe "$work/lab.yaml" --seconds 0 --rate 500 >"$work/probe.txt" 2>&1 &
pids+=($!)
probe=$!
cat /run/vpnlab/$LAB/*.pid >"$work/daemon.pids" 2>/dev/null
[ "$(wc -l <"$work/daemon.pids")" = 4 ] || fail "expected 3 gateways and the supervisor, found PIDs: $(cat "$work/daemon.pids")"
while read -r pid; do
  [ "$(readlink -f "/proc/$pid/exe")" = "$(readlink -f "$VPNLAB")" ] || fail "process $pid does not run $VPNLAB"
done <"$work/daemon.pids"
echo "ok: lab up, 3 gateways and the supervisor running the ASan build"

run "$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" || fail "tunnel down"
run "$VPNLAB" tunnel up aws0t1 "$work/lab.yaml" || fail "tunnel up"
wait_aws0t1_route || fail "tunnel aws0t1 did not come back with its BGP route"
echo "ok: drill aws0t1 down and up"

for t in aws0t1 aws0t2 aws1t1 aws1t2; do
  run "$VPNLAB" tunnel rekey "$t" "$work/lab.yaml" --from azure || fail "rekey $t"
  run "$VPNLAB" tunnel rekey-ike "$t" "$work/lab.yaml" --from aws || fail "rekey-ike $t"
done
if "$VPNLAB" tunnel --help 2>&1 | grep -q bgp-reset; then
  run "$VPNLAB" tunnel bgp-reset aws1t2 "$work/lab.yaml" --from aws || fail "bgp-reset"
fi
sleep 20 # timer-driven rekeys (every ~6 s / ~18 s) while the probe stream runs
kill -INT "$probe"
wait "$probe"
probe_rc=$?
cat "$work/probe.txt"
[ "$probe_rc" = 0 ] || fail "the probe stream saw no traffic"
for i in $(seq 150); do
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
  jq -e '([.aws.VpnConnections[].VgwTelemetry[] | select(.StatusMessage == "1 BGP ROUTES")] | length) == 4' \
    "$work/status.json" >/dev/null && break
  sleep 0.2
done
jq -e '([.aws.VpnConnections[].VgwTelemetry[] | select(.StatusMessage == "1 BGP ROUTES")] | length) == 4' \
  "$work/status.json" >/dev/null || fail "not every tunnel back with its route"
n=$(jq '[.gateways[].tunnels[].sas_established.child] | min' "$work/status.json")
[ "$n" -ge 3 ] || fail "every tunnel end should have seen at least 3 CHILD_SAs (the first, the on-demand rekey, a timer rekey), fewest $n"
echo "ok: all tunnels back, at least $n CHILD_SAs established on every tunnel end"

# LeakSanitizer checks a process only when it exits by itself. `vpnlab down` sends SIGTERM
# and SIGKILLs what is still running 3 s later, which a sanitized process, slower, could miss:
# so this test sends the same SIGTERM first and waits (60 s) for every daemon to exit on its
# own, then down removes the rest.
while read -r pid; do
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q vpnlab && kill -TERM "$pid"
done <"$work/daemon.pids"
while read -r pid; do
  for i in $(seq 600); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  [ -d "/proc/$pid" ] && fail "daemon $pid did not exit within 60 s of SIGTERM"
done <"$work/daemon.pids"
echo "ok: the gateways and the supervisor exited on SIGTERM"
run "$VPNLAB" down "$work/lab.yaml" || fail "down"
left=$(ls "$reports" | wc -l)
[ "$left" = 0 ] || fail "$left sanitizer report file(s)"
echo "ok: zero ASan/LSan/UBSan reports from the gateways, the supervisor and the CLI"
echo "PASS"

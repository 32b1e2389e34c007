#!/usr/bin/env bash
# Scenario: hostile input at the running reference lab while legitimate traffic flows.
#
#  vnet-vm ==probe stream (sequenced UDP, both ways)== vpc-host     (probe_driver)
#  internet ns --IKE/ESP garbage, floods, forgeries, replays--> azure-gw0's public address
#  aws-vgw ns  --BGP garbage, RFC 7606 cases over the tunnel--> azure-gw0's APIPA address
#
# up (IKE keying, time factor 0.5) -> probe stream -> hostile.py phase a (IKE, ESP, a BGP
# connection collision; no session may change) -> the probe stream lost nothing -> a new
# probe stream -> phase b (a BGP session taken over: RFC 7606 treat-as-withdraw, attribute
# discard, session reset, OPEN/header garbage; the real session restored) -> its loss
# reported (exempt: RFC 7606 resets that session) -> each case's counter moved by the expected
# amount and each answer (NOTIFY, NOTIFICATION) was right -> the log lines of every reason a
# case moved are at most one per second -> every gateway process is still the one `up`
# started -> every tunnel UP and every BGP session Established again. The lab is named
# hs<pid>; cleanup on every exit. A fourth argument, af_packet, runs it all on
# lab.esp_transport: af_packet (the gateways receive ESP from a packet socket's ring).
set -u
VPNLAB=$1
PROBE=$2
HOSTILE=$3
ESP_TRANSPORT=${4:-raw_socket}
LAB=hs$$
work=$(mktemp -d)
probe_pid=
. "$(dirname "$0")/../cli/lab_env.sh"
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
  [ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null
  # HOSTILE_KEEP=DIR keeps the gateways' logs, the probe progress and the case table.
  [ -n "${HOSTILE_KEEP:-}" ] && mkdir -p "$HOSTILE_KEEP" &&
    cp /run/vpnlab/$LAB/*.log "$work"/probe.out.* "$work"/probe.progress "$work"/hostile.json \
      "$HOSTILE_KEEP"/ 2>/dev/null
  lab_cleanup
}
trap cleanup EXIT
/usr/bin/python3 -c 'import scapy' 2>/dev/null || fail "python3-scapy is not installed (scripts/install-deps.sh)"

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.5\n  esp_transport: $ESP_TRANSPORT/" >"$work/lab.yaml"
grep -q "name: $LAB" "$work/lab.yaml" || fail "could not make the test lab"
"$VPNLAB" up "$work/lab.yaml" --wait 90 || fail "up"
expect_transport "$ESP_TRANSPORT"
declare -A pids
for f in /run/vpnlab/$LAB/*.pid; do pids[$f]=$(cat "$f"); done

# Legitimate traffic: 500 datagrams/s each way between the VNet VM and the VPC host, flowing
# before each phase starts. Phase a (IKE, ESP, a BGP connection collision) must lose
# nothing. Phase b takes a BGP session over and resets it as RFC 7606 says it must: its
# probe window is reported apart (the reset and the real speaker's return change routes).
probe_start() { # name
  mkfifo "$work/probe.in"
  "$PROBE" "$LAB-vnet-vm" 10.1.0.4 "$LAB-vpc-host" 10.2.0.4 500 <"$work/probe.in" \
    >"$work/probe.out" 2>>"$work/probe.progress" &
  probe_pid=$!
  exec 9>"$work/probe.in"
  for i in $(seq 50); do grep -q started "$work/probe.out" && break; sleep 0.1; done
  grep -q started "$work/probe.out" || { cat "$work/probe.out"; fail "probe stream did not start"; }
}
probe_stop() { # -> $report, $lost, $sent
  exec 9>&-  # EOF: the probe driver stops, drains and reports
  wait "$probe_pid"
  probe_pid=
  rm -f "$work/probe.in"
  report=$(tail -1 "$work/probe.out")
  lost=$(echo "$report" | jq .lost)
  sent=$(echo "$report" | jq '.a_to_b.sent + .b_to_a.sent')
  cp "$work/probe.out" "$work/probe.out.$1"
}
hostile() { # phase [args]
  /usr/bin/python3 "$HOSTILE" --vpnlab "$VPNLAB" --lab "$LAB" --json "$work/hostile.json" \
    --phase "$@"
}

probe_start a
hostile a
rc=$?
probe_stop a
echo "probe stream, phase a (IKE, ESP, BGP collision): $report"
[ $rc -eq 0 ] || fail "hostile cases (above)"
[ "$sent" -gt 1000 ] || fail "probe stream sent only $sent"
[ "$lost" -eq 0 ] || fail "probe stream lost $lost of $sent in phase a"
echo "ok: probe stream lost 0 of $sent while the IKE, ESP and BGP collision cases ran"

probe_start b
hostile b --logs "/run/vpnlab/$LAB"
rc=$?
probe_stop b
echo "probe stream, phase b (BGP session taken over and reset, RFC 7606): $report"
[ $rc -eq 0 ] || fail "hostile cases (above)"
echo "ok: phase b: $lost of $sent lost while the aws0t1 BGP session was taken over, reset and restored (exempt: RFC 7606 4 session reset)"
for f in "${!pids[@]}"; do
  pid=${pids[$f]}
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q vpnlab || fail "$(basename "$f" .pid) (PID $pid) is gone"
done
echo "ok: ${#pids[@]} lab processes alive, same PIDs as after up"
"$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json"
up=$(jq '[.gateways[].tunnels[] | select(.status == "UP")] | length' "$work/status.json")
est=$(jq '[.gateways[].bgp.peers[] | select(.bgpState == "Established")] | length' "$work/status.json")
[ "$up" -eq 8 ] || fail "$up of 8 tunnel ends UP"
[ "$est" -eq 8 ] || fail "$est of 8 BGP session ends Established"
echo "ok: 8 tunnel ends UP, 8 BGP session ends Established"
echo "PASS"

#!/usr/bin/env bash
# Scenario: failure drills with a measured outage (vpnlab fail / heal) on the reference lab
# at time factor 0.1, with the probe stream VNet VM <-> VPC host running through each.
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels, BGP== aws-vgw -- vpc-host
#                          \___ internet router (the path drills act here) ___/
#
# PART=a: crash:azure-gw0, maintenance:azure-gw1, replace:aws0t1
# PART=b: hang:aws-vgw, bgp-reset:aws0t1, path:aws0t1 (--down; --loss/--rate left in place
#         and healed; --delay where the kernel has sch_netem)
# Each drill's JSON report is checked for the mechanism that detected the fault, outage
# bounds scaled by the time factor (generous: never tight timing), and recovery, or that the
# report names what did not come back and its last error. Between drills the lab is mended
# with `vpnlab tunnel up` and waits until it has converged again. Lab dr<pid>; cleanup on
# every exit. A third argument, af_packet, runs the drills on lab.esp_transport: af_packet (a
# crashed gateway leaves its nftables ingress drop behind; the restarted one replaces it).
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
PART=${2:-a}
ESP_TRANSPORT=${3:-raw_socket}
LAB=dr$$
TF=0.1
work=$(mktemp -d)
fail() { echo "FAIL: $*"; [ -f "$work/r.json" ] && jq -c '{detection, recovery, outage_ms, events: [.events[] | [.at_ms, .node, .kind, .object, .mechanism, .detail]]}' "$work/r.json"; exit 1; }
trap lab_cleanup EXIT
run() { echo "+ $*"; "$@"; }
# Seconds of cloud time as lab seconds (awk: floating point).
lab_s() { awk -v s="$1" -v f="$TF" 'BEGIN { printf "%.2f", s * f }'; }
# jq -e on the last report, or fail with the message.
expect() { jq -e "$1" "$work/r.json" >/dev/null || fail "$2"; }

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: $TF\n  esp_transport: $ESP_TRANSPORT/" >"$work/lab.yaml"
grep -q "time_factor: $TF" "$work/lab.yaml" || fail "could not make the test lab"

converged() {
  for i in $(seq 150); do
    "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
    c=$(jq '[.azure.connections[] | select(.connectionStatus == "Connected")] | length' "$work/status.json")
    p=$(jq '[.azure.bgpPeerStatus[] | select(.state == "Connected")] | length' "$work/status.json")
    r=$(jq '[.aws.VpnConnections[].VgwTelemetry[] | select(.StatusMessage == "1 BGP ROUTES")] | length' "$work/status.json")
    [ "$c" = 4 ] && [ "$p" = 4 ] && [ "$r" = 4 ] && return 0
    sleep 0.2
  done
  echo "not converged: connections $c, BGP peers $p, AWS tunnels with routes $r"
  return 1
}
# Mends what a drill left down (the AWS end initiates), then waits for convergence.
mend() {
  for t in aws0t1 aws0t2 aws1t1 aws1t2; do "$VPNLAB" tunnel up "$t" "$work/lab.yaml" >/dev/null 2>&1; done
  converged || fail "the lab did not converge again after $1"
  # The VM reaches the VPC host again (routes propagated).
  for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && return 0; sleep 0.2; done
  fail "VNet VM cannot reach the VPC host after $1"
}
# drill TARGET [ARGS...]: runs vpnlab fail with --json into r.json (exit 0 or 3 accepted).
drill() {
  echo "+ vpnlab fail $*"
  "$VPNLAB" fail "$@" "$work/lab.yaml" --report "$work/r.json" --svg "$work/r.svg" >"$work/r.txt"
  rc=$?
  cat "$work/r.txt"
  [ $rc = 0 ] || [ $rc = 3 ] || fail "vpnlab fail $1 exited $rc"
  expect '.probes.a_to_b.sent > 1000 and .probes.b_to_a.sent > 1000' "$1: the probe stream did not run"
  grep -q '</svg>' "$work/r.svg" || fail "$1: no SVG timeline written"
  [ $rc = 3 ] && { expect '.recovery.recovered == false' "$1: exit 3 but the report says recovered"; }
  return 0
}
# Detection by one of the named mechanisms, within `bound` cloud seconds after the fault.
detected_by() {  # regex, bound (cloud s)
  local ms; ms=$(awk -v s="$2" -v f="$TF" 'BEGIN { print s * f * 1000 }')
  expect ".detection.mechanism | test(\"$1\")" "$target: not detected by $1"
  expect ".detection.at_ms >= 0 and .detection.at_ms <= $ms" "$target: detected later than $2 s x $TF"
}
# Recovered, or the report names each tunnel/session still down and, for tunnels, why.
recovered_or_explained() {
  expect '.recovery.checked' "$target: recovery not measured"
  if jq -e '.recovery.recovered' "$work/r.json" >/dev/null; then
    expect '.recovery.after_heal_ms >= 0' "$target: recovered before the heal?"
    echo "ok: $target: all back $(jq '.recovery.after_heal_ms | floor' "$work/r.json") ms after the heal"
  else
    expect '.recovery.not_back | length > 0' "$target: not recovered but nothing named"
    expect '[.recovery.not_back[] | select(.what == "tunnel DOWN" and .node == "aws-vgw" and .last_error == "")] | length == 0' \
      "$target: an AWS tunnel that did not come back has no last error"
    echo "ok: $target: not back within the wait, explained: $(jq -c '[.recovery.not_back[] | select(.what == "tunnel DOWN") | "\(.node) \(.object): \(.last_error)"] | unique' "$work/r.json")"
  fi
}

run "$VPNLAB" up "$work/lab.yaml" || fail "up"
expect_transport "$ESP_TRANSPORT"
converged || fail "lab not ready"
mend "up"
FOR=$(lab_s 60)   # a minute of cloud time: longer than DPD (30/45 s) and BGP hold (30 s)

if [ "$PART" = a ]; then
  target=crash:azure-gw0
  drill $target --for "$FOR"
  # The far end finds a crashed instance by its own timers (no DELETE, no NOTIFICATION).
  detected_by "DPD|BGP hold timer|IKE retransmission" 60
  expect '.detection.node == "aws-vgw"' "$target: detected by $(jq -r .detection.node "$work/r.json"), not the AWS end"
  expect '.events[] | select(.kind == "heal") | .detail | test("restarted azure-gw0")' "$target: heal did not restart the gateway"
  expect ".outage_ms <= ($FOR + $(lab_s 90) + 5) * 1000" "$target: outage beyond the fault and the wait"
  expect '[.documented[] | select(.seconds == 30)] | length >= 1' "$target: no documented figure"
  recovered_or_explained
  mend $target

  target=maintenance:azure-gw1
  drill $target --for "$(lab_s 20)"
  # Graceful: the AWS end learns it from the instance itself at once (DELETE / Cease).
  detected_by "IKE DELETE|Cease" 10
  expect '.detection.node == "aws-vgw"' "$target: not detected at the AWS end"
  recovered_or_explained
  mend $target

  target=replace:aws0t1
  drill $target --for "$(lab_s 20)"
  detected_by "IKE DELETE|Cease" 10
  expect '.detection.node == "azure-gw0" and .detection.object != "aws1t1"' "$target: not detected by the Azure end of aws0t1"
  # The new endpoint initiates (startup_action start): the tunnel and its session come back.
  expect '.recovery.recovered' "$target: aws0t1 did not come back after the endpoint replacement"
  recovered_or_explained
  mend $target
else
  target=hang:aws-vgw
  drill $target --for "$FOR"
  detected_by "BGP hold timer|DPD|IKE retransmission" 60
  expect '.detection.node | startswith("azure-gw")' "$target: not detected by an Azure instance"
  # Every tunnel ends at the hung gateway: both directions lose probes, within the fault's
  # time plus the wait (and the second of traffic the drill adds after it).
  expect '.probes.a_to_b.lost > 0 and .probes.b_to_a.lost > 0' "$target: no probe lost with the only AWS gateway hung"
  expect ".outage_ms <= ($FOR + $(lab_s 90) + 5) * 1000" "$target: outage beyond the fault and the wait"
  recovered_or_explained
  mend $target

  target=bgp-reset:aws0t1
  drill $target
  detected_by "Cease/Administrative Reset" 10
  expect '.detection.node == "azure-gw0"' "$target: the Azure end did not see the reset"
  expect '.recovery.recovered' "$target: the session did not come back by the FSM"
  expect '[.events[] | select(.kind == "tunnel down")] | length == 0' "$target: a tunnel went down on a BGP reset"
  echo "ok: $target: back $(jq '.recovery.after_fault_ms | floor' "$work/r.json") ms after the reset"
  mend $target

  target=path:aws0t1
  drill $target --down --for "$FOR"
  detected_by "DPD|BGP hold timer|IKE retransmission" 60
  expect '.impairment | test("down")' "$target: report does not say the path was down"
  recovered_or_explained
  ip netns exec "$LAB-internet" nft list tables | grep -q vpnlab_drill && fail "$target: nft table left after --for"
  mend $target

  # Left in place: recorded, visible on the router, undone by heal.
  target="path:aws0t1 --loss 5% --rate 100mbit"
  drill path:aws0t1 --loss 5% --rate 100mbit --wait 1
  expect '.recovery.checked == false' "$target: recovery measured without --for"
  ip netns exec "$LAB-internet" nft list table ip vpnlab_drill_aws0t1 | grep -q "numgen random mod 10000 < 500" || fail "$target: no loss rule on the router"
  tc -n "$LAB-internet" class show dev aws-vgw | grep -q "rate 100Mbit" || fail "$target: no 100 Mbit/s class toward AWS"
  grep -q '"target": "path:aws0t1"' "/run/vpnlab/$LAB/faults.json" || fail "$target: fault not recorded"
  "$VPNLAB" fail path:aws1t1 --down "$work/lab.yaml" >"$work/second.txt" 2>&1 && fail "a second path impairment was accepted"
  grep -q "heal first" "$work/second.txt" || fail "second impairment refused without saying why: $(cat "$work/second.txt")"
  run "$VPNLAB" heal "$work/lab.yaml" --report "$work/r.json" || fail "heal"
  expect '.command == "heal" and .recovery.recovered' "heal: the lab is not all back"
  ip netns exec "$LAB-internet" nft list tables | grep -q vpnlab_drill && fail "heal left the nft table"
  tc -n "$LAB-internet" class show dev aws-vgw | grep -q htb && fail "heal left the tc classes"
  [ -f "/run/vpnlab/$LAB/faults.json" ] && fail "heal left the fault record"
  "$VPNLAB" heal "$work/lab.yaml" >/dev/null 2>&1 && fail "heal with nothing in place succeeded"
  echo "ok: path impairment left in place, shown on the router, healed"

  # Delay needs sch_netem: applied where the kernel has it, refused by name where not.
  if "$VPNLAB" fail path:aws0t2 --delay 150ms --jitter 20ms --for 0.5 "$work/lab.yaml" --report "$work/r.json" >"$work/delay.txt" 2>&1; then
    expect '.impairment | test("delay 150 ms")' "delay: report does not name the delay"
    echo "ok: delay applied with netem"
  else
    grep -q "sch_netem" "$work/delay.txt" || fail "delay failed without naming sch_netem: $(cat "$work/delay.txt")"
    tc -n "$LAB-internet" qdisc show dev aws-vgw | grep -q htb && fail "a failed delay left its qdisc"
    echo "ok: this kernel has no sch_netem; --delay refused by name, nothing left behind"
  fi
fi

run "$VPNLAB" down "$work/lab.yaml" || fail "down"
left=$(ip netns list | grep -c "^$LAB-")
[ "$left" = 0 ] || fail "$left namespaces left behind"
echo "PASS"

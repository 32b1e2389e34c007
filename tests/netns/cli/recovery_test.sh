#!/usr/bin/env bash
# Scenario (issue 11, "Faithful recovery, explained"): kill -9 of Azure instance 0's gateway
# (by the PID the lab recorded), then `vpnlab up --wait` restarts it.
#   deadlock  the reference lab (AWS dpd_timeout_action clear, Azure ResponderOnly): validate
#             warns before up; up --wait stops early (exit 4) naming aws0t1/aws0t2 and the
#             reason; the AWS end's DPD does clear the two tunnels and nobody re-initiates
#             (reproduced, not fixed); status says under each down tunnel that it will not come
#             back and what would change that (and --json carries it); instance 1 keeps its
#             tunnels and the VNet VM still reaches the VPC host through it.
#   restart   the same lab with dpd_timeout_action: restart on the four AWS tunnels: validate is
#             clean; after the same crash up --wait converges by itself (all four tunnels and BGP
#             sessions back) and the VNet VM reaches the VPC host.
# Time factor 0.2 (AWS DPD 6 s, Azure DPD 9 s); every bound below is generous and scaled by
# it. The lab is named rc<pid><variant>; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
VARIANT=$2
LAB=rc$$${VARIANT:0:1}
FACTOR=0.2
work=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
run() { echo "+ $*"; "$@"; }
trap lab_cleanup EXIT
# Seconds of lab time scaled by the time factor, rounded up.
scaled() { awk -v s="$1" -v f="$FACTOR" 'BEGIN { v = s * f; printf "%d", (v == int(v)) ? v : int(v) + 1 }'; }

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: $FACTOR/" >"$work/lab.yaml"
if [ "$VARIANT" = restart ]; then
  sed -i 's/^          startup_action: start$/&\n          dpd_timeout_action: restart/' "$work/lab.yaml"
  [ "$(grep -c 'dpd_timeout_action: restart' "$work/lab.yaml")" = 4 ] || fail "could not make the test lab"
fi

# --- validate predicts it before up
"$VPNLAB" validate "$work/lab.yaml" >"$work/validate.out" 2>&1 || { cat "$work/validate.out"; fail "the lab should validate"; }
cat "$work/validate.out"
warnings=$(grep -c "warning: aws.vpn_connections\[[01]\].tunnels\[[01]\].dpd_timeout_action: .* will not come back by itself" "$work/validate.out")
if [ "$VARIANT" = deadlock ]; then
  [ "$warnings" = 4 ] || fail "validate: want 4 recovery warnings, got $warnings"
  grep -q "set dpd_timeout_action: restart on AWS tunnel ToAzureInstance0.tunnel1, or connection_mode: Default on Azure connection AWSTunnel1ToInstance0" "$work/validate.out" ||
    fail "validate does not name the fix"
else
  [ "$warnings" = 0 ] || fail "validate: a lab with dpd_timeout_action restart recovers; got $warnings warnings"
fi

run "$VPNLAB" up "$work/lab.yaml" --wait 60 >"$work/up1.out" 2>&1 || { cat "$work/up1.out"; fail "the lab did not converge"; }

# --- the crash: SIGKILL of the PID the lab recorded for azure-gw0 (no DELETE reaches AWS)
pid=$(cat "/run/vpnlab/$LAB/azure-gw0.pid")
tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "vpnlab" || fail "recorded PID $pid is not a vpnlab gateway"
run kill -9 "$pid"
for i in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done

start=$(date +%s)
"$VPNLAB" up "$work/lab.yaml" --wait 90 >"$work/up2.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
cat "$work/up2.out"
grep -qE "gateway azure-gw0 +pid [0-9]+ +started" "$work/up2.out" || fail "up did not restart azure-gw0"
grep -qE "gateway azure-gw1 +pid [0-9]+ +\(already running, kept\)" "$work/up2.out" || fail "up should keep azure-gw1"
newpid=$(cat "/run/vpnlab/$LAB/azure-gw0.pid")
[ "$newpid" != "$pid" ] || fail "azure-gw0's recorded PID did not change"

ping_vpc() {
  for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
  run ip netns exec "$LAB-vnet-vm" ping -c3 -W1 10.2.0.4
}

if [ "$VARIANT" = restart ]; then
  [ $rc = 0 ] || fail "up --wait exit status $rc: the lab should recover by itself"
  grep -q "lab converged" "$work/up2.out" || fail "up did not report convergence"
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" || fail "status failed"
  jq -e '[.aws.VpnConnections[].VgwTelemetry[] | select(.Status == "UP" and .StatusMessage == "1 BGP ROUTES")] | length == 4' "$work/status.json" >/dev/null ||
    { jq .aws "$work/status.json"; fail "not all four AWS tunnels are UP with their BGP route"; }
  jq -e '[.azure.bgpPeerStatus[] | select(.state == "Connected")] | length == 4' "$work/status.json" >/dev/null ||
    fail "not all four BGP sessions are Connected"
  jq -e '[.recovery[] | select(.will_come_back == false)] | length == 0' "$work/status.json" >/dev/null ||
    fail "status marks a tunnel as not coming back"
  # The AWS end's DPD declared the dead instance's peer dead and re-initiated (restart).
  jq -e '[.gateways["aws-vgw"].tunnels[] | select(.device == "aws0t1" or .device == "aws0t2") | .ike_sas[] | select(.state == "ESTABLISHED" and .role == "initiator")] | length == 2' "$work/status.json" >/dev/null ||
    { jq '.gateways["aws-vgw"].tunnels' "$work/status.json"; fail "the AWS end should have re-initiated aws0t1 and aws0t2"; }
  ping_vpc || fail "VNet VM cannot reach the VPC host after recovery"
  echo "PASS: dpd_timeout_action restart recovers from an Azure instance crash by itself ($took s)"
  exit 0
fi

# --- deadlock: up stops early and names it
[ $rc = 4 ] || fail "up --wait exit status $rc, want 4"
grep -q "lab cannot converge" "$work/up2.out" || fail "up did not say the lab cannot converge"
grep -q "not converged after" "$work/up2.out" && fail "up waited out --wait instead"
for dev in aws0t1 aws0t2; do
  grep -q "$dev (ToAzureInstance0.tunnel[12], AWSTunnel[12]ToInstance0 on azure-gw0): will not come back by itself: AWS dpd_timeout_action clear" "$work/up2.out" ||
    fail "up did not name $dev and the reason"
done
grep -q "Azure connection AWSTunnel1ToInstance0 is ResponderOnly" "$work/up2.out" || fail "up did not name ResponderOnly"
grep -q "to change that: set dpd_timeout_action: restart on AWS tunnel ToAzureInstance0.tunnel1" "$work/up2.out" || fail "up did not name the fix"
sed -n '/lab cannot converge/,$p' "$work/up2.out" | grep -qE "aws1t[12]" && fail "up blames instance 1's tunnels"

# Faithful: the AWS end's DPD (6 s here) clears the two tunnels and nobody re-initiates. Wait
# until the AWS console shows both DOWN, then longer than both clouds' DPD and an IKE retransmit
# give-up, and they must still be down.
down_both='[.aws.VpnConnections[0].VgwTelemetry[] | select(.Status == "DOWN")] | length == 2'
for i in $(seq $((5 * $(scaled 60)))); do
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
  jq -e "$down_both" "$work/status.json" >/dev/null && break
  sleep 0.2
done
jq -e "$down_both" "$work/status.json" >/dev/null || { jq .aws "$work/status.json"; fail "the AWS end did not clear aws0t1/aws0t2 after DPD"; }
jq -e '.aws.VpnConnections[0].VgwTelemetry[0].LastError | test("dead peer detection")' "$work/status.json" >/dev/null ||
  fail "the AWS end's last error should name dead peer detection"
sleep "$(scaled 60)"
"$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" || fail "status failed"
jq -e "$down_both" "$work/status.json" >/dev/null || fail "aws0t1/aws0t2 came back: nobody should re-initiate"
jq -e '[.aws.VpnConnections[1].VgwTelemetry[] | select(.Status == "UP")] | length == 2' "$work/status.json" >/dev/null ||
  fail "instance 1 should keep its two tunnels"
jq -e '[.recovery[] | select(.will_come_back == false) | .device] == ["aws0t1", "aws0t2"]' "$work/status.json" >/dev/null ||
  { jq .recovery "$work/status.json"; fail "status --json should mark exactly aws0t1 and aws0t2 as not coming back"; }
jq -e '.recovery[0].after.azure_instance_restart.comes_back == false and .recovery[0].after.aws_endpoint_restart.comes_back == true' "$work/status.json" >/dev/null ||
  fail "status --json lacks the per-event analysis"

"$VPNLAB" status "$work/lab.yaml" --sas >"$work/status.txt" 2>&1
cat "$work/status.txt"
# Under the two Azure connections, the two AWS tunnel rows and the two tunnels on each end.
n=$(grep -c "will not come back by itself: AWS dpd_timeout_action clear" "$work/status.txt")
[ "$n" = 8 ] || fail "status: want the note under 8 rows (2 connections, 2 AWS tunnels, 4 tunnel ends), got $n"
grep -q "to change that: set dpd_timeout_action: restart on AWS tunnel ToAzureInstance0.tunnel2, or connection_mode: Default on Azure connection AWSTunnel2ToInstance0" "$work/status.txt" ||
  fail "status does not say what would change that"

# Instance failover: the surviving instance carries the VNet's traffic.
ping_vpc || fail "VNet VM cannot reach the VPC host through instance 1"
echo "PASS: deadlock reproduced and explained; up --wait stopped after $took s"

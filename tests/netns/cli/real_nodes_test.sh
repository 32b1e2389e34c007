#!/usr/bin/env bash
# Scenario (issue 10, "Done when"): the reference lab with gateway nodes run by real software,
# driven through the vpnlab CLI.
#   VARIANT=frr:  azure-gw0, azure-gw1 = charon (kernel-libipsec) + FRR bgpd; aws-vgw = vpnlab
#   VARIANT=bird: aws-vgw = charon + BIRD; azure-gw0/1 = vpnlab
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels (ESP in UDP), BGP== aws-vgw -- vpc-host
#
# up --wait -> 4 connections Connected, 4 BGP peers Connected, 4 AWS tunnels UP "1 BGP ROUTES"
# (both consoles, the real nodes read from charon over vici and from bgpd/BIRD) -> VM reaches
# the VPC host -> status --sas lists charon's IKE_SAs -> drill: aws0t1 down and up on both
# ends -> no PSK in status or logs -> down stops charon and the routing daemons by PID and
# leaves no namespace or process. The lab is named vpnlab-t-<pid>; cleanup runs on every exit.
set -u
VPNLAB=$1
VARIANT=${2:-frr}
LAB=vpnlab-t-$$
RUN=/run/vpnlab/$LAB
work=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
# A process of this lab: its command line or environment names the lab's run directory.
ours() { { tr '\0' '\n' <"/proc/$1/cmdline"; tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -q "^.*$RUN/"; }
cleanup() {
  "$VPNLAB" down "$work/lab.yaml" >/dev/null 2>&1
  for f in "$RUN"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    ours "$pid" && kill -9 "$pid" 2>/dev/null
  done
  rm -rf "$RUN"
  for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB-"); do ip netns del "$ns"; done
  rm -rf "$work"
}
trap cleanup EXIT
run() { echo "+ $*"; "$@"; }
for bin in /usr/lib/ipsec/charon /usr/sbin/swanctl /usr/lib/frr/bgpd /usr/sbin/bird; do
  [ -x "$bin" ] || fail "$bin is not installed (scripts/install-deps.sh)"
done

case $VARIANT in
  frr) nodes='    azure-gw0: {implementation: strongswan+frr}\n    azure-gw1: {implementation: strongswan+frr}'; real="azure-gw0 azure-gw1" ;;
  bird) nodes='    aws-vgw: {implementation: strongswan+bird}'; real="aws-vgw" ;;
  *) fail "variant must be frr or bird" ;;
esac
"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.2\n  nodes:\n$nodes/" >"$work/lab.yaml"
grep -q "implementation: strongswan" "$work/lab.yaml" || fail "could not make the test lab"

run "$VPNLAB" up "$work/lab.yaml" --wait 60 | tee "$work/up.txt" || fail "up did not converge"
grep -q "note: kernel-libipsec has one ipsec0 device" "$work/up.txt" || fail "up does not say which selectors it chose"
for n in $real; do
  grep -qE "gateway $n +strongswan\+$VARIANT +charon pid [0-9]+ +(bgpd|bird) pid [0-9]+" "$work/up.txt" ||
    fail "up does not report charon and the routing daemon of $n"
done

"$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" || fail "status --json"
c=$(jq '[.azure.connections[] | select(.connectionStatus == "Connected")] | length' "$work/status.json")
p=$(jq '[.azure.bgpPeerStatus[] | select(.state == "Connected" and .routesReceived == 1)] | length' "$work/status.json")
r=$(jq '[.aws.VpnConnections[].VgwTelemetry[] | select(.Status == "UP" and .StatusMessage == "1 BGP ROUTES")] | length' "$work/status.json")
[ "$c/$p/$r" = 4/4/4 ] || { jq . "$work/status.json"; fail "connections $c, BGP peers $p, AWS tunnels with routes $r (want 4/4/4)"; }
echo "ok: 4 connections Connected, 4 BGP peers Connected with a route, 4 AWS tunnels UP with 1 BGP route"
for n in $real; do
  k=$(jq --arg n "$n" '[.gateways[$n].tunnels[] | select(.status == "UP" and .implementation == "strongswan")
        | .ike_sas[] | select(.state == "ESTABLISHED") | .child_sas[] | select(.state == "INSTALLED")] | length' "$work/status.json")
  [ "$k" -ge 2 ] || { jq --arg n "$n" '.gateways[$n]' "$work/status.json"; fail "$n: charon's SAs not in status"; }
done
run "$VPNLAB" status "$work/lab.yaml" | grep -E "Connected|UP" | head -12

for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
run ip netns exec "$LAB-vnet-vm" ping -c3 -W1 10.2.0.4 || fail "VNet VM cannot reach the VPC host"
run ip netns exec "$LAB-vpc-host" ping -c3 -W1 10.1.0.4 || fail "VPC host cannot reach the VNet VM"

"$VPNLAB" status "$work/lab.yaml" --sas >"$work/sas.txt"
[ "$(grep -c 'IKE_SA ESTABLISHED' "$work/sas.txt")" -ge 8 ] || { cat "$work/sas.txt"; fail "status --sas lists fewer than 8 established IKE_SAs"; }
echo "ok: status --sas lists both ends' IKE_SAs"

# Drill on a tunnel with a real end: charon terminates / the initiator brings it back.
run "$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" || fail "tunnel down"
down=0
for i in $(seq 50); do
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json"
  jq -e '.aws.VpnConnections[0].VgwTelemetry[0].Status == "DOWN" and .azure.connections[0].connectionStatus == "NotConnected"' \
    "$work/status.json" >/dev/null && { down=1; break; }
  sleep 0.2
done
[ $down = 1 ] || fail "aws0t1 not DOWN / NotConnected on both consoles after the drill"
run ip netns exec "$LAB-vnet-vm" ping -c2 -W1 10.2.0.4 || fail "traffic should survive one tunnel down"
run "$VPNLAB" tunnel up aws0t1 "$work/lab.yaml" || fail "tunnel up"
back=0
for i in $(seq 100); do
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
  jq -e '.aws.VpnConnections[0].VgwTelemetry[0].StatusMessage == "1 BGP ROUTES"' "$work/status.json" >/dev/null && { back=1; break; }
  sleep 0.2
done
[ $back = 1 ] || fail "tunnel aws0t1 did not come back with its BGP route"
echo "ok: drill down/up on aws0t1"

for psk in $(grep -oE "(shared_key|pre_shared_key): [^ ]+" "$work/lab.yaml" | awk '{print $2}' | sort -u); do
  grep -qF "$psk" "$work/status.json" "$work/sas.txt" && fail "a PSK appears in status"
  grep -qF "$psk" "$RUN"/*.log "$RUN"/*.out 2>/dev/null && fail "a PSK appears in a log under $RUN"
done
[ "$(stat -c %a "$RUN/${real%% *}.swanctl.conf")" = 600 ] || fail "swanctl.conf (PSKs) is not 0600"
echo "ok: no PSK in status or logs; swanctl.conf 0600"

pids=$(cat "$RUN"/*.pid 2>/dev/null)
run "$VPNLAB" down "$work/lab.yaml" || fail "down"
left=$(ip netns list | grep -c "^$LAB-")
[ "$left" = 0 ] || fail "$left namespaces left behind"
for pid in $pids; do
  [ -e "/proc/$pid" ] && grep -qv Z "/proc/$pid/stat" 2>/dev/null && ours "$pid" && fail "process $pid left behind"
done
echo "PASS"

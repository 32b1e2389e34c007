#!/usr/bin/env bash
# Scenario: the whole reference lab, driven through the vpnlab CLI as a user would, with
# KEYING=ike (IKEv2 with the PSKs, the default) or KEYING=manual (SAs derived from the PSKs),
# and ESP_TRANSPORT=raw_socket (default) or af_packet (lab.esp_transport: the raw ESP between
# the clouds on packet sockets; then status must say so on every gateway, and their ESP must
# have crossed the packet sockets; that lab is named vpnlab-r-<pid>).
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels, BGP== aws-vgw -- vpc-host
#
# up -> 4 connections Connected, 4 BGP peers Connected, every AWS tunnel UP "1 BGP ROUTES"
# -> VM reaches the VPC host -> drill: tunnel aws0t1 down (DOWN / IPSEC IS DOWN / NotConnected,
# traffic still flows over the other tunnels) -> up again -> down leaves no namespace or
# process behind. The lab is named vpnlab-t-<pid>; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
KEYING=${2:-ike}
ESP_TRANSPORT=${3:-raw_socket}
LAB=vpnlab-t-$$
[ "$ESP_TRANSPORT" = raw_socket ] || LAB=vpnlab-r-$$
work=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
trap lab_cleanup EXIT
run() { echo "+ $*"; "$@"; }

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.2\n  keying: $KEYING\n  esp_transport: $ESP_TRANSPORT/" >"$work/lab.yaml"
grep -q "keying: $KEYING" "$work/lab.yaml" || fail "could not make the test lab"

run "$VPNLAB" up "$work/lab.yaml" || fail "up"
ready=0
for i in $(seq 100); do
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
  c=$(jq '[.azure.connections[] | select(.connectionStatus == "Connected")] | length' "$work/status.json")
  p=$(jq '[.azure.bgpPeerStatus[] | select(.state == "Connected")] | length' "$work/status.json")
  r=$(jq '[.aws.VpnConnections[].VgwTelemetry[] | select(.StatusMessage == "1 BGP ROUTES")] | length' "$work/status.json")
  if [ "$c" = 4 ] && [ "$p" = 4 ] && [ "$r" = 4 ]; then ready=1; break; fi
  sleep 0.2
done
[ $ready = 1 ] || { jq . "$work/status.json"; fail "lab not ready: connections $c, BGP peers $p, AWS tunnels with routes $r"; }
echo "ok: 4 connections Connected, 4 BGP peers Connected, 4 AWS tunnels UP with 1 BGP route"
run "$VPNLAB" status "$work/lab.yaml" | grep -E "Connected|UP" | head -20

# Route propagation, then real traffic VNet VM -> VPC host through the tunnels.
for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
run ip netns exec "$LAB-vnet-vm" ping -c3 -W1 10.2.0.4 || fail "VNet VM cannot reach the VPC host"
jq -e '[.azure.connections[].egressBytesTransferred] | add > 0' "$work/status.json" >/dev/null || fail "no egress bytes counted"

# SA status (IKE keying): on every gateway every tunnel has one ESTABLISHED IKE_SA whose
# CHILD_SA carried the pings, with its established time and rekey countdowns; the CHILD_SA's
# inbound SPI on one end is the outbound SPI on the other.
"$VPNLAB" status "$work/lab.yaml" --json >"$work/status-all.json"
if [ "$KEYING" = ike ]; then
  n=$(jq '[.gateways[].tunnels[] | select(.ike_sas | length == 1) | .ike_sas[0]
          | select(.state == "ESTABLISHED" and (.established | type == "string") and .rekey_in_s > 0)
          | .child_sas[] | select(.state == "INSTALLED" and .outbound_active and .rekey_in_s > 0
                                  and .in.packets > 0 and .out.packets > 0)] | length' "$work/status-all.json")
  [ "$n" = 8 ] || { jq '.gateways' "$work/status-all.json"; fail "expected 8 tunnel ends with an established IKE_SA and a used CHILD_SA, got $n"; }
  unmatched=$(jq '[.gateways[].tunnels[].ike_sas[].child_sas[]] as $c
                  | [$c[] | .spi_out as $o | select([$c[] | select(.spi_in == $o)] | length != 1)] | length' "$work/status-all.json")
  [ "$unmatched" = 0 ] || fail "$unmatched CHILD_SA outbound SPIs have no matching inbound SPI on the other end"
  "$VPNLAB" status "$work/lab.yaml" --sas >"$work/sas.txt"
  [ "$(grep -c 'IKE_SA ESTABLISHED' "$work/sas.txt")" = 8 ] || { cat "$work/sas.txt"; fail "status --sas does not list 8 established IKE_SAs"; }
  echo "ok: 8 IKE_SAs established with used CHILD_SAs, SPIs paired across ends"
fi

# Which raw ESP path each gateway runs, in --json and in the human status.
n=$(gateways_on_transport "$ESP_TRANSPORT" "$work/status-all.json")
[ "$n" = 3 ] || { jq '.esp_transport' "$work/status-all.json"; fail "expected 3 gateways on $ESP_TRANSPORT, got $n"; }
"$VPNLAB" status "$work/lab.yaml" >"$work/status.txt"
shown=$ESP_TRANSPORT; [ "$shown" = raw_socket ] && shown="raw socket"
grep -E "^ESP transport \(raw ESP between the clouds\): .*aws-vgw $shown" "$work/status.txt" ||
  { cat "$work/status.txt"; fail "status does not name the ESP transport"; }
if [ "$ESP_TRANSPORT" = af_packet ]; then
  rx=$(jq '.gateways["aws-vgw"].counters.dataplane["dp.af_packet.rx.frames"] // 0' "$work/status-all.json")
  tx=$(jq '.gateways["aws-vgw"].counters.dataplane["dp.af_packet.tx.frames"] // 0' "$work/status-all.json")
  [ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] || fail "aws-vgw's packet sockets carried nothing (rx $rx, tx $tx)"
  ip netns exec "$LAB-aws-vgw" nft list table netdev vpnlab_esp | grep -q "ip protocol esp counter" ||
    fail "no ESP ingress drop in aws-vgw's namespace"
  echo "ok: every gateway on af_packet; aws-vgw's packet sockets received $rx and sent $tx ESP packets"
fi

# Secrets: no PSK in the status document or in any gateway's or the supervisor's log.
for psk in $(grep -oE "(shared_key|pre_shared_key): [^ ]+" "$work/lab.yaml" | awk '{print $2}' | sort -u); do
  grep -qF "$psk" "$work/status-all.json" && fail "a PSK appears in vpnlab status --json"
  [ -f "$work/sas.txt" ] && grep -qF "$psk" "$work/sas.txt" && fail "a PSK appears in vpnlab status --sas"
  grep -qF "$psk" /run/vpnlab/$LAB/*.log && fail "a PSK appears in a log under /run/vpnlab/$LAB"
done
echo "ok: no PSK in status or logs"

# Drill: one tunnel down on both ends.
run "$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" || fail "tunnel down"
"$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json"
jq -e '.aws.VpnConnections[0].VgwTelemetry[0] | .Status == "DOWN" and .StatusMessage == "IPSEC IS DOWN"' "$work/status.json" >/dev/null ||
  fail "AWS console does not show tunnel 1 DOWN"
jq -e '.azure.connections[0].connectionStatus == "NotConnected"' "$work/status.json" >/dev/null ||
  fail "Azure console does not show AWSTunnel1ToInstance0 NotConnected"
for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
run ip netns exec "$LAB-vnet-vm" ping -c3 -W1 10.2.0.4 || fail "active/active: traffic should survive one tunnel down"
run "$VPNLAB" tunnel up aws0t1 "$work/lab.yaml" || fail "tunnel up"
wait_aws0t1_route || fail "tunnel aws0t1 did not come back with its BGP route"
echo "ok: aws0t1 back UP with 1 BGP route"

run "$VPNLAB" down "$work/lab.yaml" || fail "down"
left=$(ip netns list | grep -c "^$LAB-")
[ "$left" = 0 ] || fail "$left namespaces left behind"
pgrep -f "vpnlab.*/run/vpnlab/$LAB/" >/dev/null && fail "gateway processes left behind"
echo "PASS"

#!/usr/bin/env bash
# Scenario: the pictures and the explained status of issue 11, on real labs.
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels, BGP== aws-vgw -- vpc-host
#
# 1. The reference lab at time factor 0.2: `vpnlab graph -o lab.svg` is valid SVG (xmllint)
#    naming the four tunnels; `tunnel down aws0t1` shows in the DOT as DOWN on both ends with
#    the down colour, the other tunnels up; `status --sas` lists drops by reason;
#    `status --watch` redraws frames and keeps going while azure-gw1 is killed (shown as not
#    answering), and stops on SIGINT with status 0. Not running (after down): DOT all grey.
# 2. A lab whose VNet has 101 address prefixes: AWS accepts 100 per session, so the human
#    status shows the Cease / Maximum Number of Prefixes Reached last error on both consoles.
# Labs are named cs-t-<pid> and cs-p-<pid>; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
LAB=cs-t-$$
work=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
trap lab_cleanup EXIT
run() { echo "+ $*"; "$@"; }
UP='#2e7d32'
DOWN='#c62828'
GREY='#9e9e9e'

make_lab() {  # name, extra sed script
  "$VPNLAB" topology show --show-secrets |
    sed "s/^  name: vpnlab$/  name: $1/; s/^  time_factor: 1$/  time_factor: 0.2/" | sed "$2" >"$work/lab.yaml"
  grep -q "name: $1" "$work/lab.yaml" || fail "could not make the test lab $1"
}
# The DOT attribute line of one edge by its id.
edge() { grep "id=\"$1\"" "$work/lab.dot"; }

# ---- 1. the reference lab --------------------------------------------------------------
make_lab "$LAB" ""
run "$VPNLAB" up "$work/lab.yaml" --wait 60 >"$work/up.out" || { cat "$work/up.out"; fail "up --wait"; }

run "$VPNLAB" graph "$work/lab.yaml" -o "$work/lab.svg" || fail "graph -o svg"
xmllint --noout "$work/lab.svg" || fail "lab.svg is not well-formed XML"
grep -q '<svg' "$work/lab.svg" || fail "lab.svg has no <svg> element"
for t in aws0t1 aws0t2 aws1t1 aws1t2; do
  grep -q "id=\"tunnel_$t\"" "$work/lab.svg" || fail "lab.svg does not draw tunnel $t"
  grep -q "id=\"bgp_$t\"" "$work/lab.svg" || fail "lab.svg does not draw the BGP session over $t"
done
echo "ok: graph -o lab.svg is valid SVG with the four tunnels and four BGP sessions"

"$VPNLAB" graph "$work/lab.yaml" -o "$work/lab.dot" || fail "graph -o dot"
for t in aws0t1 aws0t2 aws1t1 aws1t2; do
  edge "tunnel_$t" | grep -q "color=\"$UP\"" || { edge "tunnel_$t"; fail "tunnel $t not drawn up"; }
  edge "bgp_$t" | grep -q "color=\"$UP\"" || { edge "bgp_$t"; fail "BGP over $t not drawn up"; }
done
grep -q "learned:.n10.2.0.0/16" "$work/lab.dot" || fail "no learned VPC route next to an Azure instance"
grep -q "learned:.n10.1.0.0/16" "$work/lab.dot" || fail "no learned VNet route next to the VGW"

run "$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" || fail "tunnel down"
for i in $(seq 50); do
  "$VPNLAB" graph "$work/lab.yaml" >"$work/lab.dot" || fail "graph (DOT on stdout)"
  edge tunnel_aws0t1 | grep -q "Azure DOWN / AWS DOWN" && break
  sleep 0.2
done
edge tunnel_aws0t1 | grep -q "color=\"$DOWN\"" || { edge tunnel_aws0t1; fail "aws0t1 not drawn down after tunnel down"; }
edge tunnel_aws0t1 | grep -q "Azure DOWN / AWS DOWN" || fail "aws0t1's label does not say DOWN on both ends"
edge tunnel_aws1t1 | grep -q "color=\"$UP\"" || fail "aws1t1 should still be up"
echo "ok: the downed tunnel shows in the DOT as DOWN (colour $DOWN), the others up"

"$VPNLAB" status "$work/lab.yaml" --sas >"$work/sas.txt"
grep -q "in .* packets (dropped [0-9]*: auth_failed [0-9]*, replay [0-9]*" "$work/sas.txt" ||
  { cat "$work/sas.txt"; fail "status --sas shows no inbound drops by reason"; }
grep -q "tunnel drops: " "$work/sas.txt" || fail "status --sas shows no tunnel drops line"
grep -q "drops before the SPI lookup: " "$work/sas.txt" || fail "status --sas shows no gateway drops line"
n=$("$VPNLAB" status "$work/lab.yaml" --json |
    jq '[.gateways[].tunnels[].ike_sas[].child_sas[] | select((.in.drops | length) == 14 and (.out.drops | length) == 14)] | length')
[ "$n" -ge 6 ] || fail "expected every CHILD_SA to carry its 14 drop reasons per direction, $n do"
echo "ok: status --sas shows drops by reason ($n CHILD_SAs carry all 14 reasons)"

# --watch while a gateway dies: frames go on, the gateway is shown as not answering.
"$VPNLAB" status "$work/lab.yaml" --watch --interval 0.5 >"$work/watch.out" 2>&1 &
watch_pid=$!
sleep 2
gw1=$(cat "/run/vpnlab/$LAB/azure-gw1.pid")
tr '\0' ' ' <"/proc/$gw1/cmdline" | grep -q vpnlab || fail "azure-gw1.pid does not name a vpnlab gateway"
run kill -9 "$gw1"
sleep 3
kill -0 "$watch_pid" || fail "status --watch exited when a gateway died"
kill -INT "$watch_pid"
wait "$watch_pid"
rc=$?
[ $rc = 0 ] || fail "status --watch exit status $rc on SIGINT, want 0"
frames=$(grep -c '^Every 0.5s: vpnlab status --watch' "$work/watch.out")
[ "$frames" -ge 4 ] || fail "status --watch drew $frames frames in 5 s"
grep -q "azure-gw1 NOT ANSWERING (down or restarting)" "$work/watch.out" ||
  fail "status --watch did not show the killed gateway as not answering"
grep -q "azure-gw0 answering" "$work/watch.out" || fail "status --watch lost the live gateways"
echo "ok: status --watch drew $frames frames, showed azure-gw1 not answering, stopped on SIGINT"

run "$VPNLAB" down "$work/lab.yaml" >/dev/null || fail "down"
"$VPNLAB" graph "$work/lab.yaml" >"$work/lab.dot" || fail "graph of a lab that is not running"
grep -q "not running: states unknown" "$work/lab.dot" || fail "graph does not say the lab is not running"
[ "$(grep -c "color=\"$GREY\"" "$work/lab.dot")" = 8 ] || fail "tunnels and sessions of a stopped lab are not all grey"
echo "ok: a lab that is not running is drawn grey"

# ---- 2. 101 VNet address prefixes: AWS's 100-prefix limit -------------------------------
LAB=cs-p-$$
extra=$(for i in $(seq 0 99); do printf ', 10.100.%d.0/24' "$i"; done)
make_lab "$LAB" "s|^    address_space: \[10.1.0.0/16\]$|    address_space: [10.1.0.0/16$extra]|"
grep -q "10.100.99.0/24" "$work/lab.yaml" || fail "could not give the VNet 101 prefixes"
run "$VPNLAB" up "$work/lab.yaml" >"$work/up.out" || { cat "$work/up.out"; fail "up (101 prefixes)"; }
want="Cease/Maximum Number of Prefixes Reached: more than 100 prefixes (sent; IPv4 unicast, upper bound 100)"
for i in $(seq 150); do
  "$VPNLAB" status "$work/lab.yaml" >"$work/status.txt" 2>&1
  grep -qF "BGP last error: $want" "$work/status.txt" &&
    grep -q "last error: Cease/Maximum Number of Prefixes Reached (received; IPv4 unicast, upper bound 100)" "$work/status.txt" && break
  sleep 0.2
done
cat "$work/status.txt"
grep -qF "BGP last error: $want" "$work/status.txt" || fail "the AWS console does not show the Cease it sent"
grep -q "last error: Cease/Maximum Number of Prefixes Reached (received; IPv4 unicast, upper bound 100)" "$work/status.txt" ||
  fail "the Azure BGP peer table does not show the Cease it received"
echo "PASS: graph, status --watch, drops by reason and the max-prefix last error"

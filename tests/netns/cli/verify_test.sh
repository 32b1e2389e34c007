#!/usr/bin/env bash
# Scenario: `vpnlab verify` on the reference lab (time factor 0.2) passes every check; then
# breaks it and checks that verify exits non-zero naming the failed check and its cause:
#  1. `vpnlab tunnel down aws0t1`: connection AWSTunnel1ToInstance0 and the AWS tunnel fail,
#     cause "taken down by a drill"; the other three paths still pass;
#  2. the same lab with route_propagation: false: the VPC route table and the VM -> host
#     traffic fail, cause "route propagation off";
#  3. a VNet with 101 address prefixes: the BGP checks fail, cause "over the prefix limit".
# (A PSK mismatch cannot be started: validate refuses it, so `up` does.) The labs are named
# vf<pid> and vf<pid>p; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
LAB=vf$$
work=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
work2=$(mktemp -d)
work3=$(mktemp -d)
# lab_cleanup (lab_env.sh) for each lab: the second runs with its own name and directory.
cleanup_both() {
  (LAB=${LAB}p; work=$work2; lab_cleanup)
  (LAB=${LAB}l; work=$work3; lab_cleanup)
  lab_cleanup
}
trap cleanup_both EXIT

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.2/" >"$work/lab.yaml"
grep -q "name: $LAB" "$work/lab.yaml" || fail "could not make the test lab"

# Waits until verify exits with $1 (route propagation follows convergence by a moment).
verify_until() {
  local want=$1 file=$2 rc=
  for i in $(seq 15); do
    "$VPNLAB" verify "$file" >"$work/verify.out" 2>&1
    rc=$?
    [ "$rc" = "$want" ] && return 0
    sleep 0.5
  done
  cat "$work/verify.out"
  fail "verify exit status $rc, want $want"
}

"$VPNLAB" up "$work/lab.yaml" --wait 60 >"$work/up.out" 2>&1 || { cat "$work/up.out"; fail "up"; }
verify_until 0 "$work/lab.yaml"
cat "$work/verify.out"
grep -q "FAIL" "$work/verify.out" && fail "verify passed but printed a FAIL"
[ "$(grep -c '^  PASS  tunnel .* carries 169.254' "$work/verify.out")" = 4 ] || fail "not 4 tunnel data-path checks"
[ "$(grep -c '^  PASS  path via azure-gw' "$work/verify.out")" = 4 ] || fail "not 4 VM -> host paths exercised"
# A loaded machine can drop a probe datagram between two runs (the probe's own receivers
# starve): like the text run above, the JSON run gets a few tries, and a failure shows why.
for i in 1 2 3; do
  "$VPNLAB" verify "$work/lab.yaml" --json >"$work/verify.json" && break
  jq -c '.checks[] | select(.result == "FAIL")' "$work/verify.json"
  [ "$i" = 3 ] && fail "verify --json exit status"
  sleep 0.5
done
jq -e '.ok == true and .failed == 0 and (.checks | length) > 20' "$work/verify.json" >/dev/null || fail "verify --json"
grep -q "vpnlab.Tunnel" "$work/verify.out" "$work/verify.json" && fail "a PSK in verify's output"
echo "ok: verify passes on the reference lab"

"$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" >/dev/null || fail "tunnel down"
verify_until 5 "$work/lab.yaml"
cat "$work/verify.out"
grep -q "FAIL  connection AWSTunnel1ToInstance0 Connected" "$work/verify.out" || fail "connection check not failed"
grep -q "FAIL  tunnel ToAzureInstance0.tunnel1 UP" "$work/verify.out" || fail "AWS tunnel check not failed"
grep -q "cause: taken down by a drill" "$work/verify.out" || fail "cause not named"
grep -q "PASS  VNet VM 10.1.0.4 pings VPC host 10.2.0.4" "$work/verify.out" || fail "traffic should still flow"
[ "$(grep -c '^  PASS  path via azure-gw' "$work/verify.out")" = 3 ] || fail "3 paths should remain"
echo "ok: verify names the drilled tunnel"
"$VPNLAB" down "$work/lab.yaml" >/dev/null || fail "down"

sed "s/^  name: $LAB$/  name: ${LAB}p/; s/route_propagation: true/route_propagation: false/" \
  "$work/lab.yaml" >"$work2/lab.yaml"
grep -q "route_propagation: false" "$work2/lab.yaml" || fail "could not make the second lab"
"$VPNLAB" up "$work2/lab.yaml" --wait 60 >"$work/up.out" 2>&1 || { cat "$work/up.out"; fail "up (2)"; }
verify_until 5 "$work2/lab.yaml"
# The VGW's routes need a moment to reach what verify expects: insist on the route check.
for i in $(seq 10); do
  grep -q "FAIL  VPC route table has the VGW's learned routes" "$work/verify.out" && break
  sleep 0.5; "$VPNLAB" verify "$work2/lab.yaml" >"$work/verify.out" 2>&1
done
cat "$work/verify.out"
grep -q "FAIL  VPC route table has the VGW's learned routes" "$work/verify.out" || fail "VPC route check not failed"
grep -q "cause: route propagation off" "$work/verify.out" || fail "cause not named"
grep -q "FAIL  VNet VM 10.1.0.4 pings VPC host 10.2.0.4" "$work/verify.out" || fail "VM ping should fail"
grep -q "PASS  connection AWSTunnel1ToInstance0 Connected" "$work/verify.out" || fail "tunnels should be up"
echo "ok: verify names route propagation off"
"$VPNLAB" down "$work2/lab.yaml" >/dev/null || fail "down (2)"

prefixes="10.1.0.0/16"
for i in $(seq 0 99); do prefixes="$prefixes, 10.3.$i.0/24"; done
sed "s/^  name: $LAB$/  name: ${LAB}l/; s|address_space: \[10.1.0.0/16\]|address_space: [$prefixes]|" \
  "$work/lab.yaml" >"$work3/lab.yaml"
"$VPNLAB" validate "$work3/lab.yaml" 2>&1 | grep -q "announce 101 prefixes" || fail "validate did not predict the limit"
"$VPNLAB" up "$work3/lab.yaml" >"$work/up.out" 2>&1 || { cat "$work/up.out"; fail "up (3)"; }
for i in $(seq 20); do
  "$VPNLAB" verify "$work3/lab.yaml" >"$work/verify.out" 2>&1
  rc=$?
  [ $rc = 5 ] && grep -q "cause: over the prefix limit" "$work/verify.out" && break
  sleep 0.5
done
grep -E "FAIL|cause" "$work/verify.out" | head -6
[ $rc = 5 ] || fail "verify exit status $rc on the prefix-limit lab, want 5"
grep -q "FAIL  BGP peer 169.254.21.1 (azure-gw0) Connected" "$work/verify.out" || fail "BGP check not failed"
grep -q "cause: over the prefix limit: .*Maximum Number of Prefixes Reached" "$work/verify.out" || fail "cause not named"
echo "PASS: verify passes on the reference lab and names tunnel down, route propagation off, the prefix limit"

#!/usr/bin/env bash
# Scenario: a lab whose two ends share no proposal (AWS tunnels restricted to AES128 / DH 14,
# the Azure connections on a custom GCMAES256 / ECP384 policy: issue 11's example). It
# validates, the tunnels are refused with NO_PROPOSAL_CHOSEN, and `vpnlab up --wait 60` stops
# as soon as that is known (exit 4, naming the tunnels and the error) instead of waiting out
# the minute. The lab is named vpnlab-t-<pid>; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
LAB=vpnlab-t-$$
work=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
trap lab_cleanup EXIT

policy='      ipsec_policy: {ike_encryption: GCMAES256, ike_integrity: GCMAES256, dh_group: ECP384, ipsec_encryption: GCMAES256, ipsec_integrity: GCMAES256, pfs_group: ECP384, sa_lifetime_seconds: 3600, sa_data_size_kilobytes: 102400000}'
aws='          phase1_encryption: [AES128]\n          phase2_encryption: [AES128]\n          phase1_dh_groups: [14]\n          phase2_dh_groups: [14]'
"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.2/" |
  sed "s/^      connection_mode: ResponderOnly$/&\n$policy/; s/^          startup_action: start$/&\n$aws/" >"$work/lab.yaml"
[ "$(grep -c ipsec_policy "$work/lab.yaml")" = 4 ] || fail "could not make the test lab (policy)"
[ "$(grep -c 'phase1_dh_groups: \[14\]' "$work/lab.yaml")" = 4 ] || fail "could not make the test lab (AWS)"
"$VPNLAB" validate "$work/lab.yaml" || fail "the lab should validate (the mismatch shows only at negotiation)"

start=$(date +%s)
"$VPNLAB" up "$work/lab.yaml" --wait 60 >"$work/up.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
cat "$work/up.out"
[ $rc = 4 ] || fail "up --wait exit status $rc, want 4"
grep -q "cannot converge" "$work/up.out" || fail "up did not say the lab cannot converge"
grep -q "NO_PROPOSAL_CHOSEN" "$work/up.out" || fail "up did not name NO_PROPOSAL_CHOSEN"
grep -qE "aws[01]t[12]" "$work/up.out" || fail "up did not name a tunnel"
grep -q "not converged after" "$work/up.out" && fail "up waited out --wait instead"
echo "PASS: up --wait stops at NO_PROPOSAL_CHOSEN after $took s"

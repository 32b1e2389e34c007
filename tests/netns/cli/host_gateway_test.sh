#!/usr/bin/env bash
# Scenario: a vpnlab gateway node on a host interface (README "A gateway on a real
# interface"), against strongSwan charon (kernel-libipsec) as the user's device:
#
#  [ns <t>-host: "the host"]                          [ns <t>-dev: the user's device]
#   vpnlab gateway --config aws.plan.yaml               charon, swanctl.conf written here
#   eth1 (no address: the gateway adds 192.0.2.10/24) ==veth== eth0 192.0.2.20/24
#   TUN aws0t1 169.254.21.1/30 ========= IKEv2 + ESP ========= ipsec0 169.254.21.2/30
#
# `ip netns exec <t>-host vpnlab gateway` is the host namespace from the gateway's point of
# view: no lab namespace exists. Checked: the plan printed by `topology plan --host-interface`,
# errors naming the field (no interface, address on another interface, a tunnel device name
# taken, a running gateway's socket, UDP 500 held by another process), an address already
# there kept on exit, a route via underlay.gateway, an added address kept when removing it
# would remove another's (Linux drops a primary's secondaries), the IKE_SA and CHILD_SA up on both ends,
# pings both ways through the tunnel, BGP with BIRD on the device (routes into the host's
# table, none that would replace its subnet or peer route), a clean SIGTERM exit that removes
# the address and peer route it added, no PSK in the gateway's output.
# Everything is named vpnlab-t-<pid>-*; processes are stopped by PID; cleanup on every exit.
set -u
umask 077  # plans and logs hold or may hold secrets: vpnlab gateway wants them root-only
VPNLAB=$1
CHARON=/usr/lib/ipsec/charon
if [ "$(id -u)" != 0 ] || [ ! -x $CHARON ] ||
  [ ! -f /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]; then
  echo "SKIP: needs root and strongSwan charon with kernel-libipsec"
  exit 77
fi
T=vpnlab-t-$$
HOST=$T-host DEV=$T-dev
work=$(mktemp -d)
pids=()
fail() {
  echo "FAIL: $*"
  for f in "$work"/gw*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
  exit 1
}
stop_pid() { # SIGTERM, then SIGKILL after ~2 s; only PIDs this script started
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  ip netns del "$HOST" 2>/dev/null
  ip netns del "$DEV" 2>/dev/null
  rm -f "/run/vpnlab-host/$T-aws-vgw.sock"
  rm -rf "$work"
}
trap cleanup EXIT
run() { echo "+ $*" >&2; "$@"; }
hns() { ip netns exec "$HOST" "$@"; }

# The two namespaces and the veth between them; the host's NIC has no address yet.
run ip netns add "$HOST" || fail "netns add"
run ip netns add "$DEV" || fail "netns add"
run ip -n "$HOST" link add eth1 type veth peer name eth0 netns "$DEV" || fail "veth"
for ns in "$HOST" "$DEV"; do ip -n "$ns" link set lo up; done
run ip -n "$DEV" addr add 192.0.2.20/24 dev eth0
run ip -n "$DEV" link set eth0 up
run ip -n "$HOST" link set eth1 up

# The plan: one AWS tunnel of the reference lab (renamed so the control socket is ours).
"$VPNLAB" topology show --show-secrets | sed "s/^  name: vpnlab$/  name: $T/" >"$work/lab.yaml"
plan() { "$VPNLAB" topology plan "$work/lab.yaml" --node aws-vgw "$@"; }
out=$(plan --host-interface eth1 --address 192.0.2.10/24 --peer-address 192.0.2.20 2>&1) &&
  fail "four tunnels between one address pair were accepted"
echo "$out" | grep -q "IKE cannot tell them apart" || fail "unclear error for four tunnels: $out"
run plan --tunnel aws0t1 --host-interface eth1 --address 192.0.2.10/24 --peer-address 192.0.2.20 \
  --show-secrets >"$work/aws.plan.yaml" || fail "topology plan --host-interface"
grep -q "^  host: eth1$" "$work/aws.plan.yaml" || fail "no underlay section in the plan"
psk=$(awk '/^    psk: /{print $2}' "$work/aws.plan.yaml")
[ -n "$psk" ] && [ "$psk" != "<redacted>" ] || fail "no PSK in the --show-secrets plan"
plan --tunnel aws0t1 --host-interface eth1 --address 192.0.2.10/24 --peer-address 192.0.2.20 |
  grep -qF "$psk" && fail "the PSK is printed without --show-secrets"
echo "ok: topology plan --host-interface"

# Errors that name the field, before anything starts.
expect_error() { # plan, expected text
  out=$(hns timeout 10 "$VPNLAB" gateway --config "$1" 2>&1) && fail "gateway started with $1"
  echo "$out" | grep -qF "$2" || fail "expected '$2', got: $out"
  echo "ok: refused: $(echo "$out" | grep -F "$2")"
}
sed "s/^  host: eth1$/  host: eth9/" "$work/aws.plan.yaml" >"$work/eth9.plan.yaml"
expect_error "$work/eth9.plan.yaml" "underlay.host: no interface 'eth9'"
run ip -n "$HOST" addr add 192.0.2.10/32 dev lo
expect_error "$work/aws.plan.yaml" "underlay.address: 192.0.2.10 is already on lo"
run ip -n "$HOST" addr del 192.0.2.10/32 dev lo
run ip -n "$HOST" tuntap add aws0t1 mode tun
expect_error "$work/aws.plan.yaml" "tunnels[0].device: an interface named aws0t1 exists already"
run ip -n "$HOST" link del aws0t1

# start_gateway PLAN LOG: `vpnlab gateway` in the host namespace (the background job is the
# gateway itself: ip netns exec execs it), then waits until its control socket answers.
start_gateway() {
  ip netns exec "$HOST" "$VPNLAB" gateway --config "$1" >"$2" 2>&1 &
  gw=$!
  pids+=("$gw")
  for _ in $(seq 100); do
    "$VPNLAB" gateway --config "$1" --status >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "no status from the gateway of $1"
}

# An address that was already on the interface is used and left there.
run ip -n "$HOST" addr add 192.0.2.10/24 dev eth1
start_gateway "$work/aws.plan.yaml" "$work/gw0.log"
expect_error "$work/aws.plan.yaml" "gateway aws-vgw of lab '$T' is running there already"
out=$(hns timeout 10 "$VPNLAB" gateway --config "$work/aws.plan.yaml" --socket "$work/other.sock" 2>&1) &&
  fail "a second gateway bound the first one's ports"
echo "$out" | grep -qF "is held by pid $gw (vpnlab)" || fail "port holder not named: $out"
echo "ok: refused: $out"
stop_pid "$gw"
ip -n "$HOST" -4 addr show dev eth1 | grep -q "192.0.2.10/24" ||
  fail "the gateway removed an address it did not add"
run ip -n "$HOST" addr del 192.0.2.10/24 dev eth1
echo "ok: an address already on the interface is kept"

# A peer off the subnet: a /32 route through underlay.gateway, added and removed again.
run plan --tunnel aws0t1 --host-interface eth1 --address 192.0.2.10/24 --gateway 192.0.2.1 \
  --peer-address 198.18.0.20 --show-secrets >"$work/routed.plan.yaml" || fail "routed plan"
start_gateway "$work/routed.plan.yaml" "$work/gw-routed.log"
ip -n "$HOST" route show 198.18.0.20/32 | grep -q "via 192.0.2.1 dev eth1" ||
  fail "no route to the peer through underlay.gateway: $(ip -n "$HOST" route)"
stop_pid "$gw"
[ -n "$(ip -n "$HOST" route show 198.18.0.20/32)" ] && fail "peer route left behind"
ip -n "$HOST" -4 addr show dev eth1 | grep -q "192.0.2.10" && fail "address left on eth1"
echo "ok: route to an off-subnet peer via underlay.gateway added and removed"

# An address someone adds to the subnet while the gateway runs is a secondary of ours; Linux
# would remove it with ours, so ours stays, with a warning.
start_gateway "$work/aws.plan.yaml" "$work/gw-secondary.log"
run ip -n "$HOST" addr add 192.0.2.12/24 dev eth1
stop_pid "$gw"
ip -n "$HOST" -4 addr show dev eth1 | grep -q "192.0.2.12/24" || fail "another's address went with ours"
grep -q "leaving 192.0.2.10/24 on eth1" "$work/gw-secondary.log" || fail "no warning for the kept address"
run ip -n "$HOST" addr del 192.0.2.12/24 dev eth1
run ip -n "$HOST" addr del 192.0.2.10/24 dev eth1
echo "ok: an added address whose removal would take another's along is left, with a warning"

# charon as the user's device: the Azure end of ToAzureInstance0.tunnel1, answering.
mkdir -p "$work/run"
cat >"$work/strongswan.conf" <<EOF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gmp kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = no
  plugins { vici { socket = unix://$work/charon.vici } }
  filelog { log { path = $work/charon.log
    default = 1
    ike = 2 } }
}
swanctl { socket = unix://$work/charon.vici }
EOF
cat >"$work/swanctl.conf" <<EOF
connections { aws { version = 2
  local_addrs = 192.0.2.20
  remote_addrs = 192.0.2.10
  proposals = aes256-sha256-modp2048
  local { auth = psk
    id = 192.0.2.20 }
  remote { auth = psk
    id = 192.0.2.10 }
  children { net { local_ts = 0.0.0.0/0
    remote_ts = 0.0.0.0/0
    esp_proposals = aes256-sha256-modp2048
    start_action = none } } } }
secrets { ike-aws { id-a = 192.0.2.10
  id-b = 192.0.2.20
  secret = "$psk" } }
EOF
chmod 600 "$work/swanctl.conf"
# A private /run for charon (its pid file), as tests/interop/ike/charon_peer.cpp does.
STRONGSWAN_CONF=$work/strongswan.conf ip netns exec "$DEV" unshare --mount --propagation private \
  sh -c 'mount --bind "$1" /run && exec "$2"' sh "$work/run" $CHARON >"$work/charon.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/charon.vici" ] && break; sleep 0.05; done
sw() { ip netns exec "$DEV" env STRONGSWAN_CONF="$work/strongswan.conf" swanctl "$@" --uri "unix://$work/charon.vici" 2>>"$work/swanctl.err"; }
sw --load-all --file "$work/swanctl.conf" >"$work/load.out" || fail "swanctl --load-all: $(cat "$work/load.out" "$work/swanctl.err")"
run ip -n "$DEV" link set ipsec0 up
run ip -n "$DEV" addr add 169.254.21.2/30 dev ipsec0

# The gateway on the bare interface: it adds 192.0.2.10/24 and initiates (AWS startup
# action start).
start_gateway "$work/aws.plan.yaml" "$work/gw1.log"
up=0
for _ in $(seq 150); do
  "$VPNLAB" gateway --config "$work/aws.plan.yaml" --status --json >"$work/status.json" 2>/dev/null &&
    jq -e '.tunnels[0].status == "UP"' "$work/status.json" >/dev/null && { up=1; break; }
  sleep 0.1
done
[ $up = 1 ] || { cat "$work/charon.log"; fail "tunnel not UP: $(cat "$work/status.json")"; }
ip -n "$HOST" -4 addr show dev eth1 | grep -q "192.0.2.10/24" || fail "address not added"
ip -n "$HOST" route show 192.0.2.20/32 | grep -q "dev eth1" || fail "no /32 route to the peer"
run "$VPNLAB" gateway --config "$work/aws.plan.yaml" --status
sas=$(sw --list-sas)
echo "$sas"
echo "$sas" | grep -q "ESTABLISHED" || fail "charon has no ESTABLISHED IKE_SA"
echo "$sas" | grep -q "INSTALLED" || fail "charon has no INSTALLED CHILD_SA"
jq -e '.tunnels[0].ike_sas[0].state == "ESTABLISHED"' "$work/status.json" >/dev/null ||
  fail "vpnlab's IKE_SA is not ESTABLISHED"
echo "ok: IKE_SA and CHILD_SA up on both ends"

# Pings between the tunnel's inside addresses, both ways, through the CHILD_SA.
run ip netns exec "$DEV" ping -c3 -W2 -I 169.254.21.2 169.254.21.1 || fail "device -> gateway ping"
run hns ping -c3 -W2 -I 169.254.21.1 169.254.21.2 || fail "gateway -> device ping"
"$VPNLAB" gateway --config "$work/aws.plan.yaml" --status --json >"$work/status.json"
jq -e '[.tunnels[0].ike_sas[0].child_sas[] | select(.in.packets >= 6 and .out.packets >= 6)]
       | length == 1' "$work/status.json" >/dev/null ||
  fail "the pings did not cross vpnlab's CHILD_SA: $(jq -c '.tunnels[0].ike_sas' "$work/status.json")"
echo "ok: pings cross the tunnel both ways"

# BGP over the tunnel with BIRD on the device (Azure's ASN, as the plan's neighbour says): a
# route it announces reaches the host's table through aws0t1; announcements equal to the
# host's subnet or the peer's /32 are rejected, so IKE and ESP stay on eth1.
if command -v bird >/dev/null; then
  cat >"$work/bird.conf" <<EOF
router id 169.254.21.2;
protocol device { }
protocol static { ipv4; route 10.99.0.0/24 blackhole; route 192.0.2.0/24 blackhole;
  route 192.0.2.20/32 blackhole; }
protocol bgp aws { local 169.254.21.2 as 65000; neighbor 169.254.21.1 as 64512;
  ipv4 { import none; export where source = RTS_STATIC; }; }
EOF
  ip netns exec "$DEV" bird -f -c "$work/bird.conf" -s "$work/bird.ctl" >"$work/bird.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 150); do
    ip -n "$HOST" route show 10.99.0.0/24 | grep -q "dev aws0t1" && break
    sleep 0.1
  done
  ip -n "$HOST" route show 10.99.0.0/24 | grep -q "dev aws0t1" ||
    fail "BIRD's route not in the host's table: $(ip -n "$HOST" route; cat "$work/bird.out")"
  ip -n "$HOST" route show 192.0.2.0/24 | grep -q "dev eth1 proto kernel" ||
    fail "the host's own subnet route was replaced: $(ip -n "$HOST" route)"
  ip -n "$HOST" route show 192.0.2.20/32 | grep -q "dev eth1" ||
    fail "the peer's /32 was replaced: $(ip -n "$HOST" route)"
  run ip netns exec "$DEV" ping -c1 -W2 -I 169.254.21.2 169.254.21.1 >/dev/null ||
    fail "tunnel broken after BGP"
  echo "ok: BGP over the tunnel: 10.99.0.0/24 via aws0t1; 192.0.2.0/24 and 192.0.2.20/32 refused"
fi

# SIGTERM: a clean exit that removes what the gateway added.
kill -TERM "$gw"
wait "$gw"
rc=$?
[ $rc = 0 ] || fail "gateway exit status $rc after SIGTERM"
ip -n "$HOST" -4 addr show dev eth1 | grep -q "192.0.2.10" && fail "address left on eth1"
[ -n "$(ip -n "$HOST" route show 192.0.2.20/32)" ] && fail "peer route left behind"
ip -n "$HOST" link show aws0t1 >/dev/null 2>&1 && fail "TUN aws0t1 left behind"
[ -e "/run/vpnlab-host/$T-aws-vgw.sock" ] && fail "control socket left behind"
grep -q "removed 192.0.2.10/24 from eth1" "$work/gw1.log" || fail "no removal in the log"
grep -qF "$psk" "$work"/gw*.log && fail "the PSK appears in the gateway's output"
echo "ok: SIGTERM: exit 0, address, peer route, TUN and socket removed; no PSK in the output"
echo "PASS"

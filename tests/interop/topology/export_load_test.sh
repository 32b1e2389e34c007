#!/usr/bin/env bash
# `vpnlab export` loads into the real daemons, for every gateway node of the reference lab:
#   strongswan: swanctl --load-all of the export (--show-secrets) into a charon started for
#               the test in its own namespace (private /run, its own vici socket): every
#               connection and secret loaded, charon's view of each connection matches
#   frr:        bgpd --dryrun (-C) and vtysh -C on the export
#   bird:       bird -p (parse only) on the export
# and the redacted export never contains a PSK. Namespace vpnlab-t-<pid>-exp; cleanup on exit.
set -u
VPNLAB=$1
NS=vpnlab-t-$$-exp
work=$(mktemp -d)
chmod 711 "$work"  # FRR's user may reach its file; the swanctl.conf files stay 0600
umask 077
charon_pid=
fail() { echo "FAIL: $*"; [ -f "$work/charon.log" ] && tail -20 "$work/charon.log"; exit 1; }
cleanup() {
  [ -n "$charon_pid" ] && kill "$charon_pid" 2>/dev/null && sleep 0.3 && kill -9 "$charon_pid" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
run() { echo "+ $*" >&2; "$@"; }
for bin in /usr/lib/ipsec/charon /usr/sbin/swanctl /usr/lib/frr/bgpd /usr/sbin/bird; do
  [ -x "$bin" ] || fail "$bin is not installed (scripts/install-deps.sh)"
done

# A charon of the test's own: plugins as vpnlab up loads them, vici socket in the work dir.
run ip netns add "$NS" || fail "netns add"
ip -n "$NS" link set lo up
mkdir -p "$work/run"
cat >"$work/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl aes sha1 sha2 hmac gmp kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = no
  plugins { vici { socket = unix://$work/charon.vici } }
  filelog { t { path = $work/charon.log
    default = 1 } }
}
CONF
STRONGSWAN_CONF=$work/strongswan.conf ip netns exec "$NS" unshare --mount --propagation private \
  sh -c 'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$work/run" >"$work/charon.out" 2>&1 &
charon_pid=$!
for i in $(seq 100); do [ -S "$work/charon.vici" ] && break; sleep 0.05; done
[ -S "$work/charon.vici" ] || fail "charon did not start"
swanctl() { command swanctl "$@" --uri "unix://$work/charon.vici"; }

psks=$(grep -oE "(shared_key|pre_shared_key): [^ ]+" <("$VPNLAB" topology show --show-secrets) | awk '{print $2}' | sort -u)
for node in azure-gw0 azure-gw1 aws-vgw; do
  run "$VPNLAB" export strongswan --node "$node" >"$work/$node.redacted.conf" || fail "export strongswan $node"
  for psk in $psks; do grep -qF "$psk" "$work/$node.redacted.conf" && fail "$node: a PSK in the redacted export"; done
  run "$VPNLAB" export strongswan --node "$node" --show-secrets >"$work/$node.swanctl.conf" || fail "export strongswan $node"
  out=$(swanctl --load-all --noprompt --file "$work/$node.swanctl.conf" 2>&1)
  echo "$out"
  want=$(grep -c "^  aws[0-9]t[12] {" "$work/$node.swanctl.conf")
  echo "$out" | grep -q "successfully loaded $want connections" || fail "$node: connections not loaded"
  [ "$(echo "$out" | grep -c "^loaded ike secret 'ike-aws[0-9]t[12]'")" = "$want" ] || fail "$node: secrets not loaded"
  conns=$(swanctl --list-conns 2>&1)
  for dev in $(grep -oE "^  aws[0-9]t[12]" "$work/$node.swanctl.conf"); do
    echo "$conns" | grep -q "^$dev: IKEv2" || fail "$node: charon does not list connection $dev"
  done
  # charon's parsed view: the narrowed selectors and the start action the generator chose.
  echo "$conns" | grep -qE "local: +169\.254\.2[12]\.[0-9]+/30 10\.[12]\.0\.0/16" || { echo "$conns"; fail "$node: selectors not as generated"; }
  echo "ok: $node swanctl.conf loaded into charon ($want connections)"

  run "$VPNLAB" export frr --node "$node" >"$work/$node.frr.conf" || fail "export frr $node"
  chmod 644 "$work/$node.frr.conf"  # bgpd reads it as user frr; it holds no secret
  # bgpd --dryrun exits 0 even on unknown commands: its log lines are the verdict ("[EC ...]");
  # vtysh -C checks the same text and exits non-zero on any bad line.
  run /usr/lib/frr/bgpd -C -f "$work/$node.frr.conf" -z "$work/zserv.api" -i "$work/bgpd.pid" \
    --vty_socket "$work" >"$work/bgpd.out" 2>&1
  grep -q "EC " "$work/bgpd.out" && { cat "$work/bgpd.out"; fail "$node: bgpd --dryrun rejects the export"; }
  run vtysh -C -f "$work/$node.frr.conf" >"$work/vtysh.out" 2>&1 || { cat "$work/vtysh.out"; fail "$node: vtysh -C rejects the export"; }
  run "$VPNLAB" export bird --node "$node" >"$work/$node.bird.conf" || fail "export bird $node"
  run bird -p -c "$work/$node.bird.conf" || fail "$node: bird -p rejects the export"
  echo "ok: $node frr.conf passes bgpd --dryrun, bird.conf passes bird -p"
done
echo PASS

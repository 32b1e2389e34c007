#!/usr/bin/env bash
# bench/dataplane/ (from anchors/ipsec/) wireguard-go.sh - wireguard-go (userspace WireGuard on a TUN device) between
# two gateway namespaces:  host A -- gw A ==wg over veth 192.0.2.0/24== gw B -- host B
# iperf3 TCP 1 and 4 streams (and 64-byte UDP with UDP=1), REPS runs of T seconds, medians,
# CPU of the two wireguard-go processes, idle ping RTT. Cleans up everything it made (lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
need wireguard-go:wireguard-go wg:wireguard-tools
MTU=${MTU:-1420}
build_gw_topo

WGVER=$(wireguard-go --version 2>&1 | head -1 | awk '{print $2}')
PKGVER=$(dpkg-query -W -f='${Version}' wireguard-go 2>/dev/null || echo "?")
# The UAPI socket lives in the global /var/run/wireguard/IFNAME.sock: the interface names carry
# this run's PID so parallel runs never share one. Remove only our own sockets at exit.
IF_A=wg$$a; IF_B=wg$$b
EXTRA_CLEANUP='rm -f /var/run/wireguard/$IF_A.sock /var/run/wireguard/$IF_B.sock'
umask 077
wg genkey >"$WORK/a.key"; wg genkey >"$WORK/b.key"
PUB_A=$(wg pubkey <"$WORK/a.key"); PUB_B=$(wg pubkey <"$WORK/b.key")

t0=$(now_ns)
start_wg() { # ns ifname keyfile peerpub endpoint allowed inner_addr
  bg "$1" "$WORK/$2.log" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error wireguard-go "$2"
  TUN_PIDS+=("$BG_PID")
  local i; for i in $(seq 100); do [ -S "/var/run/wireguard/$2.sock" ] && break; sleep 0.05; done
  [ -S "/var/run/wireguard/$2.sock" ] || die "wireguard-go $2 did not start: $(cat "$WORK/$2.log")"
  x "$1" wg set "$2" listen-port 51820 private-key "$3" \
        peer "$4" endpoint "$5:51820" allowed-ips "$6,198.51.100.0/24" || die "wg set $2"
  ip -n "$1" addr add "$7/24" dev "$2"
  ip -n "$1" link set "$2" mtu "$MTU" up
  ip -n "$1" route add "$6" dev "$2"
}
start_wg "$NS_GA" "$IF_A" "$WORK/a.key" "$PUB_B" 192.0.2.2 10.2.0.0/16 198.51.100.1
start_wg "$NS_GB" "$IF_B" "$WORK/b.key" "$PUB_A" 192.0.2.1 10.1.0.0/16 198.51.100.2
wait_ping 10 || die "wireguard-go: no connectivity host A -> host B"
t1=$(now_ns)
UP=$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}')
echo "wireguard-go $WGVER (Debian $PKGVER), wg MTU $MTU, GOMAXPROCS ${GOMAXPROCS:-default}, up (daemons start -> first ping) ${UP}s"
x "$NS_GA" wg show "$IF_A" | sed 's/^/   /' | grep -vE 'private key|public key'
measure_path wireguard-go "version=$WGVER" "up_s=$UP" "mtu=$MTU"

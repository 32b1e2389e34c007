#!/usr/bin/env bash
# bench/dataplane/vpnlab.sh - vpnlab's ESP dataplane (manual keys, vpnlab_dp_manual) between two
# gateway namespaces, on the same topology as the anchors:
#   host A -- gw A ==ESP (UDP 4500 or raw) over veth 192.0.2.0/24== gw B -- host B
# ESP=aes256gcm16 (default) | aes256-sha256 | any suite manual_config.hpp knows
# ENCAP=udp (default) | raw     WORKERS=0 (worker threads per gateway; 0 = one per core)
# CRYPTO=auto (default: intel-ipsec-mb where it runs) | openssl   (esp/crypto_backend.hpp)
# ESP_TRANSPORT=raw_socket (default) | af_packet | auto   how ENCAP=raw travels (engine.hpp
#   EspTransport: protocol-50 sockets, or AF_PACKET sockets + an nftables ingress drop);
#   QDISC_BYPASS=1 adds PACKET_QDISC_BYPASS to af_packet sends; RX_RING=v3|v2|recvmmsg picks
#   how af_packet receives (0 = recvmmsg; 1 = the gateway's default); RPS=MASK steers both
#   underlay veths' receive work
# iperf3 TCP 1 and 4 streams and 64-byte UDP (udp_blast), REPS runs of T seconds, medians, CPU
# of the two dataplane processes. Cleans up everything it made (lib.sh).
# PROFILE=FILE: instead, one iperf3 TCP single-stream run of T seconds under
# `perf record -g` on both gateway processes; writes the top symbols to FILE.
set -u
. "$(dirname "$0")/lib.sh"
DP=${DP:-$BUILD/dataplane/linux/vpnlab_dp_manual}
ESP=${ESP:-aes256gcm16}
ENCAP=${ENCAP:-udp}
WORKERS=${WORKERS:-0}
SPIN_US=${SPIN_US:-}  # --spin-us for vpnlab_dp_manual (empty: its default)
CRYPTO=${CRYPTO:-auto}  # --crypto: auto (ipsec-mb where it runs) | openssl | ipsec-mb
ESP_TRANSPORT=${ESP_TRANSPORT:-raw_socket}
QDISC_BYPASS=${QDISC_BYPASS:-0}
# af_packet's receive mode (vpnlab_dp_manual --rx-ring, packet_socket.hpp PacketRxMode):
# 1 the default | v3 TPACKET_V3 ring | v2 TPACKET_V2 ring | recvmmsg or 0 no ring.
RX_RING=${RX_RING:-1}
case $RX_RING in
  1) RX_ARGS=() ;;
  0) RX_ARGS=(--rx-ring recvmmsg) ;;
  *) RX_ARGS=(--rx-ring "$RX_RING") ;;
esac
# RPS=MASK (hex CPU mask, e.g. 3): receive packet steering on both gateways' underlay veths,
# so a packet's receive half runs on a CPU of the mask rather than on its sender's (veth hands
# the receiving namespace's work to the sending CPU; esp_ceiling's pkt-rps case).
RPS=${RPS:-}
[ -x "$DP" ] || die "missing $DP (build the vpnlab_dp_manual target, or set BUILD=)"
build_gw_topo
if [ -n "$RPS" ]; then
  for ns in "$NS_GA" "$NS_GB"; do
    x "$ns" sh -c "echo $RPS > /sys/class/net/wan0/queues/rx-0/rps_cpus" || die "RPS on $ns wan0"
  done
fi

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
case $ESP in
  *gcm16) EK=36; IK=0 ;;
  chacha20poly1305) EK=36; IK=0 ;;
  aes128-*) EK=16 ;;&
  aes256-*) EK=32 ;;&
  *-sha1) IK=20 ;;
  *-sha256) IK=32 ;;
  *-sha384) IK=48 ;;
  *-sha512) IK=64 ;;
esac
K1=$(hex "$EK"); K2=$(hex "$EK"); I1=""; I2=""
[ "${IK:-0}" -gt 0 ] && { I1=" $(hex "$IK")"; I2=" $(hex "$IK")"; }
umask 077
conf() { # file inside local remote in_spi in_key out_spi out_key route
  printf 'tunnel vpn0\ninside %s\nlocal %s\nremote %s\nencap %s\nsuite %s\nin %s %s\nout %s %s\nroute %s\n' \
    "$2" "$3" "$4" "$ENCAP" "$ESP" "$5" "$6" "$7" "$8" "$9" >"$1"
}
conf "$WORK/a.conf" 169.254.10.1/30 192.0.2.1 192.0.2.2 0x2002 "$K2$I2" 0x1001 "$K1$I1" 10.2.0.0/16
conf "$WORK/b.conf" 169.254.10.2/30 192.0.2.2 192.0.2.1 0x1001 "$K1$I1" 0x2002 "$K2$I2" 10.1.0.0/16

t0=$(now_ns)
for s in a b; do
  ns=$([ $s = a ] && echo "$NS_GA" || echo "$NS_GB")
  bg "$ns" "$WORK/$s.log" "$DP" "$WORK/$s.conf" --workers "$WORKERS" --counters "$WORK/$s.counters" \
    ${SPIN_US:+--spin-us "$SPIN_US"} --crypto "$CRYPTO" --esp-transport "$ESP_TRANSPORT" \
    $([ "$QDISC_BYPASS" = 1 ] && echo --qdisc-bypass) "${RX_ARGS[@]}"
  TUN_PIDS+=("$BG_PID")
done
for s in a b; do
  for i in $(seq 100); do grep -q ready "$WORK/$s.log" 2>/dev/null && break; sleep 0.05; done
  grep -q ready "$WORK/$s.log" || die "vpnlab_dp_manual $s did not start: $(cat "$WORK/$s.log")"
done
wait_ping 10 || die "vpnlab: no connectivity host A -> host B"
t1=$(now_ns)
UP=$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}')
MTU=$(ip -n "$NS_GA" -o link show vpn0 | grep -oE 'mtu [0-9]+' | awk '{print $2}')
TRANSPORT=$(sed -n 's/^esp transport: //p' "$WORK/a.log" | head -1)
echo "vpnlab dataplane (manual keys), ESP $ESP ($CRYPTO), encap $ENCAP, TUN mtu $MTU, workers $WORKERS, up ${UP}s"
[ "$ENCAP" = raw ] && echo "raw ESP transport: $TRANSPORT"
if [ -n "${PROFILE:-}" ]; then
  need perf:linux-perf
  bg "$NS_SRV" "$WORK/iperf-srv.log" iperf3 -s -1 -p "$IPERF_PORT"
  wait_port "$NS_SRV" "$IPERF_PORT" || die "iperf3 server did not start"
  perf record -q -F 499 -g -o "$WORK/perf.data" -p "$(IFS=,; echo "${TUN_PIDS[*]}")" -- sleep "$T" \
    >"$WORK/perf.log" 2>&1 &
  PERF_PID=$!; _PIDS+=("$PERF_PID")
  x "$NS_CLI" iperf3 -c "$IP_SRV" -p "$IPERF_PORT" -t "$T" -J >"$WORK/iperf-prof.json" 2>&1
  wait "$PERF_PID"
  {
    echo "# vpnlab ESP $ESP encap $ENCAP workers $WORKERS, tcp1 $(jq -r '.end.sum_received.bits_per_second / 1e7 | round / 100' "$WORK/iperf-prof.json") Gbps under perf"
    echo "## by object (self, both gateways)"
    perf report -i "$WORK/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -8
    echo "## top symbols (self, both gateways)"
    perf report -i "$WORK/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -25
  } >"$PROFILE"
  cat "$PROFILE"
  exit 0
fi
measure_path "vpnlab-$ESP-$ENCAP" "esp=$ESP" "crypto=$CRYPTO" "encap=$ENCAP" "tun_mtu=$MTU" "workers=$WORKERS" \
  "esp_transport=${TRANSPORT// /_}"
for p in "${TUN_PIDS[@]}"; do kill -USR1 "$p" 2>/dev/null; done
sleep 0.2
echo "   counters gw A: $(grep -E '^sa ' "$WORK/a.counters" 2>/dev/null | tr '\n' ';')"
echo "   af_packet gw A/B: $(grep -hE '^global dp.af_packet' "$WORK/a.counters" "$WORK/b.counters" 2>/dev/null | tr '\n' ';')"
echo "   drops gw A/B: $(grep -hE '^(tunnel|global) .*drop' "$WORK/a.counters" "$WORK/b.counters" 2>/dev/null | tr '\n' ';')"

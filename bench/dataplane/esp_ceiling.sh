#!/usr/bin/env bash
# bench/dataplane/esp_ceiling.sh - the transport ceiling of raw ESP on veth, no crypto
# (issue 13): how many 1438-byte IPv4 packets per second (an ESP packet around a 1400-byte
# inner packet) one sender process in namespace vc-a pushes to one receiver process in vc-b
# across one veth pair, each pinned to its own core, per transport (esp_ceiling.cpp):
#   udp-gso       UDP_SEGMENT -> UDP_GRO (what ESP-in-UDP gets; the anchor)
#   udp           sendmmsg/recvmmsg of 64 datagrams, no GSO
#   pkt           the af_packet transport (packet_socket.hpp): sendmmsg 64 + QDISC_BYPASS ->
#                 TPACKET_V3 ring, nftables ingress drop of protocol 50
#   pkt-txring    PACKET_TX_RING (TPACKET_V2) + QDISC_BYPASS, one send() per 64 -> as pkt
#   pkt-batch256  pkt with 256 per sendmmsg
#   pkt-qdisc     pkt without QDISC_BYPASS (the gateway's default unless told otherwise)
#   pkt-rps       pkt with RPS on the receiving veth steering its receive processing to the
#                 receiver's core (on veth it otherwise runs in softirq on the sender's core)
#   afxdp         the pkt sender -> AF_XDP in copy mode on the receiving veth (native XDP
#                 program redirecting protocol 50 to the socket; esp_ceiling_xdp.hpp)
# All cases run in the same invocation, REPS times each (interleaved), T seconds per run.
# Prints per run and a median table: kpps received, Gbps of inner-payload equivalent
# (pps x 1400 x 8), each process's CPU % (getrusage user+sys), the sender+receiver CPU per
# packet in µs, the whole machine's busy CPU per packet (from /proc/stat over the sender's run:
# softirq anywhere included), and each case's ratio to udp-gso.
#
# Knobs: T=5 REPS=3 CASES="udp-gso udp pkt pkt-txring pkt-batch256 pkt-qdisc pkt-rps afxdp" SND_CPU=0 RCV_CPU=1
#        BUILD=<build dir> (esp_ceiling from BUILD/bench/dataplane) KEEP=1 (keep the logs)
#        PROFILE=FILE (then one more run per case under perf record -a, top symbols to FILE)
#        QUIET_MAX=15 QUIET_WAIT=120 (lib.sh wait_quiet before each run: another job's load
#        is waited out, for at most QUIET_WAIT s in all, and the busiest sample is printed)
# Run it under the lock that builds and benchmarks share (the machine has 2 cores):
#   sudo flock /tmp/vpnlab-build.lock bench/dataplane/esp_ceiling.sh
# The namespaces vc-a and vc-b (addresses 192.0.2.1/24 and .2/24 inside them only) are
# removed on exit, also on failure, with every process this run started.
set -u
T=${T:-5}
P=${P:-vc}
QUIET_WAIT=${QUIET_WAIT:-120}  # lib.sh wait_quiet: at most 2 min of waiting for a quiet machine
# shellcheck source=bench/dataplane/lib.sh
source "$(dirname "$0")/lib.sh"
CEIL=${ESP_CEILING:-$BUILD/bench/dataplane/esp_ceiling}
CASES=${CASES:-udp-gso udp pkt pkt-txring pkt-batch256 pkt-qdisc pkt-rps afxdp}
SND_CPU=${SND_CPU:-0}
RCV_CPU=${RCV_CPU:-1}
NA=vc-a NB=vc-b IPA=192.0.2.1 IPB=192.0.2.2
need taskset:util-linux nft:nftables
[ -x "$CEIL" ] || die "no $CEIL: TARGETS=esp_ceiling scripts/build.sh"
for n in $NA $NB; do ip netns list | grep -qw "^$n" && die "namespace $n exists (another run?)"; done

mkns $NA; mkns $NB
veth $NA ve0 $IPA/24 $NB ve0 $IPB/24
MAC_A=$(ip -n $NA -br link show ve0 | awk '{print $3}')
MAC_B=$(ip -n $NB -br link show ve0 | awk '{print $3}')
# Permanent neighbours: the af_packet transport sends only to a confirmed one (next_hop.cpp);
# no ARP exchange in the measured window.
ip -n $NA neigh replace $IPB lladdr "$MAC_B" dev ve0 nud permanent
ip -n $NB neigh replace $IPA lladdr "$MAC_A" dev ve0 nud permanent

echo "date: $(date -u +%FT%TZ); kernel $(uname -r); $(nproc) cores;$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null); T=$T REPS=$REPS sender cpu $SND_CPU, receiver cpu $RCV_CPU; load before: $(cat /proc/loadavg)"

rps() { ip netns exec $NB sh -c "printf '%x' $1 >/sys/class/net/ve0/queues/rx-0/rps_cpus"; }

# one CASE REP [profile] -> appends "case sent recv recv_secs snd_secs snd_us rcv_us busy_us" to $WORK/runs
one() {
  local c=$1 rout=$WORK/$1.$2.recv sout=$WORK/$1.$2.send _i b0 b1 _t tool=$1
  rps 0
  [ "$c" = pkt-rps ] && { tool=pkt; rps $((1 << RCV_CPU)); }
  bg $NB "$rout" taskset -c "$RCV_CPU" "$CEIL" recv "$tool" ve0 $IPB "$T"
  local rpid=$BG_PID
  for _i in $(seq 100); do grep -q '^ready' "$rout" 2>/dev/null && break; sleep 0.05; done
  grep -q '^ready' "$rout" || die "$c receiver not ready: $(cat "$rout")"
  local ppid=
  if [ "${3:-}" = profile ]; then  # both cores, softirq included; the sender runs T s
    perf record -a -g -q -o "$WORK/$c.perf" -- sleep "$T" >/dev/null 2>&1 &
    ppid=$!; _PIDS+=("$ppid"); sleep 0.2
  fi
  read -r b0 _t < <(sys_ticks)
  ip netns exec $NA env PEER_MAC="$MAC_B" taskset -c "$SND_CPU" "$CEIL" send "$tool" ve0 $IPA $IPB "$T" \
    >"$sout" 2>&1 || die "$c sender failed: $(cat "$sout")"
  read -r b1 _t < <(sys_ticks)
  wait "$rpid" || die "$c receiver failed: $(cat "$rout")"
  if [ -n "$ppid" ]; then
    wait "$ppid"
    { echo "== $c: top symbols (self, both cores; sent $(sed -n 's/^send .*packets=\([0-9]*\).*/\1/p' "$sout"))"
      perf report -i "$WORK/$c.perf" --no-children --sort sym --stdio -g none \
        --percent-limit 0.8 2>/dev/null | grep -v "^#" | grep -v "^$" | head -25; } >>"$PROFILE"
    return 0
  fi
  local s rv
  s=$(grep '^send ' "$sout") rv=$(grep '^recv ' "$rout")
  val() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
  echo "$c $(val packets "$s") $(val packets "$rv") $(val secs "$rv") $(val secs "$s")" \
    "$(val cpu_us "$s") $(val cpu_us "$rv") $(((b1 - b0) * 1000000 / CLK_TCK))" >>"$WORK/runs"
}

: >"$WORK/runs"
for rep in $(seq "$REPS"); do
  for c in $CASES; do wait_quiet; one "$c" "$rep"; done
done
if [ -n "${PROFILE:-}" ]; then  # one more run per case under perf, not in the table
  need perf:linux-perf
  : >"$PROFILE"
  for c in $CASES; do wait_quiet; one "$c" p profile; done
  echo "profiles (perf record -a -g, one extra run per case): $PROFILE"
fi

# Per run: kpps, Gbps(inner), CPU %, µs per packet; then each column's median per case.
awk -v inner=1400 'function pct(us, s) { return s > 0 ? 100 * us / (s * 1e6) : 0 }
{ pps = $4 > 0 ? $3 / $4 : 0
  printf "%s %.0f %.3f %.1f %.1f %.3f %.3f %d\n", $1, pps / 1000, pps * inner * 8 / 1e9,
         pct($6, $5), pct($7, $4), ($3 > 0 ? ($6 + $7) / $3 : 0), ($3 > 0 ? $8 / $3 : 0), $2 - $3 }' \
  "$WORK/runs" >"$WORK/derived"
echo
echo "per run: case kpps Gbps(inner) snd_cpu% rcv_cpu% us/pkt(snd+rcv) us/pkt(machine) sent-received"
cat "$WORK/derived"
med() { # case column -> median
  local m  # word splitting intended: one value per run
  # shellcheck disable=SC2046
  read -r m _ < <(stats $(awk -v c="$1" -v k="$2" '$1 == c {print $k}' "$WORK/derived")); echo "$m"
}
echo
echo "medians of $REPS runs of ${T} s (quiet check: busiest pre-run sample ${QUIET_MAXSEEN}%, waited ${QUIET_SPENT} s):"
printf '%-13s %8s %11s %9s %9s %14s %15s %9s\n' case kpps "Gbps(inner)" "snd_cpu%" "rcv_cpu%" \
  "us/pkt snd+rcv" "us/pkt machine" "x udp-gso"
anchor=$(med udp-gso 2)
for c in $CASES; do
  k=$(med "$c" 2)
  printf '%-13s %8s %11s %9s %9s %14s %15s %9s\n' "$c" "$k" "$(med "$c" 3)" "$(med "$c" 4)" \
    "$(med "$c" 5)" "$(med "$c" 6)" "$(med "$c" 7)" \
    "$(awk -v a="${anchor:-0}" -v k="$k" 'BEGIN { print (a + 0 > 0 ? sprintf("%.2f", k / a) : "-") }')"
done

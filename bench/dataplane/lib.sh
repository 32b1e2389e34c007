# shellcheck shell=bash
# bench/dataplane/lib.sh - sourced by the throughput scripts in this folder (adapted from
# /work/shared/anchors/ipsec/lib.sh: 64-byte UDP is measured with udp_blast, a sendmmsg
# generator, instead of iperf3, and each result carries CPU seconds per GB).
#
# Builds network namespaces and veth pairs under a per-run prefix, measures with iperf3 and
# ping between two hosts, and on exit removes exactly what this run created: the processes it
# started (by PID), the links it created, its namespaces and its temp dir. Nothing else.
#
# Knobs (environment): T=10 (iperf3 seconds), REPS=3, UDP=1 (also 64-byte UDP pps),
# UDP_BLAST=<path of udp_blast> (default: BUILD/bench/dataplane/udp_blast, BUILD=repo/build),
# TCP=0 (skip the iperf3 TCP runs), BLAST_GSO=1 (default: the generator sends 64 datagrams
# per UDP_SEGMENT message, cheap enough to reach >600k pps on the plain path here; 0: one
# sendmmsg entry per datagram, which tops out near 105k pps on this 2-core machine),
# PING_N=20, P=<prefix> (default ai<pid>), KEEP=1 (keep the temp dir with logs).
#
# Addresses are used only inside the namespaces this run creates:
#   host A 10.1.0.2/24 -- 10.1.0.1 [gw A / router] ... [gw B / router] 10.2.0.1 -- host B 10.2.0.2/24
#   underlay between the gateways 192.0.2.1/24 <-> 192.0.2.2/24, tunnel inner 198.51.100.0/24.

set -u
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
P=${P:-ai$$}
T=${T:-10}
REPS=${REPS:-3}
UDP=${UDP:-1}
PING_N=${PING_N:-20}
CLK_TCK=$(getconf CLK_TCK)
IPERF_PORT=${IPERF_PORT:-5201}
REPO=$(cd "$LIB_DIR/../.." && pwd)
BUILD=${BUILD:-$REPO/build}
UDP_BLAST=${UDP_BLAST:-$BUILD/bench/dataplane/udp_blast}

NS_HA=${P}-hA; NS_GA=${P}-gA; NS_GB=${P}-gB; NS_HB=${P}-hB; NS_R=${P}-r
IP_HA=10.1.0.2; IP_HB=10.2.0.2

_NS=()        # namespaces created by this run
_LINKS=()     # "netns ifname" of links created by this run
_PIDS=()      # processes started by this run
TUN_PIDS=()   # tunnel daemons whose CPU time is reported
EXTRA_CLEANUP=""   # a command the script wants run first at exit
WORK=$(mktemp -d "/tmp/${P}.XXXXXX")

log() { printf '%s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need() { # need CMD:package ...
  local miss=() c
  for c in "$@"; do command -v "${c%%:*}" >/dev/null 2>&1 || [ -x "${c%%:*}" ] || miss+=("${c#*:}"); done
  [ ${#miss[@]} -eq 0 ] || die "missing: apt-get install -y ${miss[*]}"
}

alive() { # pid still running (and not a zombie)?
  local s; s=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$s" ] && [ "${s%% *}" != Z ]
}

cleanup() {
  local rc=$? p i any
  trap - EXIT INT TERM
  if [ -n "$EXTRA_CLEANUP" ]; then eval "$EXTRA_CLEANUP" || true; fi
  for p in "${_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for i in $(seq 50); do
    any=0; for p in "${_PIDS[@]}"; do alive "$p" && any=1; done
    [ $any = 0 ] && break; sleep 0.1
  done
  for p in "${_PIDS[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  for p in "${_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for i in "${_LINKS[@]}"; do set -- $i; ip -n "$1" link del "$2" 2>/dev/null; done
  for i in "${_NS[@]}"; do ip netns del "$i" 2>/dev/null; done
  if [ "${KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"
need ip:iproute2 iperf3:iperf3 ping:iputils-ping jq:jq ss:iproute2 timeout:coreutils

x() { ip netns exec "$@"; }
mkns() { ip netns add "$1" || die "netns add $1"; _NS+=("$1"); ip -n "$1" link set lo up; }
veth() { # veth NS1 IF1 ADDR1 NS2 IF2 ADDR2
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || die "veth $1/$2"
  _LINKS+=("$1 $2")
  ip -n "$1" addr add "$3" dev "$2"; ip -n "$4" addr add "$6" dev "$5"
  ip -n "$1" link set "$2" up; ip -n "$4" link set "$5" up
}
forwarding() { local n; for n in "$@"; do x "$n" sysctl -qw net.ipv4.ip_forward=1; done; }

# host A -- router -- host B (one forwarding hop)
build_router_topo() {
  NS_CLI=$NS_HA; NS_SRV=$NS_HB; IP_SRV=$IP_HB
  mkns "$NS_HA"; mkns "$NS_R"; mkns "$NS_HB"
  veth "$NS_HA" lan0 10.1.0.2/24 "$NS_R" lanA 10.1.0.1/24
  veth "$NS_R" lanB 10.2.0.1/24 "$NS_HB" lan0 10.2.0.2/24
  forwarding "$NS_R"
  ip -n "$NS_HA" route add default via 10.1.0.1
  ip -n "$NS_HB" route add default via 10.2.0.1
}

# host A -- gw A == underlay 192.0.2.0/24 == gw B -- host B ; gateways get no LAN routes here
build_gw_topo() {
  NS_CLI=$NS_HA; NS_SRV=$NS_HB; IP_SRV=$IP_HB
  mkns "$NS_HA"; mkns "$NS_GA"; mkns "$NS_GB"; mkns "$NS_HB"
  veth "$NS_HA" lan0 10.1.0.2/24 "$NS_GA" lan0 10.1.0.1/24
  veth "$NS_GA" wan0 192.0.2.1/24 "$NS_GB" wan0 192.0.2.2/24
  veth "$NS_GB" lan0 10.2.0.1/24 "$NS_HB" lan0 10.2.0.2/24
  forwarding "$NS_GA" "$NS_GB"
  ip -n "$NS_HA" route add default via 10.1.0.1
  ip -n "$NS_HB" route add default via 10.2.0.1
}

# bg NS LOGFILE CMD... : start CMD in the background inside NS; records the PID in _PIDS and
# BG_PID (call it directly, never inside $(...), or the PID is lost in a subshell)
# (ip netns exec, env, unshare and sh -c '... exec' all exec, so BG_PID is the program itself;
# never background the function x: that would record a subshell's PID instead)
bg() {
  local ns=$1 out=$2; shift 2
  ip netns exec "$ns" "$@" >"$out" 2>&1 &
  BG_PID=$!; _PIDS+=("$BG_PID")
}

proc_ticks() { # summed utime+stime (clock ticks) of the given pids
  local t=0 p f
  for p in "$@"; do
    f=($(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null)) || continue
    [ ${#f[@]} -gt 13 ] && t=$((t + f[11] + f[12]))
  done
  echo $t
}
sys_ticks() { # "busy total" over all CPUs
  local _c u n s i w q sq st
  read -r _c u n s i w q sq st _ < /proc/stat
  echo $((u + n + s + q + sq)) $((u + n + s + i + w + q + sq + st))
}
now_ns() { date +%s%N; }

wait_port() { # ns port -> 0 when a TCP listener is there
  local i
  for i in $(seq 100); do
    x "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0; sleep 0.05
  done
  return 1
}

# iperf_once tcp1|tcp4|udp64 -> sets R_VAL R_CPU R_BUSY R_EXTRA (not run in a subshell, so
# the server's PID stays in _PIDS for cleanup)
#   R_VAL: Gbps (tcp) or received kpps (udp); R_CPU: % of one core used by TUN_PIDS
#   R_BUSY: % of all cores busy machine-wide; R_EXTRA: TCP retransmits / UDP loss %
# blast_once -> as iperf_once udp64, with udp_blast (64-byte payloads, sendmmsg batches):
#   R_VAL received kpps (first to last datagram), R_EXTRA loss %
blast_once() {
  local spid b0 tot0 b1 tot1 p0 p1 t0 t1 i sent got pps
  bg "$NS_SRV" "$WORK/blast-srv.log" "$UDP_BLAST" recv 9000 "$T"; spid=$BG_PID
  for i in $(seq 100); do grep -q listening "$WORK/blast-srv.log" 2>/dev/null && break; sleep 0.05; done
  read -r b0 tot0 < <(sys_ticks); p0=$(proc_ticks "${TUN_PIDS[@]}"); t0=$(now_ns)
  x "$NS_CLI" timeout $((T + 30)) "$UDP_BLAST" send "$IP_SRV" 9000 "$T" 64 0 \
    "$([ "${BLAST_GSO:-1}" = 1 ] && echo gso || echo plain)" >"$WORK/blast-cli.log" 2>&1
  t1=$(now_ns); p1=$(proc_ticks "${TUN_PIDS[@]}"); read -r b1 tot1 < <(sys_ticks)
  for i in $(seq $((T * 10 + 100))); do alive "$spid" || break; sleep 0.1; done
  alive "$spid" && kill "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  sent=$(awk '/^sent/{print $2}' "$WORK/blast-cli.log")
  got=$(awk '/^received/{print $2}' "$WORK/blast-srv.log")
  pps=$(awk '/^received/{print $(NF-1)}' "$WORK/blast-srv.log")
  R_CPU=$(awk -v d=$((p1 - p0)) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) 'BEGIN{printf "%.0f", d/hz/(ns/1e9)*100}')
  [ ${#TUN_PIDS[@]} -eq 0 ] && R_CPU=-
  R_BUSY=$(awk -v b=$((b1 - b0)) -v t=$((tot1 - tot0)) 'BEGIN{printf "%.0f", (t > 0) ? b / t * 100 : 0}')
  if [ -n "$pps" ] && [ -n "$sent" ] && [ "$sent" -gt 0 ]; then
    R_VAL=$(awk -v p="$pps" 'BEGIN{printf "%.1f", p/1000}')
    R_EXTRA=$(awk -v s="$sent" -v g="$got" 'BEGIN{printf "%.1f", (s-g)*100/s}')
  else
    log "udp_blast failed: $(cat "$WORK/blast-cli.log" "$WORK/blast-srv.log")"; R_VAL=fail R_EXTRA=-
  fi
}

iperf_once() {
  local kind=$1 args=() spid b0 tot0 b1 tot1 p0 p1 t0 t1 i
  if [ "$kind" = udp64 ] && [ -x "$UDP_BLAST" ]; then blast_once; return; fi
  case $kind in
    tcp1) ;;
    tcp4) args=(-P 4) ;;
    udp64) args=(-u -b 0 -l 64) ;;
  esac
  bg "$NS_SRV" "$WORK/iperf-srv.log" iperf3 -s -1 -p "$IPERF_PORT"; spid=$BG_PID
  if ! wait_port "$NS_SRV" "$IPERF_PORT"; then R_VAL=fail R_CPU=- R_BUSY=- R_EXTRA=-; return; fi
  read -r b0 tot0 < <(sys_ticks); p0=$(proc_ticks "${TUN_PIDS[@]}"); t0=$(now_ns)
  x "$NS_CLI" timeout $((T + 30)) iperf3 -c "$IP_SRV" -p "$IPERF_PORT" -t "$T" -J "${args[@]}" \
    >"$WORK/iperf-$kind.json" 2>"$WORK/iperf-cli.err"
  t1=$(now_ns); p1=$(proc_ticks "${TUN_PIDS[@]}"); read -r b1 tot1 < <(sys_ticks)
  for i in $(seq 50); do alive "$spid" || break; sleep 0.1; done
  alive "$spid" && kill "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  local cpu busy val extra
  cpu=$(awk -v d=$((p1 - p0)) -v hz="$CLK_TCK" -v ns=$((t1 - t0)) 'BEGIN{printf "%.0f", d/hz/(ns/1e9)*100}')
  busy=$(awk -v b=$((b1 - b0)) -v t=$((tot1 - tot0)) 'BEGIN{printf "%.0f", (t > 0) ? b / t * 100 : 0}')
  [ ${#TUN_PIDS[@]} -eq 0 ] && cpu=-
  if [ "$kind" = udp64 ]; then
    val=$(jq -r '.end.sum | ((.packets - .lost_packets) / .seconds / 1000 * 100 | round / 100)' "$WORK/iperf-$kind.json" 2>/dev/null)
    extra=$(jq -r '.end.sum.lost_percent | . * 10 | round / 10' "$WORK/iperf-$kind.json" 2>/dev/null)
  else
    val=$(jq -r '.end.sum_received.bits_per_second / 1e7 | round / 100' "$WORK/iperf-$kind.json" 2>/dev/null)
    extra=$(jq -r '.end.sum_sent.retransmits' "$WORK/iperf-$kind.json" 2>/dev/null)
  fi
  if [ -z "$val" ] || [ "$val" = null ]; then
    log "iperf3 $kind failed: $(jq -r '.error // empty' "$WORK/iperf-$kind.json" 2>/dev/null) $(tail -2 "$WORK/iperf-cli.err")"
    val=fail
  fi
  R_VAL=$val R_CPU=$cpu R_BUSY=$busy R_EXTRA=${extra:--}
}

# wait_quiet: sample machine-wide CPU for 1 s before each run; while it is above QUIET_MAX %
# (default 15, of all cores) something else is running: say so and wait, for at most
# QUIET_WAIT s (default 900) summed over the whole script, then measure anyway. Keeps the
# highest pre-run sample in QUIET_MAXSEEN and the seconds waited in QUIET_SPENT (both go into
# the RESULT line, so a noisy run can be told apart).
QUIET_SPENT=0; QUIET_MAXSEEN=0
wait_quiet() {
  local b0 t0 b1 t1 busy
  while :; do
    read -r b0 t0 < <(sys_ticks); sleep 1; read -r b1 t1 < <(sys_ticks)
    busy=$(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
    if [ "$busy" -le "${QUIET_MAX:-15}" ]; then break; fi
    if [ "$QUIET_SPENT" -ge "${QUIET_WAIT:-900}" ]; then
      log "   warning: machine ${busy}% busy before a run; wait budget spent, measuring anyway"
      break
    fi
    log "   machine ${busy}% busy before a run (another job, or the kernel still settling after the last run): waiting; busiest now: $(top -b -n 2 -d 0.5 -w 200 | awk '/^ *PID/{n++; next} n==2 && NF>11 {print $9"% "$12}' | head -3 | xargs)"
    sleep 4; QUIET_SPENT=$((QUIET_SPENT + 6))
  done
  [ "$busy" -gt "$QUIET_MAXSEEN" ] && QUIET_MAXSEEN=$busy
  return 0
}

stats() { # values... -> "median min max" (non-numeric values ignored)
  printf '%s\n' "$@" | grep -E '^[0-9]+(\.[0-9]+)?$' | sort -g | awk '
    {a[NR]=$1}
    END{ if (NR==0) {print "fail fail fail"; exit}
         m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2
         printf "%g %g %g\n", m, a[1], a[NR] }'
}

# ping_rtt -> "min/avg/max/mdev loss%" from host A to host B (idle path)
ping_rtt() {
  x "$NS_CLI" ping -q -c 2 -i 0.2 -W 1 "$IP_SRV" >/dev/null 2>&1   # warm ARP/handshakes
  x "$NS_CLI" ping -q -c "$PING_N" -i 0.2 -W 1 "$IP_SRV" >"$WORK/ping.txt" 2>&1
  local rtt loss
  rtt=$(grep -oE 'rtt min/avg/max/mdev = [0-9./]+' "$WORK/ping.txt" | awk '{print $NF}')
  loss=$(grep -oE '[0-9.]+% packet loss' "$WORK/ping.txt" | awk '{print $1}')
  echo "${rtt:-fail} ${loss:-100%}"
}

# wait_ping TIMEOUT_S -> 0 once host A reaches host B
wait_ping() {
  local end=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    x "$NS_CLI" ping -c 1 -W 0.2 "$IP_SRV" >/dev/null 2>&1 && return 0
    sleep 0.01
  done
  return 1
}

# measure_path LABEL [key=value ...] : ping, then REPS x (tcp1, tcp4[, udp64]); prints a
# readable block and one "RESULT" line (tab separated key=value) for run-all.sh.
measure_path() {
  local label=$1; shift
  local kinds=() k r v c b e kv
  [ "${TCP:-1}" = 1 ] && kinds+=(tcp1 tcp4)
  [ "$UDP" = 1 ] && kinds+=(udp64)
  declare -A V C B E
  for k in "${kinds[@]}"; do V[$k]=""; C[$k]=""; B[$k]=""; E[$k]=""; done
  local ping; wait_quiet; ping=$(ping_rtt)
  echo "== $label"
  echo "   ping $PING_N x 0.2 s, host A -> host B: rtt min/avg/max/mdev ${ping% *} ms, loss ${ping#* }"
  for r in $(seq "$REPS"); do
    for k in "${kinds[@]}"; do
      wait_quiet
      iperf_once "$k"; v=$R_VAL c=$R_CPU b=$R_BUSY e=$R_EXTRA
      V[$k]+="$v "; C[$k]+="$c "; B[$k]+="$b "; E[$k]+="$e "
      if [ "$k" = udp64 ]; then
        printf '   rep %d %-5s %8s kpps  loss %5s%%  tunnel-cpu %4s%%  machine-busy %3s%%\n' "$r" "$k" "$v" "$e" "$c" "$b"
      else
        printf '   rep %d %-5s %8s Gbps  retr %6s  tunnel-cpu %4s%%  machine-busy %3s%%\n' "$r" "$k" "$v" "$e" "$c" "$b"
      fi
    done
  done
  local out="RESULT	path=$label"
  local tc bu
  for k in "${kinds[@]}"; do
    read -r v c b <<<"$(stats ${V[$k]})"
    tc=-; [ ${#TUN_PIDS[@]} -gt 0 ] && tc=$(stats ${C[$k]} | cut -d' ' -f1)
    bu=$(stats ${B[$k]} | cut -d' ' -f1)
    out+="	${k}_median=$v	${k}_min=$c	${k}_max=$b	${k}_tuncpu=$tc	${k}_busy=$bu"
    if [ "$k" != udp64 ]; then  # CPU seconds per GB moved: tunnel processes, and whole machine
      out+="	${k}_tun_cpu_s_per_gb=$(awk -v c="$tc" -v g="$v" 'BEGIN{ if (c+0 > 0 && g+0 > 0) printf "%.2f", c/100*8/g; else printf "-" }')"
      out+="	${k}_machine_cpu_s_per_gb=$(awk -v b="$bu" -v n="$(nproc)" -v g="$v" 'BEGIN{ if (g+0 > 0) printf "%.2f", b/100*n*8/g; else printf "-" }')"
    fi
    [ "$k" = udp64 ] && out+="	udp64_loss=$(stats ${E[$k]} | cut -d' ' -f1)"
    printf '   %-5s median %s (min %s, max %s) %s; tunnel-cpu median %s%% of one core; machine busy %s%% of %s cores\n' \
      "$k" "$v" "$c" "$b" "$([ "$k" = udp64 ] && echo kpps || echo Gbps)" "$tc" "$bu" "$(nproc)"
  done
  out+="	rtt_ms=${ping% *}	ping_loss=${ping#* }	reps=$REPS	secs=$T	prerun_busy_max=${QUIET_MAXSEEN}%	quiet_wait_s=$QUIET_SPENT"
  for kv in "$@"; do out+="	$kv"; done
  echo "$out"
}

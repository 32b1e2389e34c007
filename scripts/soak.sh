#!/usr/bin/env bash
# Soak: the reference lab under continuous rekeys, BGP session resets and traffic
# (README "Reliability / Soak"; issue 12).
#
#   scripts/soak.sh [--minutes N | --seconds S] [--lab-file F] [--name LAB] [--vpnlab BIN]
#                   [--reset-interval S] [--warmup S] [--report FILE] [--keep]
#   scripts/soak.sh --print-lab [--name LAB]     the soak's lab description (PSKs included)
#
#  vnet-vm 10.1.0.4 -- vnet -- azure-gw0/1 ==4 ESP tunnels + BGP== aws-vgw -- vpc-host 10.2.0.4
#     probe stream (2000 datagrams/s each way) and iperf3 TCP VM -> host, throughout
#
# Without --lab-file the lab is the reference lab with lifetimes that rekey every CHILD_SA
# every ~2 s and every IKE_SA every ~6 s (soak_lab below says how).
# Every --reset-interval seconds (default 20; 0: none) one tunnel's BGP session is reset
# (`vpnlab tunnel bgp-reset`, Cease / Administrative Reset), one tunnel after the other; its
# reconvergence window runs from the reset until the session is Established again and every
# AWS tunnel shows its BGP route, plus a grace for the supervisor's route tables.
#
# Asserts, and prints: rekeys per tunnel (both ends' sas_established), datagrams sent/lost
# (none lost outside a reset window; each window's losses reported), TCP throughput never zero
# longer than a reset window, every tunnel and BGP session back at the end, each gateway's RSS
# and open fds after the warm-up and at the end (flat within the margins below), IKE_SA /
# CHILD_SA counts and routes per namespace no higher at the end than after the warm-up.
# Exit 0 only when every check passed. Root; the lab is removed on every exit.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/netns/cli/lab_env.sh"

seconds=600 lab_file="" name="sk-soak" vpnlab="$here/build/cli/vpnlab" reset_interval=20
warmup="" report="" keep=0 print_lab=0
while (($#)); do
  case $1 in
    --minutes) seconds=$(($2 * 60)); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --lab-file) lab_file=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --vpnlab) vpnlab=$2; shift 2 ;;
    --reset-interval) reset_interval=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --report) report=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --print-lab) print_lab=1; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
# --- the lab --------------------------------------------------------------------------------
# Rekey timers the gateways arm (ike/core/sa_state.cpp rekey_delay): (lifetime - margin -
# fuzz% of margin) x time factor, margin = min(rekey margin, lifetime / 2). The time factor
# alone cannot get there: AWS's defaults (phase 2 3600 s, margin 540 s, fuzz 100 %) would
# need 1/1530 for ~2 s, and the timers that have no floor would shrink with it (IKE
# retransmit 2.6 ms, DPD every 6.5 ms with a 20 ms timeout) and tear tunnels down under load.
# So the lab file takes the shortest lifetimes AWS accepts (cloud-facts: phase 1 900-28800 s,
# phase 2 900-3600 s and below phase 1, margin 60 to half of phase 2, fuzz 0-100 %) and the
# factor does the rest:
#   CHILD_SA: phase 2 900 s, margin 450 s, fuzz 0  -> rekey at 450 s x 1/225 = 2.0 s (AWS starts it)
#   IKE_SA:   phase 1 1800 s, margin 450 s, fuzz 0 -> rekey at 1350 s x 1/225 = 6.0 s
# Azure keeps its 27000 s QM lifetime (never first). DPD timeouts go to 300 s on both sides
# (1.3 s scaled) so a loaded 2-core machine does not declare a live peer dead; DPD probes
# still run every 44-67 ms, IKE retransmits start at 18 ms, BGP sits at its floors (hold
# 3 s, keepalive / connect retry / idle hold 1 s: topology/gateway/gateway.cpp).
kTimeFactor=0.0044444
soak_lab() { # name -> lab YAML on stdout
  "$vpnlab" topology show --show-secrets | awk -v name="$1" -v tf="$kTimeFactor" '
    /^  name: vpnlab$/ { print "  name: " name; next }
    /^  time_factor: 1$/ { print "  time_factor: " tf; next }
    { print }
    /^          startup_action: start$/ {
      print "          phase1_lifetime_seconds: 1800"
      print "          phase2_lifetime_seconds: 900"
      print "          rekey_margin_time_seconds: 450"
      print "          rekey_fuzz_percentage: 0"
      print "          dpd_timeout_seconds: 300"
    }
    /^      connection_mode: ResponderOnly$/ { print "      dpd_timeout_seconds: 300" }'
}

if [[ $print_lab == 1 ]]; then soak_lab "$name"; exit; fi
[[ $(id -u) -eq 0 ]] || { echo "soak.sh: run as root (the lab builds namespaces)" >&2; exit 2; }
[[ -x $vpnlab ]] || { echo "soak.sh: no vpnlab binary at $vpnlab (scripts/build.sh)" >&2; exit 2; }
command -v iperf3 >/dev/null || { echo "soak.sh: iperf3 missing (scripts/install-deps.sh)" >&2; exit 2; }
# The warm-up lets allocator pools, the key log's bounded history of removed SAs (256) and
# BGP's buffers reach their steady size before the start sample.
[[ -n $warmup ]] || warmup=$((seconds >= 300 ? 90 : seconds / 3))

work=$(mktemp -d /tmp/vpnlab-soak.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [[ $keep == 1 ]]; then echo "kept: lab $name up, files in $work"; return; fi
  VPNLAB=$vpnlab LAB=$name lab_cleanup # down, else only this lab's recorded vpnlab PIDs
}
trap cleanup EXIT
trap 'exit 130' INT TERM
failures=()
check() { # description condition-exit-status
  if [[ $2 == 0 ]]; then echo "  ok: $1"; else echo "  FAIL: $1"; failures+=("$1"); fi
}
now_ms() { date +%s%3N; }
status_json() { "$vpnlab" status "$work/lab.yaml" --json 2>/dev/null >"$1"; }

if [[ -n $lab_file ]]; then cp "$lab_file" "$work/lab.yaml"; else soak_lab "$name" >"$work/lab.yaml"; fi
name=$(awk '/^lab:/{l=1} l && /^  name:/{print $2; exit}' "$work/lab.yaml")
[[ -n $name ]] || { echo "soak.sh: no lab.name in the lab file" >&2; exit 2; }
echo "== soak: lab $name, ${seconds} s, BGP reset every ${reset_interval} s, warm-up ${warmup} s"
"$vpnlab" up "$work/lab.yaml" --wait 60 >"$work/up.txt" 2>&1 || { cat "$work/up.txt"; echo "FAIL: up"; exit 1; }
"$vpnlab" status "$work/lab.yaml" --sas | sed -n '/IKE and CHILD SAs/,$p' | grep -E "^\S|rekeying in|IKE_SA|CHILD_SA" | head -12
ns_list=$(ip netns list | awk '{print $1}' | grep "^$name-" | sort)
for i in $(seq 50); do ip netns exec "$name-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done

# Where the kernel drops what the gateways never count: UDP input errors (receive buffer
# overflows included) and link drops (TUN queues, veths), summed per namespace.
kernel_drops() { # out.json
  local ns
  for ns in $ns_list; do
    jq -n --arg ns "${ns#$name-}" \
      --argjson udp "$(ip netns exec "$ns" awk '/^Udp:/ && $2 ~ /^[0-9]/ {print $4; exit}' /proc/net/snmp)" \
      --argjson link "$(ip -n "$ns" -s -j link | jq '[.[] | .stats64.rx.dropped + .stats64.tx.dropped] | add')" \
      '{($ns): {udp_errors: $udp, link_drops: $link}}'
  done | jq -s add >"$1"
}
kernel_drops "$work/kernel0.json"

# --- traffic ------------------------------------------------------------------------------
t_start=$(now_ms)
"$vpnlab" probe "$work/lab.yaml" --seconds "$seconds" --rate 2000 --json >"$work/probe.json" 2>"$work/probe.err" &
pids+=($!); probe_pid=$!
ip netns exec "$name-vpc-host" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
# 50 Mbit/s: enough to keep TCP's window open across every rekey while leaving the two
# cores to the gateways' control threads (unpaced iperf3 would take all of them).
# iperf3 waits for its server at the end; if the path is gone it would wait for ever: bounded.
timeout $((seconds + 30)) ip netns exec "$name-vnet-vm" iperf3 -c 10.2.0.4 -p 5201 -t "$seconds" -i 1 -b 50M -J \
  >"$work/iperf.json" 2>"$work/iperf.err" &
pids+=($!); iperf_pid=$!

# --- samples ------------------------------------------------------------------------------
gateway_pids() { for f in /run/vpnlab/$name/*.pid; do echo "$(basename "$f" .pid) $(cat "$f")"; done; }
sample() { # out.json: RSS/fds per process, SAs per gateway (minimum over 5 looks), routes per ns
  local out=$1 node pid
  {
    echo '{"processes": {'
    local first=1
    while read -r node pid; do
      [[ $first == 1 ]] || echo ','
      first=0
      local rss fds
      rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
      printf '"%s": {"pid": %s, "rss_kib": %s, "fds": %s}' "$node" "$pid" "${rss:-0}" "$fds"
    done < <(gateway_pids)
    echo '}, "routes": {'
    first=1
    for ns in $ns_list; do
      [[ $first == 1 ]] || echo ','
      first=0
      printf '"%s": %s' "${ns#$name-}" "$(ip -n "$ns" -o -4 route show table all | wc -l)"
    done
    echo '}}'
  } >"$out.base"
  # A rekey briefly holds two SAs; the table has not grown if some look sees the steady count.
  local k
  for k in 1 2 3 4 5; do
    status_json "$work/s.json"
    jq '[.gateways | to_entries[] | {(.key): {ike_sas: ([.value.tunnels[].ike_sas | length] | add),
        child_sas: ([.value.tunnels[].ike_sas[].child_sas | length] | add)}}] | add' "$work/s.json" >"$work/sas.$k.json"
    sleep 0.3
  done
  jq -s '.[0] + {sas: (.[1:] | reduce .[] as $s ({}; reduce ($s | keys[]) as $n (.;
          .[$n].ike_sas = ([.[$n].ike_sas // 1e9, $s[$n].ike_sas] | min)
          | .[$n].child_sas = ([.[$n].child_sas // 1e9, $s[$n].child_sas] | min))))}' \
    "$out.base" "$work"/sas.[1-5].json >"$out"
}

# --- the run: warm-up, then BGP resets one tunnel after the other -------------------------
tunnels=(aws0t1 aws0t2 aws1t1 aws1t2)
echo '[]' >"$work/windows.json"
converged() { # every AWS tunnel UP with its BGP route and every Azure BGP peer Connected
  status_json "$work/c.json" &&
    jq -e '([.aws.VpnConnections[].VgwTelemetry[] | select(.StatusMessage == "1 BGP ROUTES")] | length) == 4
           and ([.azure.bgpPeerStatus[] | select(.state == "Connected")] | length) == 4' "$work/c.json" >/dev/null
}
end_ms=$((t_start + seconds * 1000))
warm_ms=$((t_start + warmup * 1000))
next_reset=$((t_start + (reset_interval > 0 ? reset_interval : seconds + 1) * 1000))
sampled=0 k=0 reset_fail=0
while (($(now_ms) < end_ms - 3000)); do
  t=$(now_ms)
  if ((sampled == 0 && t >= warm_ms)); then sample "$work/start.json"; sampled=1; fi
  if ((reset_interval > 0 && t >= next_reset && t < end_ms - 15000)); then
    dev=${tunnels[$((k % 4))]}; k=$((k + 1))
    r0=$(now_ms)
    if ! "$vpnlab" tunnel bgp-reset "$dev" "$work/lab.yaml" --from aws >"$work/reset.txt" 2>&1; then
      cat "$work/reset.txt"; reset_fail=$((reset_fail + 1))
    fi
    # Reconverged: that session back and every tunnel's route back (bounded: 30 s).
    sleep 0.5
    for i in $(seq 150); do converged && break; sleep 0.2; done
    r1=$(now_ms)
    # The reset happened: the AWS end's session on that tunnel is younger than the window.
    up_s=$(jq --arg d "$dev" '.gateways["aws-vgw"] | (.tunnels[] | select(.device == $d) | .inside_local) as $a
           | [.bgp | .. | objects | select(.localAddress? == $a and .bgpState? == "Established")
               | .connectedSeconds][0] // 1e9' "$work/c.json")
    jq --arg d "$dev" --argjson a "$r0" --argjson b "$r1" --argjson up "$up_s" \
      '. + [{tunnel: $d, start_ms: $a, end_ms: $b, session_age_s: $up, reestablished: ($up <= ($b - $a) / 1000 + 1)}]' \
      "$work/windows.json" >"$work/w.tmp" && mv "$work/w.tmp" "$work/windows.json"
    printf '  %s BGP reset %s: session re-established (%s s old), all routes back %.1f s after the reset\n' \
      "$(date -u +%T)" "$dev" "$up_s" "$(((r1 - r0) / 100))e-1"
    next_reset=$((r0 + reset_interval * 1000))
  fi
  sleep 1
done
((sampled == 1)) || sample "$work/start.json"

# --- the end ------------------------------------------------------------------------------
for i in $(seq 150); do converged && break; sleep 0.2; done
converged; back=$?
sample "$work/end.json"
status_json "$work/final.json"
wait "$probe_pid"; probe_rc=$?
wait "$iperf_pid"; iperf_rc=$?
kernel_drops "$work/kernel1.json"

# --- verdicts -----------------------------------------------------------------------------
kGraceMs=2000 # after a window: the supervisor's poll (200 ms) and route installs, generously
echo "== soak results ($name, $(((end_ms - t_start) / 1000)) s)"
check "every tunnel and BGP session back at the end (4 AWS tunnels with their route, 4 Azure peers Connected)" $back
check "BGP resets accepted by the gateways ($k done)" $((reset_fail > 0))
jq -e 'all(.[]; .reestablished)' "$work/windows.json" >/dev/null
check "every reset session went down and was re-established (its age below its window)" $?
# No tunnel went down: each tunnel end's last status change is older than the traffic.
jq -e --argjson t0 "$t_start" '[.gateways[].tunnels[] | (.last_status_change | fromdate) * 1000 < $t0] | all' \
  "$work/final.json" >/dev/null
check "no tunnel went down during the soak (every tunnel end UP since before the traffic started)" $?

echo "-- rekeys per tunnel (SAs established at each end, minus the first; both ends agree within one)"
jq -r '[.gateways[] | .node as $n | .tunnels[] | {device, node: $n, child: (.sas_established.child - 1), ike: (.sas_established.ike - 1)}]
       | group_by(.device)[] | "  \(.[0].device): CHILD_SA rekeys \([.[].child] | min), IKE_SA rekeys \([.[].ike] | min)  (\(map("\(.node) \(.child)/\(.ike)") | join(", ")))"' \
  "$work/final.json"
min_child=$(jq '[.gateways[].tunnels[].sas_established.child - 1] | min' "$work/final.json")
min_ike=$(jq '[.gateways[].tunnels[].sas_established.ike - 1] | min' "$work/final.json")
# Half of what the armed timers give (2 s, 6 s): a rekey never skipped, with room for load.
check "every tunnel's CHILD_SA rekeyed at least $((seconds / 4)) times (fewest: $min_child)" $((min_child < seconds / 4))
check "every tunnel's IKE_SA rekeyed at least $((seconds / 12)) times (fewest: $min_ike)" $((min_ike < seconds / 12))

echo "-- probe stream, 2000 datagrams/s each way"
jq --slurpfile w "$work/windows.json" --argjson g "$kGraceMs" '
  .started_unix_ms as $t0 |
  def inside($r): ($t0 + $r.at_ms) as $a | ($a + $r.duration_ms) as $b
    | any($w[0][]; $a <= .end_ms + $g and $b >= .start_ms - 200);
  def window_of($r): ($t0 + $r.at_ms) as $a | [$w[0][] | select($a <= .end_ms + $g and $a + $r.duration_ms >= .start_ms - 200)][0];
  [.a_to_b, .b_to_a] as $d |
  {sent: ($d | map(.sent) | add), lost: ($d | map(.lost) | add),
   runs_dropped: ($d | map(.loss_runs_dropped) | add),
   outside: [$d[].loss_runs[] | select(inside(.) | not)],
   per_window: [$w[0][] as $win | {tunnel: $win.tunnel, window_s: (($win.end_ms - $win.start_ms) / 1000),
       lost: ([$d[].loss_runs[] | select(window_of(.) == $win) | .packets] | add // 0),
       longest_ms: ([$d[].loss_runs[] | select(window_of(.) == $win) | .duration_ms] | max // 0)}]}' \
  "$work/probe.json" >"$work/probe_verdict.json" 2>"$work/jq.err" || cat "$work/jq.err"
jq -r '"  sent \(.sent), lost \(.lost) (outside reset windows: \([.outside[].packets] | add // 0))",
       (.per_window[] | "  reset \(.tunnel): window \(.window_s) s, lost \(.lost), longest run \(.longest_ms) ms")' \
  "$work/probe_verdict.json"
# Not a verdict, an attribution: drops the kernel counted while the traffic ran (a loss that
# no gateway counter shows and the kernel does is a queue overflow, e.g. a starved worker).
jq -r -s '.[0] as $a | .[1] as $b | "  kernel drops during the traffic (UDP input errors / link drops): "
  + ([$a | keys[] as $n | select(($b[$n].udp_errors - $a[$n].udp_errors) + ($b[$n].link_drops - $a[$n].link_drops) > 0)
      | "\($n) \($b[$n].udp_errors - $a[$n].udp_errors)/\($b[$n].link_drops - $a[$n].link_drops)"] | if length == 0 then "none" else join(", ") end)' \
  "$work/kernel0.json" "$work/kernel1.json"
jq -r '"  gateway ESP drops (unknown SPI, replay, ICV) on the SAs alive at the end: \([.gateways[].tunnels[].ike_sas[]?.child_sas[]? | .in | (.auth_failures // 0) + (.replay_drops // 0)] | add // 0); dataplane drop counters: \([.gateways[] | (.counters.dataplane, (.tunnels[].counters)) | to_entries[] | select(.key | test("drop")) | "\(.key)=\(.value)"] | group_by(.) | map(.[0]) | join(", "))"' \
  "$work/final.json"
check "probe stream ran (exit $probe_rc)" $probe_rc
jq -e '.sent > 0 and (.outside | length) == 0 and .runs_dropped == 0' "$work/probe_verdict.json" >/dev/null
check "no datagram lost outside a BGP reset's reconvergence window (so none across any rekey)" $?
jq -e '[.per_window[] | .longest_ms <= .window_s * 1000 + 2000] | all' "$work/probe_verdict.json" >/dev/null
check "each reset's losses bounded by its window (+2 s grace)" $?

echo "-- TCP (iperf3 VM -> host, 1 s intervals)"
jq --slurpfile w "$work/windows.json" --argjson g "$kGraceMs" '
  (.start.timestamp.timesecs * 1000) as $t0 |
  [.intervals[].sum] as $iv |
  ($iv | map(select(.bits_per_second < 1))) as $zero |
  {intervals: ($iv | length), mbps_mean: ((.end.sum_sent.bits_per_second // 0) / 1e6),
   mbps_min: (([$iv[].bits_per_second] | min // 0) / 1e6), zero: ($zero | length),
   retransmits: (.end.sum_sent.retransmits // 0),
   zero_outside: [$zero[] | ($t0 + .start * 1000) as $a | ($t0 + .end * 1000) as $b
     | select(any($w[0][]; $a <= .end_ms + $g + 1000 and $b >= .start_ms - 1000) | not)],
   longest_zero_s: ([foreach $iv[] as $i (0; if $i.bits_per_second < 1 then . + 1 else 0 end)] | max // 0),
   longest_window_s: ([$w[0][] | (.end_ms - .start_ms) / 1000] | max // 0)}' \
  "$work/iperf.json" >"$work/tcp_verdict.json" 2>"$work/jq.err" || { cat "$work/jq.err"; tail -5 "$work/iperf.err"; }
jq -r '"  \(.intervals) intervals, mean \(.mbps_mean * 100 | round / 100) Mbit/s, lowest interval \(.mbps_min * 100 | round / 100) Mbit/s, \(.zero) at zero (longest run \(.longest_zero_s) s), retransmits \(.retransmits)"' \
  "$work/tcp_verdict.json"
check "iperf3 ran the whole soak (exit $iperf_rc)" $iperf_rc
jq -e --argjson s "$seconds" '.intervals >= $s - 2 and (.zero_outside | length) == 0
  and .longest_zero_s <= (.longest_window_s + 2 | ceil)' "$work/tcp_verdict.json" >/dev/null
check "TCP throughput never zero outside a reset window, nor longer than one" $?

echo "-- gateways: RSS and open fds after the warm-up and at the end"
jq -r -s '.[0].processes as $a | .[1].processes as $b | $a | keys[] as $n
  | "  \($n): RSS \($a[$n].rss_kib) -> \($b[$n].rss_kib) KiB (\(($b[$n].rss_kib - $a[$n].rss_kib) | if . >= 0 then "+\(.)" else "\(.)" end)), fds \($a[$n].fds) -> \($b[$n].fds)"' \
  "$work/start.json" "$work/end.json"
# Margins: RSS may grow by 4 MiB + 5 % (allocator arenas of the worker threads settle late);
# fds by 2 (a control-socket client or BGP connection being accepted at the moment of a look).
jq -e -s '.[0].processes as $a | .[1].processes as $b
  | [$a | keys[] as $n | $b[$n].rss_kib <= $a[$n].rss_kib * 1.05 + 4096] | all' "$work/start.json" "$work/end.json" >/dev/null
check "RSS flat (end <= start + 5 % + 4 MiB, every gateway and the supervisor)" $?
jq -e -s '.[0].processes as $a | .[1].processes as $b | [$a | keys[] as $n | $b[$n].fds <= $a[$n].fds + 2] | all' \
  "$work/start.json" "$work/end.json" >/dev/null
check "open fds flat (end <= start + 2)" $?

echo "-- SA and route tables after the warm-up and at the end"
jq -r -s '.[0].sas as $a | .[1].sas as $b | $a | keys[] as $n
  | "  \($n): IKE_SAs \($a[$n].ike_sas) -> \($b[$n].ike_sas), CHILD_SAs \($a[$n].child_sas) -> \($b[$n].child_sas)"' \
  "$work/start.json" "$work/end.json"
jq -r -s '.[0].routes as $a | .[1].routes as $b | "  routes: " + ([$a | keys[] as $n | "\($n) \($a[$n])->\($b[$n])"] | join(", "))' \
  "$work/start.json" "$work/end.json"
jq -e -s '.[0].sas as $a | .[1].sas as $b | [$a | keys[] as $n | $b[$n].ike_sas <= $a[$n].ike_sas and $b[$n].child_sas <= $a[$n].child_sas] | all' \
  "$work/start.json" "$work/end.json" >/dev/null
check "no growth in IKE_SA / CHILD_SA tables" $?
jq -e -s '.[0].routes as $a | .[1].routes as $b | [$a | keys[] as $n | $b[$n] <= $a[$n]] | all' \
  "$work/start.json" "$work/end.json" >/dev/null
check "no growth in any namespace's routes" $?

if [[ -n $report ]]; then
  jq -n --arg lab "$name" --argjson seconds "$seconds" --slurpfile probe "$work/probe_verdict.json" \
    --slurpfile tcp "$work/tcp_verdict.json" --slurpfile start "$work/start.json" --slurpfile fin "$work/end.json" \
    --slurpfile windows "$work/windows.json" --slurpfile final "$work/final.json" \
    '{lab: $lab, seconds: $seconds, probe: $probe[0], tcp: $tcp[0], start: $start[0], "end": $fin[0],
      resets: $windows[0], rekeys: [$final[0].gateways[] | .node as $n | .tunnels[]
        | {node: $n, device, sas_established}]}' >"$report"
  echo "report: $report"
fi
if ((${#failures[@]})); then
  echo "soak FAILED: ${#failures[@]} check(s)"
  mkdir -p "/tmp/vpnlab-soak-$name.failed" && cp "$work"/*.json "/tmp/vpnlab-soak-$name.failed/"
  echo "the run's documents: /tmp/vpnlab-soak-$name.failed/"
  exit 1
fi
echo "soak PASSED"

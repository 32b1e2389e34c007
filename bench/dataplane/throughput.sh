#!/usr/bin/env bash
# bench/dataplane/throughput.sh - vpnlab's ESP dataplane against its anchors, one path after
# another on the same 4-namespace topology (host A -- gw A == veth == gw B -- host B):
#   plain        routed path, no tunnel (plain.sh ROUTERS=2)
#   swan-gcm     strongSwan charon + kernel-libipsec, AES-256-GCM   (strongswan-libipsec.sh)
#   swan-cbc     strongSwan charon + kernel-libipsec, AES-256-CBC + HMAC-SHA2-256
#   wg           wireguard-go                                       (wireguard-go.sh)
#   vpnlab-gcm   vpnlab_dp_manual, AES-256-GCM, ESP in UDP 4500     (vpnlab.sh)
#   vpnlab-cbc   vpnlab_dp_manual, AES-256-CBC + HMAC-SHA2-256, ESP in UDP
#   vpnlab-gcm-raw, vpnlab-cbc-raw   the same over raw ESP (IP protocol 50)
# Each: iperf3 TCP 1 and 4 streams, 64-byte UDP pps (udp_blast), REPS runs of T seconds.
# Prints a table (Gbps, kpps, CPU seconds per GB) and vpnlab/anchor ratios against the
# targets of the dataplane issue. Knobs: T=5 REPS=1 ONLY="..." BUILD=<build dir> OUTDIR=...
#   ONLY names: plain swan-gcm swan-cbc wg vpnlab-gcm vpnlab-cbc vpnlab-gcm-raw vpnlab-cbc-raw
#               plain-gsogen vpnlab-gcm-gsogen (64-byte UDP from a UDP_SEGMENT generator)
set -u
D=$(cd "$(dirname "$0")" && pwd)
export T=${T:-5} REPS=${REPS:-1}
export BUILD=${BUILD:-$(cd "$D/../.." && pwd)/build}
OUTDIR=${OUTDIR:-/tmp/vpnlab-dp-bench-$(date -u +%Y%m%dT%H%M%SZ)}
ONLY=${ONLY:-plain swan-gcm swan-cbc wg vpnlab-gcm vpnlab-cbc vpnlab-gcm-raw vpnlab-cbc-raw plain-gsogen vpnlab-gcm-gsogen}
mkdir -p "$OUTDIR"
{
  echo "date: $(date -u +%FT%TZ); kernel $(uname -r); $(nproc) cores;$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
  echo "settings: T=$T REPS=$REPS BUILD=$BUILD; load before: $(cat /proc/loadavg)"
} | tee "$OUTDIR/env.txt"
rc=0
run() { # name script [VAR=value ...]
  local name=$1 script=$2; shift 2
  case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
  echo; echo "######## $name: $* $script  ($(date -u +%T))"
  env "$@" "$D/$script" 2>&1 | tee "$OUTDIR/$name.log"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "!! $name failed"; rc=1; }
  grep -h '^RESULT' "$OUTDIR/$name.log" | sed "s/^RESULT/$name/" >>"$OUTDIR/results.tsv"
}
: >"$OUTDIR/results.tsv"
run plain          plain.sh ROUTERS=2
run swan-gcm       strongswan-libipsec.sh ESP=aes256gcm16
run swan-cbc       strongswan-libipsec.sh ESP=aes256-sha256
run wg             wireguard-go.sh
run vpnlab-gcm     vpnlab.sh ESP=aes256gcm16 ENCAP=udp
run vpnlab-cbc     vpnlab.sh ESP=aes256-sha256 ENCAP=udp
run vpnlab-gcm-raw vpnlab.sh ESP=aes256gcm16 ENCAP=raw
run vpnlab-cbc-raw vpnlab.sh ESP=aes256-sha256 ENCAP=raw
# The same 64-byte load from a cheaper generator (64 datagrams per UDP_SEGMENT send; the
# kernel splits them before the TUN): how many pps the tunnel carries when the sender does
# not eat the CPU the tunnel needs. UDP only.
run plain-gsogen   plain.sh ROUTERS=2 BLAST_GSO=1 TCP=0
run vpnlab-gcm-gsogen vpnlab.sh ESP=aes256gcm16 ENCAP=udp BLAST_GSO=1 TCP=0

echo; echo "######## results ($OUTDIR/results.tsv; medians of REPS=$REPS x T=$T s)"
awk -F'\t' '
  function v(k,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "-" }
  { name = $1; names[++n] = name
    tcp1[name] = v("tcp1_median"); tcp4[name] = v("tcp4_median"); udp[name] = v("udp64_median")
    tcpu[name] = v("tcp1_tun_cpu_s_per_gb"); mcpu[name] = v("tcp1_machine_cpu_s_per_gb") }
  function ratio(a, b) { return (a + 0 > 0 && b + 0 > 0) ? sprintf("%.2fx", a / b) : "-" }
  END {
    printf "%-16s %9s %9s %11s %14s %16s\n", "path", "tcp1 Gbps", "tcp4 Gbps", "udp64 kpps", "tun CPU s/GB", "machine CPU s/GB"
    for (i = 1; i <= n; i++) { k = names[i]
      printf "%-16s %9s %9s %11s %14s %16s\n", k, tcp1[k], tcp4[k], udp[k], tcpu[k], mcpu[k] }
    print ""
    printf "%-16s %-10s %9s %9s %9s   %s\n", "vpnlab path", "anchor", "tcp1", "tcp4", "udp64", "target (tcp1)"
    for (i = 1; i <= n; i++) { k = names[i]; if (k !~ /^vpnlab/) continue
      for (j = 1; j <= n; j++) { a = names[j]; if (a ~ /^vpnlab/) continue
        if ((k ~ /gsogen/) != (a ~ /gsogen/)) continue
        tgt = (a ~ /^swan/) ? ">= 10x" : (a == "wg") ? ">= 5x" : (a == "plain") ? ">= 0.20x" : ""
        printf "%-16s %-10s %9s %9s %9s   %s\n", k, a, ratio(tcp1[k], tcp1[a]), ratio(tcp4[k], tcp4[a]), ratio(udp[k], udp[a]), tgt }
      printf "%-16s %-10s %9s %9s %9s   %s\n", k, "(absolute)", "", "", udp[k], "udp64 > 140 kpps per tunnel" }
  }' "$OUTDIR/results.tsv" | tee "$OUTDIR/table.txt"
exit $rc

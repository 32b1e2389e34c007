#!/usr/bin/env bash
# bench/dataplane/ (from anchors/ipsec/) strongswan-libipsec.sh - strongSwan charon with the kernel-libipsec plugin
# (userspace ESP on a TUN device; this kernel has no XFRM ESP) between two gateway namespaces:
#   host A -- gw A ==IKEv2 PSK + ESP-in-UDP over veth 192.0.2.0/24== gw B -- host B
# Site-to-site 10.1.0.0/16 <-> 10.2.0.0/16, tunnel mode.
#   ESP=aes256gcm16 (default) | aes256-sha256 | any esp_proposals string
#   IKE=aes256-sha256-modp2048 (default)   ENCAP=yes (default; see below)   UP_REPS=5
# Two charon instances on one machine: each runs in its gateway's network namespace and in a
# private mount namespace where a per-instance directory is bind-mounted on /run (charon 5.9.8
# has its pid file compiled in as /var/run/charon.pid), with its own strongswan.conf
# (STRONGSWAN_CONF), its own vici socket and its own log, all in this run's temp dir.
# Measures: IKE_SA+CHILD_SA setup time (swanctl --initiate, cold then UP_REPS re-initiations),
# then iperf3/ping as the other anchors, with the CPU of both charon processes.
# kernel-libipsec in 5.9.8 always uses UDP encapsulation (raw ESP needs 5.9.11+), so
# ENCAP=no still ends up as ESP-in-UDP on port 4500; the SA mode is printed to show it.
set -u
. "$(dirname "$0")/lib.sh"
CHARON=${CHARON:-/usr/lib/ipsec/charon}
need "$CHARON:charon-systemd strongswan-charon" swanctl:strongswan-swanctl unshare:util-linux
[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] || die "missing: apt-get install -y libcharon-extra-plugins"
ESP=${ESP:-aes256gcm16}
IKE=${IKE:-aes256-sha256-modp2048}
ENCAP=${ENCAP:-yes}
UP_REPS=${UP_REPS:-5}
PSK=${PSK:-anchor-benchmark-psk-0123456789abcdef}
SWVER=$("$CHARON" --version 2>/dev/null | head -1 | awk '{print $NF}')
[ -n "$SWVER" ] || SWVER=$(dpkg-query -W -f='${Version}' libstrongswan 2>/dev/null)
build_gw_topo

mkconf() { # side local remote local_ts remote_ts
  local d=$WORK/sw$1
  mkdir -p "$d/run"
  cat >"$d/strongswan.conf" <<C
charon {
  load_modular = no
  load = random nonce openssl kdf kernel-libipsec kernel-netlink socket-default vici
  install_routes = yes
  plugins {
    vici { socket = unix://$d/charon.vici }
  }
  filelog {
    log { path = $d/charon.log
          time_format = %T
          default = 1
          ike_name = yes }
  }
  syslog { }
}
swanctl { socket = unix://$d/charon.vici }
C
  cat >"$d/swanctl.conf" <<C
connections {
  s2s {
    version = 2
    local_addrs = $2
    remote_addrs = $3
    encap = $ENCAP
    proposals = $IKE
    local { auth = psk
            id = $2 }
    remote { auth = psk
             id = $3 }
    children {
      net { local_ts = $4
            remote_ts = $5
            mode = tunnel
            esp_proposals = $ESP
            start_action = none }
    }
  }
}
secrets {
  ike-s2s { id-a = 192.0.2.1
            id-b = 192.0.2.2
            secret = "$PSK" }
}
C
}
mkconf A 192.0.2.1 192.0.2.2 10.1.0.0/16 10.2.0.0/16
mkconf B 192.0.2.2 192.0.2.1 10.2.0.0/16 10.1.0.0/16

swan() { # side swanctl-args...
  local s=$1; shift
  x "$([ "$s" = A ] && echo "$NS_GA" || echo "$NS_GB")" env STRONGSWAN_CONF="$WORK/sw$s/strongswan.conf" \
    swanctl "$@" --uri "unix://$WORK/sw$s/charon.vici"
}
start_charon() { # side ns
  local d=$WORK/sw$1
  bg "$2" "$d/charon.out" env STRONGSWAN_CONF="$d/strongswan.conf" \
    unshare --mount --propagation private sh -c 'mount --bind "$1" /run && exec "$2"' sh "$d/run" "$CHARON"
  TUN_PIDS+=("$BG_PID")
  local i; for i in $(seq 100); do [ -S "$d/charon.vici" ] && [ -s "$d/run/charon.pid" ] && break; sleep 0.05; done
  [ -S "$d/charon.vici" ] || die "charon $1 did not start: $(tail -5 "$d/charon.out" "$d/charon.log" 2>/dev/null)"
  [ -s "$d/run/charon.pid" ] || die "charon $1: no pid file in its private /run"
  swan "$1" --load-all --file "$d/swanctl.conf" >"$d/load.out" 2>&1 || die "swanctl --load-all $1: $(cat "$d/load.out")"
}
t0=$(now_ns)
start_charon B "$NS_GB"
start_charon A "$NS_GA"
t1=$(now_ns)

# cold: first IKE_SA_INIT + IKE_AUTH (with the CHILD_SA) after the daemons start
swan A --initiate --child net --timeout 10 >"$WORK/init.out" 2>&1 || die "initiate failed: $(tail -20 "$WORK/swA/charon.log")"
t2=$(now_ns)
wait_ping 10 || die "strongSwan libipsec: no connectivity host A -> host B; $(tail -20 "$WORK/swA/charon.log")"
t3=$(now_ns)
sec() { awk -v d="$1" 'BEGIN{printf "%.3f", d/1e9}'; }
COLD=$(sec $((t2 - t1))); FIRSTPING=$(sec $((t3 - t1))); DAEMONS=$(sec $((t1 - t0)))

# warm: terminate and initiate again UP_REPS times (daemons and config already loaded)
ups=()
for r in $(seq "$UP_REPS"); do
  swan A --terminate --ike s2s --timeout 5 >/dev/null 2>&1
  for i in $(seq 50); do swan B --list-sas 2>/dev/null | grep -q s2s || break; sleep 0.05; done
  a=$(now_ns)
  swan A --initiate --child net --timeout 10 >"$WORK/init.out" 2>&1 || die "re-initiate $r failed"
  b=$(now_ns); ups+=("$(sec $((b - a)))")
done
read -r UPMED UPMIN UPMAX <<<"$(stats "${ups[@]}")"
wait_ping 10 || die "no connectivity after re-initiation"

SA=$(swan A --list-sas 2>/dev/null)
MODE=$(grep -oE 'INSTALLED, [A-Za-z-]+, [^ ]+' <<<"$SA" | head -1 | sed 's/^INSTALLED, //; s/, / /')
TUNDEV=$(ip -n "$NS_GA" -o link show | awk -F': ' '/ipsec|tun/{print $2; exit}')
TUNMTU=$(ip -n "$NS_GA" -o link show "$TUNDEV" 2>/dev/null | grep -oE 'mtu [0-9]+' | awk '{print $2}')
echo "strongSwan $SWVER charon + kernel-libipsec; IKE $IKE; ESP $ESP; encap=$ENCAP"
echo "   child SA: $MODE; TUN $TUNDEV mtu ${TUNMTU:-?}"
echo "   both charons started + configs loaded: ${DAEMONS}s (pids ${TUN_PIDS[*]}, each with its own /run, vici socket and log)"
echo "   cold IKE_SA+CHILD_SA (swanctl --initiate): ${COLD}s; to first ping reply: ${FIRSTPING}s"
echo "   warm re-initiate x$UP_REPS: median ${UPMED}s (min $UPMIN, max $UPMAX)"
sed 's/^/   /' <<<"$SA" | grep -E 'ESTABLISHED|INSTALLED|AES|in |out ' | head -8
measure_path "strongswan-libipsec-$ESP" "version=$SWVER" "esp=$ESP" "ike=$IKE" "encap=$ENCAP" \
  "mode=$(tr ' ' '_' <<<"$MODE")" "up_cold_s=$COLD" "first_ping_s=$FIRSTPING" \
  "up_warm_median_s=$UPMED" "up_warm_min_s=$UPMIN" "up_warm_max_s=$UPMAX" "tun_mtu=${TUNMTU:-?}"

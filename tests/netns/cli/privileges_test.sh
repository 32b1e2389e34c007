#!/usr/bin/env bash
# Scenario: least privilege and secrets of the running reference lab (issue 12).
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels, BGP== aws-vgw -- vpc-host   (time factor 0.2)
#
# up -> converged -> every gateway and the supervisor, every thread: CapEff = CapPrm = CapBnd
# = CAP_NET_ADMIN only, CapInh = CapAmb = 0, NoNewPrivs 1, core limit 0, and not dumpable
# (gdb in a root process without CAP_SYS_PTRACE cannot attach to it, while it attaches to a
# dumpable control process) -> everything under /run/vpnlab/<lab> root-only (0700
# directories, 0600 files and sockets) -> a CHILD_SA rekey, an IKE_SA rekey and a tunnel
# down/up drill work with these privileges, and traffic flows -> no PSK in any lab process's
# cmdline or environ, any log, status (text, --json, --sas) or drill output -> a run
# directory, a plan or a lab file with group/other bits is refused, naming path and mode.
# Labs are named hd-p<pid> and hd-b<pid>; cleanup runs on every exit.
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
LAB=hd-p$$
BAD=hd-b$$
work=$(mktemp -d)
ctl=
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
  [ -n "$ctl" ] && kill "$ctl" 2>/dev/null
  "$VPNLAB" down "$work/bad.yaml" >/dev/null 2>&1
  rm -rf "/run/vpnlab/$BAD"
  for ns in $(ip netns list | awk '{print $1}' | grep "^$BAD-"); do ip netns del "$ns"; done
  lab_cleanup
}
trap cleanup EXIT
run() { echo "+ $*"; "$@"; }

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.2/" >"$work/lab.yaml"
grep -q "time_factor: 0.2" "$work/lab.yaml" || fail "could not make the test lab"
psks=$(grep -oE "(shared_key|pre_shared_key): [^ ]+" "$work/lab.yaml" | awk '{print $2}' | sort -u)
[ "$(echo "$psks" | wc -l)" = 4 ] || fail "expected 4 PSKs in the lab file, got: $psks"
out="$work/out"  # every command's output, grepped for PSKs at the end
mkdir -m 0700 "$out"

run "$VPNLAB" up "$work/lab.yaml" >"$out/up.txt" 2>&1 || { cat "$out/up.txt"; fail "up"; }
converged() {
  for i in $(seq 150); do
    "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
    c=$(jq '[.azure.connections[] | select(.connectionStatus == "Connected")] | length' "$work/status.json")
    r=$(jq '[.aws.VpnConnections[].VgwTelemetry[] | select(.StatusMessage == "1 BGP ROUTES")] | length' "$work/status.json")
    [ "$c" = 4 ] && [ "$r" = 4 ] && return 0
    sleep 0.2
  done
  jq . "$work/status.json"
  return 1
}
converged || fail "lab did not converge with reduced privileges"
echo "ok: 4 connections Connected, 4 AWS tunnels UP with their BGP route"

# --- capabilities, no_new_privs, core limit: every thread of every lab process -------------
pids=()
for f in /run/vpnlab/$LAB/*.pid; do pids+=("$(cat "$f")"); done
[ ${#pids[@]} = 4 ] || fail "expected 3 gateway PID files and the supervisor's, got ${#pids[@]}"
net_admin=0000000000001000  # 1 << CAP_NET_ADMIN (12)
for pid in "${pids[@]}"; do
  name=$(tr '\0' ' ' </proc/$pid/cmdline | awk '{print $2, $3, $4}')
  threads=0
  for st in /proc/$pid/task/*/status; do
    threads=$((threads + 1))
    for field in CapEff CapPrm CapBnd; do
      v=$(awk -v f="$field:" '$1 == f {print $2}' "$st")
      [ "$v" = $net_admin ] || fail "pid $pid ($name) $st: $field $v, expected $net_admin (CAP_NET_ADMIN only)"
    done
    for field in CapInh CapAmb; do
      v=$(awk -v f="$field:" '$1 == f {print $2}' "$st")
      [ "$v" = 0000000000000000 ] || fail "pid $pid ($name): $field $v, expected none"
    done
    v=$(awk '$1 == "NoNewPrivs:" {print $2}' "$st")
    [ "$v" = 1 ] || fail "pid $pid ($name): NoNewPrivs $v"
  done
  grep -E "^Max core file size +0 +0 " /proc/$pid/limits >/dev/null || fail "pid $pid ($name): core dumps allowed: $(grep core /proc/$pid/limits)"
  grep -q "privileges: kept CAP_NET_ADMIN" /run/vpnlab/$LAB/*.log || fail "no 'privileges: kept' line logged"
  echo "ok: pid $pid ($name): $threads thread(s) with CapEff=CapPrm=CapBnd=CAP_NET_ADMIN, NoNewPrivs 1, core limit 0"
done

# --- not dumpable: ptrace attach (gdb) is refused to a root process without CAP_SYS_PTRACE,
# which attaches to a dumpable control process holding no capabilities (ptrace(2) "Ptrace
# access mode checking": a non-dumpable target needs CAP_SYS_PTRACE).
attach() { setpriv --bounding-set=-sys_ptrace gdb -batch -nx -p "$1" 2>&1; }
setpriv --bounding-set=-all sleep 120 &
ctl=$!
sleep 0.2
attach "$ctl" | grep -q "detached" || fail "control: gdb without CAP_SYS_PTRACE should attach to a dumpable process: $(attach "$ctl")"
for pid in "${pids[@]}"; do
  err=$(attach "$pid")
  echo "$err" | grep -q "ptrace: Operation not permitted" || fail "pid $pid: gdb attached without CAP_SYS_PTRACE: $err"
done
kill "$ctl"; ctl=
echo "ok: gateways and supervisor are not dumpable (gdb attach without CAP_SYS_PTRACE refused; it attaches to a dumpable control)"

# --- modes of everything under the run directory ---------------------------------------
n=0
while read -r mode uid type path; do
  n=$((n + 1))
  want=600; [ "$type" = directory ] && want=700
  [ "$uid" = 0 ] && [ "$mode" = $want ] || fail "$path ($type): mode $mode uid $uid, expected $want root"
done < <(find /run/vpnlab/$LAB -printf '%m %U %y %p\n' | sed 's/ d / directory /; s/ f / file /; s/ s / socket /')
[ $n -ge 12 ] || fail "only $n entries under /run/vpnlab/$LAB"
echo "ok: $n entries under /run/vpnlab/$LAB, directories 0700 and files/sockets 0600, all root's"

# --- rekeys and a drill with the reduced privileges ------------------------------------
sas() { # node device: "<IKE_SA SPIs> <active CHILD_SA inbound SPI>" per established IKE_SA
  "$VPNLAB" status "$work/lab.yaml" --json 2>/dev/null |
    jq -r --arg n "$1" --arg d "$2" '.gateways[$n].tunnels[] | select(.device == $d) | .ike_sas[]
      | select(.state == "ESTABLISHED") | "\(.spis) \([.child_sas[] | select(.outbound_active)][0].spi_in)"'
}
rekeyed() { # what: waits until the tunnel has one established IKE_SA and `what` (a SPI) is gone
  for i in $(seq 50); do
    now=$(sas aws-vgw aws0t1)
    [ "$(echo "$now" | wc -l)" = 1 ] && ! echo "$now" | grep -qF "$1" && ! echo "$now" | grep -q null && return 0
    sleep 0.2
  done
  return 1
}
before=$(sas aws-vgw aws0t1)
[ "$(echo "$before" | wc -l)" = 1 ] || fail "expected one established IKE_SA on aws0t1: $before"
run "$VPNLAB" tunnel rekey aws0t1 --node aws-vgw "$work/lab.yaml" >"$out/rekey.txt" 2>&1 || fail "tunnel rekey: $(cat "$out/rekey.txt")"
rekeyed "${before#* }" || fail "CHILD_SA not rekeyed: $before -> $now"
echo "ok: CHILD_SA rekeyed: inbound SPI ${before#* } -> ${now#* }"
before=$now
run "$VPNLAB" tunnel rekey-ike aws0t1 --node aws-vgw "$work/lab.yaml" >"$out/rekey-ike.txt" 2>&1 || fail "tunnel rekey-ike: $(cat "$out/rekey-ike.txt")"
rekeyed "${before% *}" || fail "IKE_SA not rekeyed: $before -> $now"
echo "ok: IKE_SA rekeyed: ${before% *} -> ${now% *}"
run "$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" >"$out/down.txt" 2>&1 || fail "tunnel down"
jq -e '.aws.VpnConnections[0].VgwTelemetry[0].Status == "DOWN"' <("$VPNLAB" status "$work/lab.yaml" --json) >/dev/null ||
  fail "tunnel aws0t1 not DOWN after the drill"
run "$VPNLAB" tunnel up aws0t1 "$work/lab.yaml" >"$out/up-tunnel.txt" 2>&1 || fail "tunnel up"
wait_aws0t1_route || fail "tunnel aws0t1 did not come back with its BGP route"
converged || fail "lab did not converge again after the drills"
for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
run ip netns exec "$LAB-vnet-vm" ping -c3 -W1 10.2.0.4 || fail "VNet VM cannot reach the VPC host"
echo "ok: rekeys, tunnel down/up and traffic VNet VM -> VPC host with CAP_NET_ADMIN only"

# --- no PSK anywhere a secret must not be -----------------------------------------------
"$VPNLAB" status "$work/lab.yaml" >"$out/status.txt" 2>&1
"$VPNLAB" status "$work/lab.yaml" --json >"$out/status.json" 2>&1
"$VPNLAB" status "$work/lab.yaml" --sas >"$out/sas.txt" 2>&1
for pid in "${pids[@]}"; do
  tr '\0' '\n' </proc/$pid/cmdline >"$out/cmdline.$pid"
  tr '\0' '\n' </proc/$pid/environ >"$out/environ.$pid"
done
[ "$(ls /run/vpnlab/$LAB/*.log | wc -l)" = 4 ] || fail "expected 4 logs"
places=("$out"/* /run/vpnlab/$LAB/*.log)
for psk in $psks; do
  hits=$(grep -lF "$psk" "${places[@]}")
  [ -z "$hits" ] || fail "a PSK appears in: $hits"
done
echo "ok: none of the 4 PSKs in ${#places[@]} places (cmdline and environ of ${#pids[@]} processes, 4 logs, status text/--json/--sas, up and drill output)"

# --- refusals: group/other bits on the run directory, a plan, the lab file -------------
sed "s/^  name: $LAB$/  name: $BAD/" "$work/lab.yaml" >"$work/bad.yaml"
mkdir -m 0755 "/run/vpnlab/$BAD"
err=$("$VPNLAB" up "$work/bad.yaml" 2>&1) && fail "up accepted a run directory with mode 0755"
echo "$err" | grep -qF "/run/vpnlab/$BAD: mode 0755" || fail "unclear refusal: $err"
ip netns list | grep -q "^$BAD-" && fail "up built namespaces before refusing"
echo "ok: up refused: $err"
err=$("$VPNLAB" supervise --lab "$BAD" 2>&1) && fail "supervise accepted a run directory with mode 0755"
echo "$err" | grep -qF "/run/vpnlab/$BAD: mode 0755" || fail "unclear refusal: $err"
echo "ok: supervise refused: $err"
install -m 0600 /dev/null "/run/vpnlab/$BAD/lab.yaml"; chmod 0700 "/run/vpnlab/$BAD"; chmod 0644 "/run/vpnlab/$BAD/lab.yaml"
err=$("$VPNLAB" supervise --lab "$BAD" 2>&1) && fail "supervise accepted a lab file with mode 0644"
echo "$err" | grep -qF "/run/vpnlab/$BAD/lab.yaml: mode 0644" || fail "unclear refusal: $err"
echo "ok: supervise refused: $err"
install -m 0644 "/run/vpnlab/$LAB/aws-vgw.plan.yaml" "$work/open.plan.yaml"
err=$(timeout 10 "$VPNLAB" gateway --config "$work/open.plan.yaml" --socket "$work/x.sock" 2>&1) &&
  fail "gateway started from a plan with mode 0644"
echo "$err" | grep -qF "$work/open.plan.yaml: mode 0644" || fail "unclear refusal: $err"
echo "ok: gateway refused: $err"
grep -qF "$(echo "$psks" | head -1)" <<<"$err" && fail "a refusal printed a PSK"

run "$VPNLAB" down "$work/lab.yaml" >/dev/null || fail "down"
echo "PASS"

#!/usr/bin/env bash
# Underlay up/down time: `vpnlab up --underlay-only` + `vpnlab down` (netlink) against an
# anchor measured in the same run: the same 7-namespace underlay built with iproute2
# commands (`ip netns add`, `ip link add ... type veth`, ...), the way a shell script would.
# Prints medians over RUNS (default 10) and the ratio anchor / vpnlab.
#   bench/topology/underlay_bench.sh [path/to/vpnlab]
set -euo pipefail
VPNLAB=${1:-$(dirname "$0")/../../build/cli/vpnlab}
RUNS=${RUNS:-10}
[ "$(id -u)" = 0 ] || { echo "run as root"; exit 1; }
LAB=vpnlab-b$$
work=$(mktemp -d)
trap '"$VPNLAB" down "$work/lab.yaml" >/dev/null 2>&1 || true; anchor_down 2>/dev/null || true; rm -rf "$work"' EXIT
"$VPNLAB" topology show --show-secrets | sed "s/^  name: vpnlab$/  name: $LAB/" > "$work/lab.yaml"

now() { date +%s%N; }
ms() { awk -v d="$1" 'BEGIN{printf "%.1f", d/1e6}'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

A=anc$$
anchor_up() {
  local n; for n in vm vnet inet gw0 gw1 vgw host; do ip netns add $A-$n; ip -n $A-$n link set lo up; done
  for n in vnet inet gw0 gw1 vgw; do ip netns exec $A-$n sysctl -qw net.ipv4.ip_forward=1; done
  ip -n $A-vnet link add gwsubnet type bridge; ip -n $A-vnet addr add 10.1.1.1/24 dev gwsubnet; ip -n $A-vnet link set gwsubnet up
  ip -n $A-inet link add azure type bridge; ip -n $A-inet addr add 203.0.113.1/24 dev azure; ip -n $A-inet link set azure up
  ip -n $A-inet link add aws type bridge; ip -n $A-inet addr add 198.51.100.1/24 dev aws; ip -n $A-inet link set aws up
  ip -n $A-vm link add eth0 type veth peer name frontend netns $A-vnet
  ip -n $A-vm addr add 10.1.0.4/24 dev eth0; ip -n $A-vm link set eth0 up
  ip -n $A-vnet addr add 10.1.0.1/24 dev frontend; ip -n $A-vnet link set frontend up
  ip -n $A-vm route add default via 10.1.0.1
  local i
  for i in 0 1; do
    ip -n $A-gw$i link add vnet type veth peer name gw$i netns $A-vnet
    ip -n $A-gw$i addr add 10.1.1.$((4 + i))/24 dev vnet; ip -n $A-gw$i link set vnet up
    ip -n $A-vnet link set gw$i master gwsubnet; ip -n $A-vnet link set gw$i up
    ip -n $A-gw$i link add wan type veth peer name az-gw$i netns $A-inet
    ip -n $A-gw$i addr add 203.0.113.$((10 + i))/24 dev wan; ip -n $A-gw$i link set wan up
    ip -n $A-inet link set az-gw$i master azure; ip -n $A-inet link set az-gw$i up
    ip -n $A-gw$i route add default via 203.0.113.1; ip -n $A-gw$i route add 10.1.0.0/16 via 10.1.1.1
  done
  ip -n $A-vgw link add wan type veth peer name aws-vgw netns $A-inet
  for i in 10 11 12 13; do ip -n $A-vgw addr add 198.51.100.$i/24 dev wan; done
  ip -n $A-vgw link set wan up; ip -n $A-inet link set aws-vgw master aws; ip -n $A-inet link set aws-vgw up
  ip -n $A-vgw route add default via 198.51.100.1
  ip -n $A-vgw link add vpc type veth peer name eth0 netns $A-host
  ip -n $A-vgw addr add 10.2.0.1/24 dev vpc; ip -n $A-vgw link set vpc up
  ip -n $A-host addr add 10.2.0.4/24 dev eth0; ip -n $A-host link set eth0 up; ip -n $A-host route add default via 10.2.0.1
}
anchor_down() { local n; for n in vm vnet inet gw0 gw1 vgw host; do ip netns del $A-$n 2>/dev/null || true; done; }

vu=(); vd=(); au=(); ad=()
for r in $(seq "$RUNS"); do
  t0=$(now); "$VPNLAB" up "$work/lab.yaml" --underlay-only >"$work/up.out" || true; t1=$(now)
  grep -q "12/12" "$work/up.out" || { cat "$work/up.out"; echo "vpnlab underlay not reachable"; exit 1; }
  "$VPNLAB" down "$work/lab.yaml" >/dev/null; t2=$(now)
  anchor_up; t3=$(now); ip netns exec $A-gw0 ping -c1 -W1 198.51.100.13 >/dev/null || { echo "anchor not reachable"; exit 1; }
  t4=$(now); anchor_down; t5=$(now)
  vu+=("$(ms $((t1 - t0)))"); vd+=("$(ms $((t2 - t1)))"); au+=("$(ms $((t3 - t2)))"); ad+=("$(ms $((t5 - t4)))")
done
VU=$(median "${vu[@]}"); VD=$(median "${vd[@]}"); AU=$(median "${au[@]}"); AD=$(median "${ad[@]}")
echo "underlay (7 namespaces, 6 veth pairs, 3 bridges), median of $RUNS runs, wall time of the whole command:"
printf '  %-44s up %8s ms   down %7s ms\n' "vpnlab (netlink; up includes 12 ICMP probes)" "$VU" "$VD"
printf '  %-44s up %8s ms   down %7s ms\n' "anchor: iproute2 commands (ip netns/link/addr)" "$AU" "$AD"
awk -v vu="$VU" -v au="$AU" -v vd="$VD" -v ad="$AD" 'BEGIN{printf "  ratio anchor/vpnlab: up %.1fx, down %.1fx\n", au/vu, ad/vd}'

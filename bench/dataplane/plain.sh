#!/usr/bin/env bash
# bench/dataplane/ (from anchors/ipsec/) plain.sh - the path limit: routed veth path with no tunnel.
#   ROUTERS=1 (default): host A -- router -- host B   (3 namespaces, 1 forwarding hop)
#   ROUTERS=2          : host A -- gw A == gw B -- host B (the tunnel scripts' 4-namespace
#                        topology, static routes instead of a tunnel; 2 forwarding hops)
# iperf3 TCP 1 and 4 streams (and 64-byte UDP with UDP=1), REPS runs of T seconds, medians,
# plus idle ping RTT. Everything it creates is removed on exit (see lib.sh).
set -u
. "$(dirname "$0")/lib.sh"
ROUTERS=${ROUTERS:-1}
case $ROUTERS in
  1) build_router_topo; label=plain-1router ;;
  2) build_gw_topo
     ip -n "$NS_GA" route add 10.2.0.0/16 via 192.0.2.2
     ip -n "$NS_GB" route add 10.1.0.0/16 via 192.0.2.1
     label=plain-2routers ;;
  *) die "ROUTERS must be 1 or 2" ;;
esac
wait_ping 5 || die "no connectivity on the plain path"
echo "plain path ($label), iperf3 $(iperf3 --version | head -1 | awk '{print $2}'), kernel $(uname -r), $(nproc) cores"
measure_path "$label" "iperf3=$(iperf3 --version | head -1 | awk '{print $2}')"

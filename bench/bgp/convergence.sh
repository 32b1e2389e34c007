#!/usr/bin/env bash
# BGP convergence + memory: vpnlab vs FRR bgpd, BIRD (default and tuned connect delay) and
# GoBGP, each receiving the same table from bgp_bench_sender in namespaces vpnlab-b-<pid>-*.
# Needs root. Not a test (not in ctest). Knobs (environment):
#   BUILD=build-bgpbench  SIZES=1000,10000,100000  REPS=1  POLL_MS=20
#   RECEIVERS=vpnlab,vpnlab-nofib,frr,bird,bird-tuned,gobgp
#   VPNLAB_WRAP='perf record -e cpu-clock --call-graph dwarf -o /tmp/p.data'  (profiling)
# Example: REPS=3 bench/bgp/convergence.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-build-bgpbench}
[[ $build = /* ]] || build="$root/$build"
tag="vpnlab-b-$$"
[[ $(id -u) = 0 ]] || { echo "convergence.sh: needs root (namespaces)" >&2; exit 1; }
for bin in bgp_bench_sender bgp_bench_receiver; do
  [[ -x $build/bench/bgp/$bin ]] || { echo "build $bin first: ninja -C $build $bin" >&2; exit 1; }
done
# Safety net if the Python harness is killed hard: remove whatever it left with our tag.
cleanup() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$tag-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf /tmp/"$tag"-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 "$here/convergence.py" --tag "$tag" \
  --sender "$build/bench/bgp/bgp_bench_sender" --receiver "$build/bench/bgp/bgp_bench_receiver" \
  --sizes "${SIZES:-1000,10000,100000}" --reps "${REPS:-1}" --poll-ms "${POLL_MS:-20}" \
  --receivers "${RECEIVERS:-vpnlab,vpnlab-nofib,frr,bird,bird-tuned,gobgp}" --vpnlab-wrap "${VPNLAB_WRAP:-}"

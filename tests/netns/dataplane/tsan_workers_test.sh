#!/usr/bin/env bash
# The dataplane's multi-worker paths under ThreadSanitizer, zero reports (TSAN=1 build):
#   CORE_TEST   SnapshotCell.* (SA table snapshots: readers on threads while the control
#               thread swaps and reclaims)
#   LANES_TEST  DataplaneLanes.* (two lanes on threads sharing one outbound SA's sequence
#               numbers and one inbound SA's replay window, replays injected concurrently)
#   NETNS_TEST  TunnelTraffic.*2workers (vpnlab_dp_manual with 2 workers in two gateway
#               namespaces: multi-queue TUN, SO_REUSEPORT sockets, 4 TCP streams; root)
# Every process (the tests and the dp_manual gateways they start) writes its reports to files
# under a directory this script reads (TSAN_OPTIONS log_path); any file there fails.
set -u
core=$1 lanes=$2 netns=$3
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
export TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1"
rc=0
"$core" --gtest_filter='SnapshotCell.*' || rc=1
"$lanes" --gtest_filter='DataplaneLanes.*' || rc=1
if [ "$(id -u)" = 0 ]; then
  "$netns" --gtest_filter='*2workers*' || rc=1
else
  echo "not root: skipping the 2-worker netns cases"
fi
n=$(ls "$reports" | wc -l)
if [ "$n" != 0 ]; then
  for f in "$reports"/*; do echo "== $f"; head -60 "$f"; done
  echo "FAIL: $n ThreadSanitizer report file(s)"
  exit 1
fi
[ $rc = 0 ] || { echo "FAIL: a test failed under TSan"; exit 1; }
echo "PASS: zero ThreadSanitizer reports"

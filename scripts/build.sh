#!/usr/bin/env bash
# Configures and builds vpnlab with Ninja into BUILD_DIR (default build/).
#   SANITIZE=1  ASan + UBSan build (default dir build-asan/)
#   FUZZ=1      clang-14 build with the libFuzzer targets (default dir build-fuzz/)
#   TSAN=1      ThreadSanitizer build of the dataplane's multi-worker tests only (default dir
#               build-tsan/, default TARGETS=tsan_targets: a few minutes, not the whole tree)
set -euo pipefail
cd "$(dirname "$0")/.."
args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
dir=${BUILD_DIR:-build}
# ccache, where installed, lets several checkouts (worktrees) share compiled objects.
if command -v ccache >/dev/null; then
  args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$PWD")} CCACHE_NOHASHDIR=1
fi
if [[ "${SANITIZE:-0}" == 1 ]]; then
  dir=${BUILD_DIR:-build-asan}; args+=(-DVPNLAB_SANITIZE=ON -DVPNLAB_BENCH=OFF)
fi
if [[ "${TSAN:-0}" == 1 ]]; then
  dir=${BUILD_DIR:-build-tsan}; args+=(-DVPNLAB_TSAN=ON -DVPNLAB_BENCH=OFF)
  TARGETS=${TARGETS:-tsan_targets}
fi
if [[ "${FUZZ:-0}" == 1 ]]; then
  dir=${BUILD_DIR:-build-fuzz}
  args+=(-DVPNLAB_FUZZ=ON -DVPNLAB_BENCH=OFF -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14)
fi
cmake -S . -B "$dir" "${args[@]}" >/dev/null
# A lock keeps parallel builds (several checkouts, helpers) from fighting over 2 cores.
flock /tmp/vpnlab-build.lock ninja -C "$dir" ${TARGETS:-}
echo "$dir"

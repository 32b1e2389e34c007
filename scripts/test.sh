#!/usr/bin/env bash
# The whole test suite, as the README's second command and .ci/run run it:
# install what is missing, build, run every test (unit, vectors, exchange, fuzz replay,
# hygiene, then the root-only netns and interop scenarios), then a short libFuzzer run per
# fuzz target, the unit tests and the lab's daemons again under ASan + UBSan, and the
# dataplane's multi-worker tests under TSan. Every phase runs even when an
# earlier one failed; the exit status is non-zero if any failed.
#   QUICK=1      skip the libFuzzer and sanitizer (ASan, TSan) passes
#   FUZZ_SECONDS fuzzing time per target (default 20)
set -uo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "test.sh: run as root (the netns tests build namespaces)"; exit 1; }
scripts/install-deps.sh || exit 1
scripts/build.sh >/dev/null || exit 1
failed=()
phase() { # name command...
  local name=$1; shift
  echo "== $name"
  "$@" || failed+=("$name")
}
phase "unit, vectors, exchange, fuzz replay, hygiene" \
  ctest --test-dir build --output-on-failure -j2 -LE 'netns|interop'
phase "netns and interop scenarios (root, real peers)" \
  ctest --test-dir build --output-on-failure -L 'netns|interop'
if [[ "${QUICK:-0}" != 1 ]]; then
  quiet_build() { # build quietly; on failure show the compiler's last words
    "$@" >/tmp/vpnlab-build.log 2>&1 || { grep -E "error|FAILED" /tmp/vpnlab-build.log | head -20; return 1; }
  }
  fuzz() { quiet_build env FUZZ=1 TARGETS=fuzz_targets scripts/build.sh && ctest --test-dir build-fuzz --output-on-failure -L fuzzrun; }
  phase "libFuzzer, ${FUZZ_SECONDS:-20} s per target (clang-14)" fuzz
  # The unit tests, then the gateway and supervisor daemons through a lab's life (label
  # sanitized: root, namespaces; one at a time after the parallel unit tests).
  asan() {
    quiet_build env SANITIZE=1 scripts/build.sh || return 1
    local rc=0
    ctest --test-dir build-asan --output-on-failure -j2 -LE 'netns|interop|hygiene|sanitized' || rc=1
    ctest --test-dir build-asan --output-on-failure -L sanitized || rc=1
    return $rc
  }
  phase "unit tests and the lab's daemons under ASan + UBSan" asan
  tsan() { quiet_build env TSAN=1 scripts/build.sh && ctest --test-dir build-tsan --output-on-failure -L tsan; }
  phase "the dataplane's worker threads under TSan" tsan
fi
if ((${#failed[@]})); then
  printf 'FAILED phases: %s\n' "${failed[*]}"
  exit 1
fi
echo "all test phases passed"

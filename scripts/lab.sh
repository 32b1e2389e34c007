#!/usr/bin/env bash
# The README's first command: install what is missing, build, and bring up the default lab
# (or the lab file given), printing its status. `scripts/lab.sh down` removes it again.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $(id -u) -eq 0 ]] || { echo "lab.sh: run as root (the lab lives in network namespaces)"; exit 1; }
scripts/install-deps.sh
TARGETS=vpnlab scripts/build.sh >/dev/null
if [[ "${1:-}" == down ]]; then shift; exec build/cli/vpnlab down "$@"; fi
build/cli/vpnlab up --wait 60 "$@"
echo
exec build/cli/vpnlab status "$@"

#!/usr/bin/env bash
# Installs whatever vpnlab needs that is missing, from Debian 12 packages only.
#   scripts/install-deps.sh            build + test dependencies (what `make test` needs)
#   scripts/install-deps.sh --bench    also the benchmark anchors (wireguard-go, BIRD, GoBGP)
# Safe to run again: it asks dpkg first and calls apt-get only for what is absent.
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkg-config
  libssl-dev libsodium-dev libboost-dev libmnl-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev
  clang-14 libclang-rt-14-dev clang-format-14)
# Real peers and tools the netns/interop tests start (never mocks).
test_pkgs=(iproute2 iputils-ping nftables procps psmisc jq
  strongswan-charon strongswan-swanctl charon-systemd libcharon-extra-plugins
  libstrongswan-standard-plugins
  frr bird2 tshark iperf3 util-linux graphviz libxml2-utils gdb
  python3-scapy python3-cryptography)
bench_pkgs=(wireguard-go wireguard-tools gobgpd linux-perf valgrind)

# intel-ipsec-mb: esp/'s fast AES backend; Debian builds it for amd64 only.
[[ "$(dpkg --print-architecture)" == amd64 ]] && build_pkgs+=(libipsec-mb-dev)

want=("${build_pkgs[@]}" "${test_pkgs[@]}")
[[ "${1:-}" == "--bench" ]] && want+=("${bench_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: must run as root to install packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# FRR and strongSwan ship systemd units; nothing here starts them (tests run their own daemons).
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/vpnlab-apt.log 2>&1 || {
  tail -30 /tmp/vpnlab-apt.log >&2
  exit 1
}
echo "install-deps: done"

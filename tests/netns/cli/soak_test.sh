#!/usr/bin/env bash
# The soak in CI (scripts/soak.sh, README "Reliability / Soak"), bounded: 150 s of rekeys on
# every tunnel (CHILD_SA ~2 s, IKE_SA ~6 s), a BGP session reset every 20 s one tunnel after
# the other, the probe stream and iperf3 throughout; every check of the long soak applies.
# The lab is named vpnlab-t-<pid>; soak.sh removes it on every exit.
exec "$(dirname "$0")/../../../scripts/soak.sh" --vpnlab "$1" --seconds "${2:-150}" --name "vpnlab-t-$$"

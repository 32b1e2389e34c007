# Shared by the CLI scenarios (sourced): removes everything a test lab made, on any exit.
# Needs VPNLAB, LAB (vpnlab-t-<pid>) and work (the test's temporary directory).
lab_cleanup() {
  "$VPNLAB" down "$work/lab.yaml" >/dev/null 2>&1
  # If down failed, stop what up started anyway: only the PIDs this lab recorded, and only
  # while they are still vpnlab processes.
  for f in /run/vpnlab/$LAB/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q vpnlab && kill -9 "$pid" 2>/dev/null
  done
  rm -rf "/run/vpnlab/$LAB"
  for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB-"); do ip netns del "$ns"; done
  rm -rf "$work"
}

# Waits (up to 20 s) until the AWS console shows tunnel aws0t1 UP with its BGP route again;
# leaves the last status document in $work/status.json.
wait_aws0t1_route() {
  for i in $(seq 100); do
    "$VPNLAB" status "$work/lab.yaml" --json >"$work/status.json" 2>/dev/null
    jq -e '.aws.VpnConnections[0].VgwTelemetry[0].StatusMessage == "1 BGP ROUTES"' "$work/status.json" >/dev/null && return 0
    sleep 0.2
  done
  return 1
}

# How many of the lab's vpnlab gateways run raw ESP on transport $1 (raw_socket | af_packet),
# from a status document (`vpnlab status --json`) in file $2.
gateways_on_transport() {
  jq --arg t "$1" '[.esp_transport[] | select(.transport == ($t | sub("_"; " ")) or .transport == $t)] | length' "$2"
}

# Fails the test unless all three gateways of the running lab run transport $1.
expect_transport() {
  "$VPNLAB" status "$work/lab.yaml" --json >"$work/transport.json" 2>/dev/null
  [ "$(gateways_on_transport "$1" "$work/transport.json")" = 3 ] ||
    { jq -c '.esp_transport' "$work/transport.json"; fail "the gateways do not all run $1"; }
}

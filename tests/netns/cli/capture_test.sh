#!/usr/bin/env bash
# Scenario: `vpnlab capture` on the running reference lab, decrypted by tshark.
#
#  vnet-vm -- vnet -- azure-gw0/1 ==4 ESP tunnels== aws-vgw -- vpc-host
#                                                 ^ captures: aws-vgw outer (all IKE/ESP),
#                                                   aws0t1 outer (its outside pair only),
#                                                   aws-vgw inner (cleartext on its TUNs)
#
# up (IKE keying, time factor 0.2) -> three captures start -> drill: aws0t1 down and up
# (INFORMATIONAL DELETE, then IKE_SA_INIT + IKE_AUTH) -> CHILD_SA rekey, IKE_SA rekey ->
# ping VNet VM 10.1.0.4 -> VPC host 10.2.0.4 (and across aws0t1's inside addresses before the
# drill and at the end, so each of its CHILD_SAs carries ESP) -> SIGINT stops the captures -> tshark with the
# key files shows the ICMP echo inside ESP, IKE_AUTH's decrypted IDi/IDr/AUTH and the rekeys'
# CREATE_CHILD_SA, every ESP packet of the SAs that came and went decrypted; without the
# files it shows none of it; the key
# files are 0700/0600 and no key is in status, status --sas, the logs or the command output.
# The lab is named vpnlab-t-<pid>; cleanup runs on every exit. A second argument, af_packet,
# runs the same on lab.esp_transport: af_packet (the gateways send and receive raw ESP on packet
# sockets: the capture's own packet socket must still see both directions).
set -u
. "$(dirname "$0")/lab_env.sh"
VPNLAB=$1
ESP_TRANSPORT=${2:-raw_socket}
LAB=vpnlab-t-$$
work=$(mktemp -d)
pids=()
fail() { echo "FAIL: $*"; exit 1; }
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  lab_cleanup
}
trap cleanup EXIT
run() { echo "+ $*"; "$@"; }
command -v tshark >/dev/null || fail "tshark is not installed (scripts/install-deps.sh)"
# tshark with a configuration directory: the capture's key dir, or an empty one.
ts() { local conf=$1; shift; WIRESHARK_CONFIG_DIR=$conf tshark "$@" 2>/dev/null; }
mkdir -m 700 "$work/nokeys"

"$VPNLAB" topology show --show-secrets |
  sed "s/^  name: vpnlab$/  name: $LAB/; s/^  time_factor: 1$/  time_factor: 0.2\n  esp_transport: $ESP_TRANSPORT/" >"$work/lab.yaml"
grep -q "name: $LAB" "$work/lab.yaml" || fail "could not make the test lab"
run "$VPNLAB" up "$work/lab.yaml" --wait 60 || fail "up"
expect_transport "$ESP_TRANSPORT"

# Three captures, each stopped by SIGINT below (by the PID we started).
start_capture() { # name args...
  local name=$1; shift
  "$VPNLAB" capture "$@" "$work/lab.yaml" -w "$work/$name.pcapng" --duration 120 >"$work/$name.out" 2>&1 &
  pids+=($!)
}
start_capture node aws-vgw
start_capture tunnel aws0t1 --node aws-vgw --outer
start_capture inner aws-vgw --inner
for name in node tunnel inner; do
  for i in $(seq 50); do grep -q "^vpnlab capture:" "$work/$name.out" && break; sleep 0.1; done
  grep -q "^vpnlab capture:" "$work/$name.out" || { cat "$work/$name.out"; fail "capture $name did not start"; }
done
echo "ok: captures running: $(head -1 "$work/node.out")"

# ESP on aws0t1's current CHILD_SA that the tunnel capture must see, whatever path other
# traffic takes and whenever BGP's keepalives fall: a ping across its inside addresses.
ping_aws0t1() { run ip netns exec "$LAB-aws-vgw" ping -c3 -W1 169.254.21.2 || fail "aws0t1's inside addresses do not answer"; }
ping_aws0t1
# A fresh IKE_SA on aws0t1 while capturing: DELETE, then IKE_SA_INIT + IKE_AUTH.
run "$VPNLAB" tunnel down aws0t1 "$work/lab.yaml" || fail "tunnel down"
run "$VPNLAB" tunnel up aws0t1 "$work/lab.yaml" || fail "tunnel up"
wait_aws0t1_route || fail "tunnel aws0t1 did not come back"
# Rekeys during the capture, started by the AWS end: the CHILD_SA (CREATE_CHILD_SA, new
# SPIs, the old pair deleted) and then the IKE_SA (a new IKE_SA inherits the CHILD_SA).
sas() { "$VPNLAB" status "$work/lab.yaml" --json 2>/dev/null |
  jq -c '.gateways["aws-vgw"].tunnels[] | select(.device == "aws0t1") | [.ike_sas[] | select(.state == "ESTABLISHED") | .spis, [.child_sas[].spi_in]]'; }
rekeyed() { # what: waits until sas() differs from $before
  for i in $(seq 100); do now=$(sas); [ -n "$now" ] && [ "$now" != "$before" ] && return 0; sleep 0.1; done
  fail "$1 did not happen: $before -> $now"
}
before=$(sas)
run "$VPNLAB" tunnel rekey aws0t1 "$work/lab.yaml" --node aws-vgw || fail "tunnel rekey"
rekeyed "CHILD_SA rekey"
echo "ok: CHILD_SA rekeyed: $before -> $now"
before=$now
run "$VPNLAB" tunnel rekey-ike aws0t1 "$work/lab.yaml" --node aws-vgw || fail "tunnel rekey-ike"
rekeyed "IKE_SA rekey"
echo "ok: IKE_SA rekeyed: $before -> $now"
for i in $(seq 50); do ip netns exec "$LAB-vnet-vm" ping -c1 -W1 10.2.0.4 >/dev/null 2>&1 && break; sleep 0.2; done
run ip netns exec "$LAB-vnet-vm" ping -c3 -W1 10.2.0.4 || fail "VNet VM cannot reach the VPC host"
# The VM's ping may take another tunnel (ECMP, the VGW's path choice): the rekeyed CHILD_SA.
ping_aws0t1
sleep 0.5
for pid in "${pids[@]}"; do kill -INT "$pid"; done
for pid in "${pids[@]}"; do wait "$pid" || fail "capture $pid exited with an error"; done
pids=()
for name in node tunnel inner; do echo "--- vpnlab capture ($name)"; cat "$work/$name.out"; done

# Files: the key directory 0700, its tables 0600, the capture 0600.
keys=$work/node.keys
[ "$(stat -c %a "$keys")" = 700 ] || fail "key directory is not 0700"
for f in esp_sa ikev2_decryption_table preferences; do
  [ "$(stat -c %a "$keys/$f")" = 600 ] || fail "$f is not 0600"
done
[ "$(stat -c %a "$work/node.pcapng")" = 600 ] || fail "capture file is not 0600"
grep -q "IKE_SA_INIT, IKE_AUTH" "$work/node.out" || fail "the node capture saw no IKE_SA_INIT + IKE_AUTH"
grep -q "keys: no" "$work/node.out" "$work/tunnel.out" && fail "an SA the capture saw has no keys"

# Decrypted ICMP echo (request and reply) inside ESP, and IKE_AUTH's decrypted payloads.
icmp=$(ts "$keys" -r "$work/node.pcapng" -Y 'esp && icmp.type == 8 && ip.dst == 10.2.0.4' | wc -l)
[ "$icmp" -ge 3 ] || fail "tshark decrypted $icmp ICMP echo requests from ESP (want 3)"
reply=$(ts "$keys" -r "$work/node.pcapng" -Y 'esp && icmp.type == 0 && ip.src == 10.2.0.4' | wc -l)
[ "$reply" -ge 3 ] || fail "tshark decrypted $reply ICMP echo replies from ESP (want 3)"
auth=$(ts "$keys" -r "$work/node.pcapng" -Y 'isakmp.exchangetype == 35 && isakmp.id.type == 1 && isakmp.auth.method == 2' \
  -T fields -e isakmp.id.data.ipv4_addr | sort -u | tr '\n' ' ')
[ "$auth" = "198.51.100.10 203.0.113.10 " ] || fail "decrypted IKE_AUTH IDi/IDr: '$auth' (want both aws0t1 ends)"
bad=$(ts "$keys" -r "$work/node.pcapng" -Y 'esp && !esp.decrypted_data' | wc -l)
[ "$bad" = 0 ] || fail "$bad ESP packets were not decrypted (keys missing for an SA the capture saw)"
icv=$(ts "$keys" -r "$work/node.pcapng" -Y 'esp.icv_bad == 1 || isakmp.ikev2.integrity_checksum' | wc -l)
[ "$icv" = 0 ] || fail "$icv packets with a bad ICV / integrity checksum"
# Both rekeys decrypted: CREATE_CHILD_SA requests and responses with their nonces.
ccs=$(ts "$keys" -r "$work/node.pcapng" -Y 'isakmp.exchangetype == 36 && isakmp.nonce && ip.addr == 198.51.100.10' | wc -l)
[ "$ccs" -ge 4 ] || fail "$ccs decrypted CREATE_CHILD_SA messages on aws0t1 (want the 2 rekeys' requests and responses)"
echo "ok: tshark decrypts ICMP echo in ESP ($icmp requests, $reply replies), IKE_AUTH (IDi/IDr $auth) and $ccs CREATE_CHILD_SA messages; every ESP packet of every SA, old and new"

# Without the keys: no ICMP, no IKE_AUTH payloads.
[ "$(ts "$work/nokeys" -r "$work/node.pcapng" -Y icmp | wc -l)" = 0 ] || fail "ICMP visible without keys"
[ "$(ts "$work/nokeys" -r "$work/node.pcapng" -Y 'isakmp.id.type' | wc -l)" = 0 ] || fail "IKE_AUTH payloads visible without keys"
echo "ok: without the key files tshark shows neither"

# The tunnel capture holds aws0t1's outside pair only, with its IKE_AUTH decrypted, and saw
# three IKE_SAs (before the drill, after it, after the IKE_SA rekey) and three CHILD_SAs,
# whose keys (both directions of each) are all in its tables.
[ "$(grep -c '^  IKE_SA ' "$work/tunnel.out")" -ge 3 ] || fail "tunnel capture: fewer than 3 IKE_SAs"
[ "$(grep -vc '^#' "$work/tunnel.keys/ikev2_decryption_table")" -ge 3 ] || fail "tunnel capture: fewer than 3 IKE_SAs' keys"
[ "$(grep -vc '^#' "$work/tunnel.keys/esp_sa")" -ge 6 ] || fail "tunnel capture: fewer than 3 CHILD_SAs' keys"
pairs=$(ts "$work/nokeys" -r "$work/tunnel.pcapng" -T fields -e ip.src -e ip.dst | sort -u | tr '\t\n' '> ')
[ "$pairs" = "198.51.100.10>203.0.113.10 203.0.113.10>198.51.100.10 " ] || fail "tunnel capture address pairs: $pairs"
[ "$(ts "$work/tunnel.keys" -r "$work/tunnel.pcapng" -Y 'isakmp.exchangetype == 35 && isakmp.id.type' | wc -l)" -ge 2 ] ||
  fail "tunnel capture: IKE_AUTH not decrypted"
# The inner capture is cleartext: the pings without any key.
[ "$(ts "$work/nokeys" -r "$work/inner.pcapng" -Y 'icmp && ip.addr == 10.2.0.4' | wc -l)" -ge 6 ] ||
  fail "inner capture does not hold the 3 echo requests and replies"
[ -e "$work/inner.keys" ] && fail "an inner capture wrote key files"
echo "ok: tunnel capture filtered to its pair; inner capture is cleartext"

# Secrets: no key from the tables in status, status --sas, the logs or the command output.
"$VPNLAB" status "$work/lab.yaml" --json >"$work/status-all.json"
"$VPNLAB" status "$work/lab.yaml" --sas >"$work/sas.txt"
n=0
for k in $(grep -v '^#' "$keys/esp_sa" | awk -F'"' '{print $12}' | sed 's/^0x//';
           grep -v '^#' "$keys/ikev2_decryption_table" | cut -d, -f3,4 | tr ',' '\n'); do
  [ ${#k} -ge 32 ] || continue
  n=$((n + 1))
  for f in "$work/status-all.json" "$work/sas.txt" "$work"/*.out /run/vpnlab/$LAB/*.log; do
    grep -qi "$k" "$f" && fail "a key from the capture's tables appears in $f"
  done
done
[ $n -ge 6 ] || fail "only $n keys found in the tables"
echo "ok: none of $n keys appears in status, status --sas, the logs or the capture output"

run "$VPNLAB" down "$work/lab.yaml" || fail "down"
echo "PASS"

#!/bin/bash
# Captures the OPEN, KEEPALIVE and first UPDATEs that FRR bgpd sends to a peer, as hex, for
# the pinned vectors in tests/unit/bgp/frr_capture_test.cpp. Run as root:
#   tests/interop/bgp/capture_frr.sh > /tmp/frr-capture.txt
#
#   ns vpnlab-t-$$-frr (bgpd, AS 65000)        ns vpnlab-t-$$-cap (python, AS 64512)
#   veth f0 169.254.21.2/30  <---------------> veth c0 169.254.21.1/30
set -eu
P=vpnlab-t-$$
D=$(mktemp -d)
cleanup() {
  [ -f "$D/bgpd.pid" ] && kill "$(cat "$D/bgpd.pid")" 2>/dev/null || true
  ip netns del $P-frr 2>/dev/null || true
  ip netns del $P-cap 2>/dev/null || true
  rm -rf "$D"
}
trap cleanup EXIT
ip netns add $P-frr
ip netns add $P-cap
ip link add f0 netns $P-frr type veth peer name c0 netns $P-cap
ip -n $P-frr addr add 169.254.21.2/30 dev f0
ip -n $P-cap addr add 169.254.21.1/30 dev c0
ip -n $P-frr link set f0 up
ip -n $P-cap link set c0 up
ip -n $P-frr link set lo up
cat > "$D/bgpd.conf" <<CONF
router bgp 65000
 bgp router-id 10.255.0.2
 no bgp ebgp-requires-policy
 neighbor 169.254.21.1 remote-as 64512
 address-family ipv4 unicast
  network 10.1.0.0/16
 exit-address-family
CONF
chmod 755 "$D"
ip netns exec $P-frr /usr/lib/frr/bgpd -d -Z -n -S -f "$D/bgpd.conf" -i "$D/bgpd.pid" \
  --vty_socket "$D" -P 0 -l 169.254.21.2 --log "file:$D/bgpd.log"
sleep 1
ip netns exec $P-cap python3 - <<'PY'
import socket, struct, time
s = socket.create_connection(("169.254.21.2", 179), timeout=10)
# Our OPEN: AS 64512, hold 30, id 10.255.0.1, caps MP IPv4 unicast, route refresh, AS4.
caps = bytes([1,4,0,1,0,1, 2,0, 65,4]) + struct.pack("!I", 64512)
body = struct.pack("!BHHIB", 4, 64512, 30, 0x0aff0001, len(caps) + 2) + bytes([2, len(caps)]) + caps
s.sendall(b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 1) + body)
buf = b""
deadline = time.time() + 8
got = []
sent_ka = False
while time.time() < deadline and len(got) < 5:
    try:
        chunk = s.recv(4096)
    except socket.timeout:
        break
    if not chunk:
        break
    buf += chunk
    while len(buf) >= 19:
        ln = struct.unpack("!H", buf[16:18])[0]
        if len(buf) < ln:
            break
        msg, buf = buf[:ln], buf[ln:]
        got.append(msg)
        print({1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE"}.get(msg[18], "?"), msg.hex())
        if msg[18] == 1 and not sent_ka:
            s.sendall(b"\xff" * 16 + struct.pack("!HB", 19, 4))
            sent_ka = True
PY

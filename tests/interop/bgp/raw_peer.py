#!/usr/bin/env python3
"""A raw BGP peer for the interop test: sends hand-built UPDATEs to vpnlab's speaker.

usage: raw_peer.py LOCAL REMOTE STEPDIR
Steps (each waits for STEPDIR/goN from the test, and reports to STEPDIR/progress):
  A  valid UPDATE 10.50.0.0/16 (ORIGIN IGP, AS_PATH 65010, NEXT_HOP LOCAL)
  B  the same prefix with ORIGIN = 5: RFC 7606 7.1 treat-as-withdraw (session stays up)
  C  UPDATE whose Total Path Attribute Length overruns the message: RFC 4271 6.3 /
     RFC 7606 5.3 session reset; reports the NOTIFICATION code and subcode received.
"""
import os, socket, struct, sys, time

local, remote, stepdir = sys.argv[1], sys.argv[2], sys.argv[3]

def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body

def report(text):
    with open(os.path.join(stepdir, "progress"), "a") as f:
        f.write(text + "\n")

def wait_go(n):
    path = os.path.join(stepdir, "go%d" % n)
    for _ in range(300):
        if os.path.exists(path):
            return
        time.sleep(0.1)
    report("timeout waiting for go%d" % n)
    sys.exit(1)

def read_msg(s):
    hdr = b""
    while len(hdr) < 19:
        chunk = s.recv(19 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    length = struct.unpack("!H", hdr[16:18])[0]
    body = b""
    while len(body) < length - 19:
        chunk = s.recv(length - 19 - len(body))
        if not chunk:
            return None
        body += chunk
    return hdr[18], body

def update(origin, nh):
    attrs = bytes([0x40, 1, 1, origin])
    attrs += bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", 65010)
    attrs += bytes([0x40, 3, 4]) + socket.inet_aton(nh)
    nlri = bytes([16, 10, 50])
    return msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri)

s = socket.socket()
s.bind((local, 0))
s.settimeout(20)
s.connect((remote, 179))
caps = bytes([1, 4, 0, 1, 0, 1, 2, 0, 65, 4]) + struct.pack("!I", 65010)
opt = bytes([2, len(caps)]) + caps
s.sendall(msg(1, struct.pack("!BHHIB", 4, 65010, 30, 0x0aff000a, len(opt)) + opt))
seen = set()
while not {1, 4} <= seen:
    m = read_msg(s)
    if m is None:
        report("closed during OPEN exchange")
        sys.exit(1)
    seen.add(m[0])
    if m[0] == 1:
        s.sendall(msg(4, b""))
report("ESTABLISHED")
s.sendall(update(0, local))
report("A")
wait_go(1)
s.sendall(update(5, local))
s.sendall(msg(4, b""))
report("B")
wait_go(2)
# Total Path Attribute Length 0x00ff with only 4 attribute bytes present.
s.sendall(msg(2, struct.pack("!H", 0) + struct.pack("!H", 0xff) + bytes([0x40, 1, 1, 0])))
while True:
    m = read_msg(s)
    if m is None:
        report("C closed without NOTIFICATION")
        break
    if m[0] == 3:
        report("C %d %d" % (m[1][0], m[1][1]))
        break

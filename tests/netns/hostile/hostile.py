#!/usr/bin/python3
"""Hostile input at a running vpnlab lab (issue 12, "Hostile input at the running lab").

Sends each case at a gateway while the lab carries legitimate traffic, and checks that the
gateway counted it under its reason (`vpnlab status --json`) and answered as the RFC says:

  IKE (UDP 500/4500 at an Azure instance's public address, from the lab's internet
  namespace; the source is the configured peer's address where the gateway only talks to
  its peers): garbage, lying lengths, an unknown critical payload, returned cookies up to the
  half-open limit, an IKE_SA_INIT flood from many ports, wrong cookies, forged SK{} with
  the live SPIs, replayed and reordered requests captured from the lab's own CHILD_SA rekey.
  ESP (raw protocol 50, as the lab's tunnels run): unknown SPIs, truncated packets, the live
  SPI with forged ICVs, replays of captured packets.
  BGP (from the AWS gateway's namespace, over the tunnel's TUN device to the Azure
  instance's APIPA address): a second connection during the Established session, then on a
  session taken over from the real AWS speaker, RFC 7606 cases (treat-as-withdraw,
  attribute discard, session reset) and OPEN/header garbage on new connections.

  hostile.py --vpnlab BIN --lab NAME [--json OUT] [--logs RUNDIR]

Prints one line per case and, with --json, writes the table (case, sent, counter, value,
effect). Exit status 1 if any case's counter or answer differs from what is expected.
--logs checks the gateways' logs: every counter a case moved has a line, at most one per
second per reason. Needs root and python3-scapy.
"""

import argparse
import ctypes
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

from scapy.all import IP, UDP, Raw, AsyncSniffer, conf  # noqa: E402

CLONE_NEWNET = 0x40000000
IKE_SA_INIT, CREATE_CHILD_SA, INFORMATIONAL = 34, 36, 37
PT_SA, PT_KE, PT_NONCE, PT_NOTIFY, PT_SK = 33, 34, 40, 41, 46
N_UNSUPPORTED_CRITICAL, N_INVALID_SYNTAX, N_COOKIE = 1, 7, 16390
FLAG_INITIATOR, FLAG_RESPONSE = 0x08, 0x20

# Names in the gateway's IKE suite string -> (transform type, id, key length).
ENCR = {"aes128": (12, 128), "aes192": (12, 192), "aes256": (12, 256),
        "aes128gcm16": (20, 128), "aes256gcm16": (20, 256)}
INTEG = {"sha1": 2, "sha256": 12, "sha384": 13, "sha512": 14}
PRF = {"prfsha1": 2, "prfsha256": 5, "prfsha384": 6, "prfsha512": 7}
DH = {"modp1024": (2, 128), "modp1536": (5, 192), "modp2048": (14, 256), "modp3072": (15, 384),
      "modp4096": (16, 512), "ecp256": (19, 64), "ecp384": (20, 96), "x25519": (31, 32)}


def enter_netns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + name)
    os.close(fd)
    # scapy learned the interfaces and routes of the namespace it was imported in.
    conf.ifaces.reload()
    conf.route.resync()


# ---- the lab as `vpnlab status` shows it ------------------------------------------------

class Lab:
    def __init__(self, vpnlab, name):
        self.vpnlab, self.name = vpnlab, name

    def status(self):
        out = subprocess.run([self.vpnlab, "status", "--lab", self.name, "--json", "--sas"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    @staticmethod
    def gw(doc, node):
        return doc["gateways"][node]

    @staticmethod
    def counter(doc, where):
        """where: (node, group, name) with group ike|dataplane|bgp, or (node, device, name)."""
        node, group, name = where
        gw = Lab.gw(doc, node)
        if group in ("ike", "dataplane", "bgp"):
            return gw["counters"].get(group, {}).get(name, 0)
        for t in gw["tunnels"]:
            if t["device"] == group:
                return t["counters"].get(name, 0)
        raise KeyError(group)

    @staticmethod
    def tunnel(doc, node, device):
        return next(t for t in Lab.gw(doc, node)["tunnels"] if t["device"] == device)

    @staticmethod
    def established(t):
        return [s for s in t.get("ike_sas", []) if s["state"] == "ESTABLISHED"]

    @staticmethod
    def live_child(t):
        for s in Lab.established(t):
            for c in s["child_sas"]:
                if c.get("outbound_active"):
                    return s, c
        raise LookupError("tunnel %s has no installed CHILD_SA" % t["device"])

    @staticmethod
    def bgp_peer(doc, node, neighbor):
        bgp = Lab.gw(doc, node)["bgp"] or {}
        for p in bgp.get("peers", []):
            if p.get("neighbor") == neighbor:
                return p
        return None


# ---- IKEv2 messages built by hand (so lengths and flags can lie) ------------------------

def payload(next_type, body, critical=False):
    return struct.pack("!BBH", next_type, 0x80 if critical else 0, 4 + len(body)) + body


def chain(payloads):
    """[(type, body, critical)] -> (first type, bytes) with each next-payload filled in."""
    out = b""
    for i, (ptype, body, crit) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += payload(nxt, body, crit)
    return (payloads[0][0] if payloads else 0), out


def ike_message(spi_i, spi_r, exchange, flags, mid, payloads, length=None):
    first, body = chain(payloads)
    total = 28 + len(body) if length is None else length
    return struct.pack("!QQBBBBII", spi_i, spi_r, first, 0x20, exchange, flags, mid, total) + body


def transform(last, ttype, tid, key_bits=None):
    attrs = struct.pack("!HH", 0x800E, key_bits) if key_bits else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs), ttype, 0, tid) + attrs


def sa_body(suite):
    """One IKE proposal with the suite the gateway's IKE_SA uses, e.g. aes128-sha1-prfsha1-modp1024."""
    parts = suite.split("-")
    ts = []
    encr = ENCR[parts[0]]
    ts.append((1, encr[0], encr[1]))
    for p in parts[1:]:
        if p in PRF:
            ts.append((2, PRF[p], None))
        elif p in INTEG:
            ts.append((3, INTEG[p], None))
        elif p in DH:
            ts.append((4, DH[p][0], None))
    body = b"".join(transform(i == len(ts) - 1, t, tid, k) for i, (t, tid, k) in enumerate(ts))
    return struct.pack("!BBHBBBB", 0, 0, 8 + len(body), 1, 1, 0, len(ts)) + body


def ke_body(suite):
    group = next(DH[p] for p in suite.split("-") if p in DH)
    gid, size = group
    if gid in (19, 20):
        from cryptography.hazmat.primitives.asymmetric import ec
        curve = ec.SECP256R1() if gid == 19 else ec.SECP384R1()
        n = ec.generate_private_key(curve).public_key().public_numbers()
        data = n.x.to_bytes(size // 2, "big") + n.y.to_bytes(size // 2, "big")
    elif gid == 31:
        from cryptography.hazmat.primitives.asymmetric import x25519
        from cryptography.hazmat.primitives import serialization
        data = x25519.X25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        # A MODP public value: any number in [2, p-2]; a top byte below 0x7f keeps it < p.
        data = bytes([random.randint(1, 0x7E)]) + os.urandom(size - 1)
    return struct.pack("!HH", gid, 0) + data


def notify_body(ntype, data=b""):
    return struct.pack("!BBH", 0, 0, ntype) + data


def init_request(suite, spi_i, cookie=None, extra_first=None):
    ps = []
    if cookie is not None:
        ps.append((PT_NOTIFY, notify_body(N_COOKIE, cookie), False))
    if extra_first is not None:
        ps.append(extra_first)
    ps += [(PT_SA, sa_body(suite), False), (PT_KE, ke_body(suite), False),
           (PT_NONCE, os.urandom(32), False)]
    return ike_message(spi_i, 0, IKE_SA_INIT, FLAG_INITIATOR, 0, ps)


def parse_notifies(data):
    """The notify types in a plain IKE message, or None if it is not one."""
    if len(data) < 28:
        return None
    nxt = data[16]
    off, out = 28, []
    while nxt and off + 4 <= len(data):
        ptype = nxt
        nxt, _, plen = struct.unpack("!BBH", data[off:off + 4])
        if ptype == PT_NOTIFY and plen >= 8:
            ntype = struct.unpack("!H", data[off + 6:off + 8])[0]
            out.append((ntype, data[off + 8:off + plen]))
        off += max(plen, 4)
    return out


# ---- sending and sniffing in the internet namespace -------------------------------------

class Wire:
    """Raw IPv4 out of the current namespace; any source address (IP_HDRINCL)."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.sent = 0

    def send(self, pkt):
        self.s.sendto(bytes(pkt), (pkt[IP].dst, 0))
        self.sent += 1
        if self.sent % 50 == 0:
            time.sleep(0.02)  # paced so the sniffer (not the gateway) keeps up with answers

    def udp(self, src, dst, sport, dport, data):
        self.send(IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(data))

    def ike(self, src, dst, sport, data, natt=False):
        if natt:
            self.udp(src, dst, sport, 4500, b"\0\0\0\0" + data)
        else:
            self.udp(src, dst, sport, 500, data)

    def esp(self, src, dst, data):
        self.send(IP(src=src, dst=dst, proto=50) / Raw(data))

    def raw(self, ip_bytes):
        self.send(IP(ip_bytes))


def iface_towards(address):
    out = subprocess.run(["ip", "-o", "route", "get", address], capture_output=True,
                         text=True, check=True).stdout
    return re.search(r" dev (\S+)", out).group(1)


def sniff(iface, bpf):
    s = AsyncSniffer(iface=iface, filter=bpf, store=True)
    s.start()
    time.sleep(0.3)  # the socket is open before anything is sent
    return s


def ike_payload_of(pkt):
    """IKE bytes of a sniffed UDP 500/4500 datagram (the non-ESP marker removed)."""
    data = bytes(pkt[UDP].payload)
    if pkt[UDP].sport == 4500 or pkt[UDP].dport == 4500:
        if len(data) < 4 or data[:4] != b"\0\0\0\0":
            return None
        data = data[4:]
    return data


# ---- the cases ---------------------------------------------------------------------------

class Runner:
    def __init__(self, lab):
        self.lab = lab
        self.rows = []
        self.failed = []

    def wait_counter(self, where, target, before_doc, timeout=10.0):
        deadline = time.time() + timeout
        doc = before_doc
        while time.time() < deadline:
            doc = self.lab.status()
            if Lab.counter(doc, where) >= target:
                break
            time.sleep(0.2)
        time.sleep(0.3)  # let stragglers land: the delta must not overshoot either
        return self.lab.status()

    def record(self, case, sent, checks, effect, before, after, note=""):
        """checks: [(where, expected delta)]; one row per counter."""
        ok = True
        counted = []
        for where, expected in checks:
            delta = Lab.counter(after, where) - Lab.counter(before, where)
            counted.append({"node": where[0], "counter": where[2], "delta": delta,
                            "expected": expected})
            if delta != expected:
                ok = False
        row = {"case": case, "sent": sent, "counted": counted, "effect": effect, "ok": ok}
        if note:
            row["note"] = note
        self.rows.append(row)
        status = "ok  " if ok else "FAIL"
        text = ", ".join("%s %s +%d%s" % (c["node"], c["counter"], c["delta"],
                                          "" if c["delta"] == c["expected"] else
                                          " (expected +%d)" % c["expected"]) for c in counted)
        print("%s %s %-28s sent %-42s %s; %s" % (time.strftime("%H:%M:%S"), status, case, sent,
                                                 text, effect), flush=True)
        if not ok:
            self.failed.append(case)

    def check(self, case, cond, what):
        if not cond:
            print("FAIL %s: %s" % (case, what), flush=True)
            self.failed.append(case)
            for r in self.rows:
                if r["case"] == case:
                    r["ok"] = False
                    r.setdefault("failures", []).append(what)


def ike_cases(run, lab, target_node, peer_tunnel):
    """IKE at target_node's public address; peer_tunnel: one of its tunnels (device)."""
    doc = lab.status()
    t = Lab.tunnel(doc, target_node, peer_tunnel)
    dst, peer = t["outside_local"], t["outside_remote"]
    sa, _ = Lab.live_child(t)
    suite = sa["suite"]
    wire = Wire()
    iface = iface_towards(dst)
    me = subprocess.run(["ip", "-o", "route", "get", dst], capture_output=True, text=True,
                        check=True).stdout
    own = re.search(r" src (\S+)", me).group(1)
    ike = lambda name: (target_node, "ike", name)  # noqa: E731

    # 1. Garbage: shorter than the IKE header, and on 4500 behind the non-ESP marker.
    before = lab.status()
    for i in range(200):
        wire.ike(own, dst, 30000 + i, os.urandom(random.randint(1, 27)))
    for i in range(50):
        wire.ike(own, dst, 31000 + i, os.urandom(random.randint(1, 27)), natt=True)
    after = run.wait_counter(ike("ike.rx.invalid_header"),
                             Lab.counter(before, ike("ike.rx.invalid_header")) + 250, before)
    run.record("ike_garbage", "250 datagrams of 1-27 random bytes (UDP 500, 4500)",
               [(ike("ike.rx.invalid_header"), 250)], "dropped (RFC 7296 3.1: no IKE header)",
               before, after)

    # 2. Header Length lying about the datagram (3.1).
    before = lab.status()
    for i in range(100):
        msg = init_request(suite, random.getrandbits(64) | 1)
        lie = random.choice([len(msg) + 1, len(msg) - 1, 28, 0xFFFFFFFF, 0])
        wire.ike(peer, dst, 32000 + i, msg[:24] + struct.pack("!I", lie) + msg[28:])
    after = run.wait_counter(ike("ike.rx.invalid_header"),
                             Lab.counter(before, ike("ike.rx.invalid_header")) + 100, before)
    run.record("ike_header_length_lies", "100 IKE_SA_INIT, header Length != datagram",
               [(ike("ike.rx.invalid_header"), 100), (ike("ike.half_open.created"), 0)],
               "dropped, no state (RFC 7296 3.1)", before, after)

    # 3. A payload Length running past the message: INVALID_SYNTAX (2.21.1), no state.
    sn = sniff(iface, "udp and src host %s and src port 500" % dst)
    before = lab.status()
    for i in range(100):
        spi = random.getrandbits(64) | 1
        msg = bytearray(init_request(suite, spi))
        struct.pack_into("!H", msg, 28 + 2, 0x4000)  # the SA payload claims 16 KiB
        wire.ike(peer, dst, 33000 + i, bytes(msg))
    after = run.wait_counter(ike("ike.rx.invalid_syntax"),
                             Lab.counter(before, ike("ike.rx.invalid_syntax")) + 100, before)
    got = [parse_notifies(ike_payload_of(p)) for p in sn.stop() if UDP in p]
    answered = sum(1 for n in got if n and n[0][0] == N_INVALID_SYNTAX)
    run.record("ike_payload_length_lies", "100 IKE_SA_INIT, SA payload Length 16384",
               [(ike("ike.rx.invalid_syntax"), 100), (ike("ike.half_open.created"), 0)],
               "answered N(INVALID_SYNTAX) (RFC 7296 2.21.1), no state", before, after)
    run.check("ike_payload_length_lies", answered == 100,
              "%d of 100 answered with INVALID_SYNTAX" % answered)

    # 4. An unknown payload type with the critical bit (2.5).
    sn = sniff(iface, "udp and src host %s and src port 500" % dst)
    before = lab.status()
    for i in range(50):
        msg = init_request(suite, random.getrandbits(64) | 1,
                           extra_first=(200, os.urandom(16), True))
        wire.ike(peer, dst, 34000 + i, msg)
    after = run.wait_counter(ike("ike.rx.unsupported_critical_payload"),
                             Lab.counter(before, ike("ike.rx.unsupported_critical_payload")) + 50,
                             before)
    got = [parse_notifies(ike_payload_of(p)) for p in sn.stop() if UDP in p]
    answered = sum(1 for n in got if n and n[0][0] == N_UNSUPPORTED_CRITICAL and n[0][1] == b"\xc8")
    run.record("ike_unknown_critical_payload", "50 IKE_SA_INIT, payload type 200, critical",
               [(ike("ike.rx.unsupported_critical_payload"), 50),
                (ike("ike.half_open.created"), 0)],
               "answered N(UNSUPPORTED_CRITICAL_PAYLOAD, 200) (RFC 7296 2.5)", before, after)
    run.check("ike_unknown_critical_payload", answered == 50,
              "%d of 50 answered with UNSUPPORTED_CRITICAL_PAYLOAD" % answered)

    # 5. Cookies returned from a real address: half-open SAs stop at the limit (2.6).
    senders = 60
    sn = sniff(iface, "udp and src host %s and src port 500" % dst)
    before = lab.status()
    spis = [random.getrandbits(64) | 1 for _ in range(senders)]
    reqs = {}
    for i, spi in enumerate(spis):
        reqs[spi] = init_request(suite, spi)
        wire.ike(peer, dst, 35000 + i, reqs[spi])
    time.sleep(1.0)
    cookies = {}
    for p in sn.stop():
        data = ike_payload_of(p) if UDP in p else None
        n = parse_notifies(data) if data else None
        if n and n[0][0] == N_COOKIE:
            cookies[struct.unpack("!Q", data[:8])[0]] = n[0][1]
    created_first = senders - len(cookies)
    for i, spi in enumerate(spis):
        if spi in cookies:
            # The same request again with the cookie first (2.6), from the same port.
            msg = reqs[spi]
            body = msg[28:]
            first = msg[16]
            cookie_payload = payload(first, notify_body(N_COOKIE, cookies[spi]))
            out = msg[:16] + bytes([PT_NOTIFY]) + msg[17:24] + \
                struct.pack("!I", len(msg) + len(cookie_payload)) + cookie_payload + body
            wire.ike(peer, dst, 35000 + i, out)
    time.sleep(1.0)
    after = lab.status()
    created = Lab.counter(after, ike("ike.half_open.created")) - \
        Lab.counter(before, ike("ike.half_open.created"))
    limit = created  # what the gateway let in is its limit less what was half-open before
    run.record("ike_returned_cookies", "%d senders returning their COOKIE" % senders,
               [(ike("ike.rx.cookie_challenge"), len(cookies)),
                (ike("ike.half_open.created"), created),
                (ike("ike.rx.half_open_limit"), senders - limit)],
               "COOKIE demanded past 10 half-open; past 50 half-open dropped even with a valid "
               "cookie", before, after,
               note="%d created before the cookie threshold" % created_first)
    run.check("ike_returned_cookies", 0 < created < senders and len(cookies) > 0,
              "created %d of %d, %d cookies" % (created, senders, len(cookies)))

    # 6. IKE_SA_INIT flood from many source ports, the half-open SAs at their limit.
    flood = 400
    sn = sniff(iface, "udp and src host %s and src port 500" % dst)
    before = lab.status()
    for i in range(flood):
        wire.ike(peer, dst, 20000 + i, init_request(suite, random.getrandbits(64) | 1))
    after = run.wait_counter(ike("ike.rx.cookie_challenge"),
                             Lab.counter(before, ike("ike.rx.cookie_challenge")) + flood, before)
    got = [parse_notifies(ike_payload_of(p)) for p in sn.stop() if UDP in p]
    answered = sum(1 for n in got if n and n[0][0] == N_COOKIE)
    run.record("ike_sa_init_flood", "%d IKE_SA_INIT from %d source ports" % (flood, flood),
               [(ike("ike.rx.cookie_challenge"), flood), (ike("ike.half_open.created"), 0)],
               "answered N(COOKIE), no state, no DH (RFC 7296 2.6)", before, after)
    run.check("ike_sa_init_flood", answered == flood,
              "%d of %d answered with a COOKIE" % (answered, flood))

    # 7. Wrong cookies.
    before = lab.status()
    for i in range(50):
        wire.ike(peer, dst, 36000 + i,
                 init_request(suite, random.getrandbits(64) | 1, cookie=os.urandom(20)))
    after = run.wait_counter(ike("ike.rx.bad_cookie"),
                             Lab.counter(before, ike("ike.rx.bad_cookie")) + 50, before)
    run.record("ike_wrong_cookie", "50 IKE_SA_INIT with a made-up COOKIE",
               [(ike("ike.rx.bad_cookie"), 50), (ike("ike.half_open.created"), 0)],
               "answered with a fresh N(COOKIE), no state (RFC 7296 2.6)", before, after)

    # 8. Forged SK{} under the live IKE_SA's SPIs: the ICV cannot verify (2.21.2).
    spi_i, spi_r = (int(x, 16) for x in sa["spis"].split("/"))
    before = lab.status()
    for i in range(100):
        sk = os.urandom(16 + 16 * random.randint(1, 6) + 12)
        msg = ike_message(spi_i, spi_r, INFORMATIONAL, 0 if sa["role"] == "initiator" else
                          FLAG_INITIATOR, random.randint(1, 1000), [(PT_SK, sk, False)])
        msg = msg[:16] + bytes([0]) + msg[17:]  # SK's Next Payload is inside; first = SK
        msg = msg[:16] + bytes([PT_SK]) + msg[17:]
        wire.ike(peer, dst, 500, msg)
    after = run.wait_counter(ike("ike.rx.integrity_failed"),
                             Lab.counter(before, ike("ike.rx.integrity_failed")) + 100, before)
    run.record("ike_forged_sk", "100 INFORMATIONAL, live SPIs, random SK{}",
               [(ike("ike.rx.integrity_failed"), 100)],
               "dropped silently (RFC 7296 2.21.2); the IKE_SA stays", before, after)
    return suite


def ike_replay_cases(run, lab, target_node, tunnel, peer_node, peer_device):
    """Captures the peer's CHILD_SA rekey of `tunnel` and replays it, latest request first."""
    doc = lab.status()
    t = Lab.tunnel(doc, target_node, tunnel)
    dst, peer = t["outside_local"], t["outside_remote"]
    iface = iface_towards(dst)
    sa, _ = Lab.live_child(t)
    spi_i = int(sa["spis"].split("/")[0], 16)
    sn = sniff(iface, "udp and dst host %s and src host %s" % (dst, peer))
    subprocess.run([lab.vpnlab, "tunnel", "rekey", peer_device, "--lab", lab.name, "--node",
                    peer_node], check=True, capture_output=True)
    time.sleep(1.5)
    requests = []
    for p in sn.stop():
        data = ike_payload_of(p) if UDP in p else None
        if not data or len(data) < 28 or struct.unpack("!Q", data[:8])[0] != spi_i:
            continue
        if data[19] & FLAG_RESPONSE:
            continue
        mid = struct.unpack("!I", data[20:24])[0]
        requests.append((mid, p[UDP].sport, data))
    requests.sort()
    mids = sorted({m for m, _, _ in requests})
    run.check("ike_replay", len(mids) >= 2,
              "captured %d requests of the rekey (want CREATE_CHILD_SA + DELETE)" % len(mids))
    if len(mids) < 2:
        return
    latest = next(r for r in requests if r[0] == mids[-1])
    older = next(r for r in requests if r[0] == mids[0])
    wire = Wire()
    tgt = lambda name: (target_node, "ike", name)  # noqa: E731
    before = lab.status()
    for _ in range(5):  # reordered: the latest first, then the older one
        wire.ike(peer, dst, latest[1], latest[2], natt=latest[1] == 4500)
        wire.ike(peer, dst, older[1], older[2], natt=older[1] == 4500)
    after = run.wait_counter(tgt("ike.rx.invalid_message_id"),
                             Lab.counter(before, tgt("ike.rx.invalid_message_id")) + 5, before)
    time.sleep(0.5)
    after = lab.status()
    retrans = tgt("ike.rx.retransmitted_request")
    invalid = tgt("ike.rx.invalid_message_id")
    sent = "the rekey's requests (IDs %d, %d) replayed 5x, newest first" % (mids[0], mids[-1])
    if (Lab.counter(after, retrans) == Lab.counter(before, retrans)
            and Lab.counter(after, invalid) - Lab.counter(before, invalid) == 10):
        # The peer started another exchange after the capture (a DPD or a timer's rekey at
        # this time factor): both replayed IDs are older than the window now, and both are
        # dropped (RFC 7296 2.3). Still exactly one count per replay, no answer.
        run.record("ike_replay_reorder", sent + " (a newer exchange followed)",
                   [(retrans, 0), (invalid, 10)],
                   "both older than the latest request: dropped (RFC 7296 2.3)", before, after)
        return
    run.record("ike_replay_reorder", sent,
               [(retrans, 5), (invalid, 5), ((peer_node, "ike", "ike.rx.unexpected_response"), 5)],
               "latest: its cached response again (RFC 7296 2.1), which the peer drops; "
               "older: dropped (2.3)", before, after)


def forged_body_size(suite, blocks):
    """IV + ciphertext + ICV with lengths the suite accepts, so only the ICV can fail."""
    if "gcm" in suite or "chacha" in suite:
        return 8 + 16 * blocks + 16
    icv = {"sha1": 12, "sha256": 16, "sha384": 24, "sha512": 32}
    return 16 + 16 * blocks + next((v for k, v in icv.items() if k in suite), 12)


def esp_cases(run, lab):
    """ESP at the Azure instance that receives the most tunnel traffic, on that SA."""
    doc = lab.status()
    azure = [n for n, g in doc["gateways"].items() if g.get("cloud") == "azure"]
    addrs = {}
    for n in azure:
        for t in Lab.gw(doc, n)["tunnels"]:
            addrs[t["outside_local"]] = n
    iface = iface_towards(next(iter(addrs)))
    sn = AsyncSniffer(iface=iface, filter="ip proto 50", store=True)
    sn.start()
    time.sleep(1.0)
    seen = {}
    for p in sn.stop():
        if IP in p and p[IP].dst in addrs and p[IP].proto == 50:
            raw = bytes(p[IP].payload)
            if len(raw) >= 8:
                key = (p[IP].dst, struct.unpack("!I", raw[:4])[0])
                seen.setdefault(key, []).append(bytes(p[IP]))
    run.check("esp", bool(seen), "no ESP seen towards the Azure instances")
    if not seen:
        return
    (dst, spi), pkts = max(seen.items(), key=lambda kv: len(kv[1]))
    node = addrs[dst]
    tunnel = next(t for t in Lab.gw(doc, node)["tunnels"]
                  for s in Lab.established(t) for c in s["child_sas"]
                  if int(c["spi_in"], 16) == spi)
    dev, peer = tunnel["device"], tunnel["outside_remote"]
    child_suite = next(c["suite"] for s in Lab.established(tunnel) for c in s["child_sas"]
                       if int(c["spi_in"], 16) == spi)
    live = {int(c["spi_in"], 16) for g in doc["gateways"].values() for t in g["tunnels"]
            for s in Lab.established(t) for c in s["child_sas"]}
    wire = Wire()
    dp = lambda name: (node, "dataplane", name)  # noqa: E731
    tn = lambda name: (node, dev, name)  # noqa: E731

    before = lab.status()
    n = 0
    while n < 300:
        bad = random.getrandbits(32)
        if bad in live or bad < 256:
            continue
        wire.esp(peer, dst, struct.pack("!II", bad, n + 1) + os.urandom(64))
        n += 1
    after = run.wait_counter(dp("dp.rx.drop.unknown_spi"),
                             Lab.counter(before, dp("dp.rx.drop.unknown_spi")) + 300, before)
    run.record("esp_unknown_spi", "300 ESP, random SPIs", [(dp("dp.rx.drop.unknown_spi"), 300)],
               "dropped (RFC 4303 3.4.2)", before, after)

    before = lab.status()
    for i in range(100):
        wire.esp(peer, dst, os.urandom(i % 8))
    for i in range(100):
        wire.esp(peer, dst, struct.pack("!II", spi, 0x7FFFFFF0 + i) + os.urandom(i % 16))
    after = run.wait_counter(tn("esp.rx.drop.too_short"),
                             Lab.counter(before, tn("esp.rx.drop.too_short")) + 100, before)
    run.record("esp_truncated", "100 ESP of 0-7 bytes, 100 on the live SPI of 8-23 bytes",
               [(dp("dp.rx.drop.too_short"), 100), (tn("esp.rx.drop.too_short"), 100)],
               "dropped (RFC 4303 2: no room for SPI, Sequence Number, IV, ICV)", before, after)

    before = lab.status()
    for i in range(300):
        # Sequence numbers ahead of the window: past the replay check, stopped by the ICV
        # (RFC 4303 3.4.3: the window moves only for packets that verify).
        body = os.urandom(forged_body_size(child_suite, random.randint(2, 8)))
        wire.esp(peer, dst, struct.pack("!II", spi, 0x7FFF0000 + i) + body)
    after = run.wait_counter(tn("esp.rx.drop.auth_failed"),
                             Lab.counter(before, tn("esp.rx.drop.auth_failed")) + 300, before)
    run.record("esp_forged_icv", "300 ESP on the live SPI 0x%08x, forged ICV" % spi,
               [(tn("esp.rx.drop.auth_failed"), 300)],
               "dropped (RFC 4303 3.4.4), replay window not moved", before, after)

    replays = pkts[:100]
    before = lab.status()
    for p in replays:
        wire.raw(p)
    after = run.wait_counter(tn("esp.rx.drop.replay"),
                             Lab.counter(before, tn("esp.rx.drop.replay")) + len(replays), before)
    run.record("esp_replay", "%d captured ESP packets of SPI 0x%08x again" % (len(replays), spi),
               [(tn("esp.rx.drop.replay"), len(replays))], "dropped (RFC 4303 3.4.3)",
               before, after)


# ---- BGP, from the AWS gateway's namespace through the tunnel ----------------------------

def bgp_msg(mtype, body, marker=b"\xff" * 16, length=None):
    return marker + struct.pack("!HB", 19 + len(body) if length is None else length, mtype) + body


def bgp_open(asn, hold, router_id, version=4):
    # Capabilities: 4-octet AS (RFC 6793), multiprotocol IPv4 unicast (RFC 4760).
    caps = bytes([2, 6, 65, 4]) + struct.pack("!I", asn) + bytes([2, 6, 1, 4, 0, 1, 0, 1])
    return bgp_msg(1, struct.pack("!BHH4sB", version, asn if asn < 65536 else 23456, hold,
                                  socket.inet_aton(router_id), len(caps)) + caps)


def attr(flags, code, value):
    if flags & 0x10:
        return struct.pack("!BBH", flags, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def bgp_update(attrs, nlri, withdrawn=b""):
    return bgp_msg(2, struct.pack("!H", len(withdrawn)) + withdrawn +
                   struct.pack("!H", len(attrs)) + attrs + nlri)


def prefix(p):
    net, plen = p.split("/")
    plen = int(plen)
    return bytes([plen]) + socket.inet_aton(net)[:(plen + 7) // 8]


class BgpConn:
    def __init__(self, src, dst, sport):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((src, sport))
        self.s.settimeout(5)
        self.s.connect((dst, 179))
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def read(self, timeout=5.0):
        """The next message (type, body), or None when the connection closed."""
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) >= length:
                    m, self.buf = self.buf[:length], self.buf[length:]
                    return m[18], m[19:]
            try:
                d = self.s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                return None
            if not d:
                return None
            self.buf += d

    def notification(self, timeout=5.0):
        while True:
            m = self.read(timeout)
            if m is None:
                return None
            if m[0] == 3:
                return m[1][0], m[1][1]

    def close(self):
        self.s.close()


def wait_bgp(lab, node, neighbor, state, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        p = Lab.bgp_peer(lab.status(), node, neighbor)
        if p and p.get("bgpState") == state:
            return True
        time.sleep(0.3)
    return False


def bgp_ends(lab, azure_node, aws_node, aws_device):
    doc = lab.status()
    t = Lab.tunnel(doc, aws_node, aws_device)
    return t["inside_local"], t["inside_remote"], Lab.gw(doc, aws_node)["asn"]


def bgp_collision_case(run, lab, azure_node, aws_node, aws_device):
    me, them, asn = bgp_ends(lab, azure_node, aws_node, aws_device)
    bgp = lambda name: (azure_node, "bgp", name)  # noqa: E731
    # 1. Connections while the session is Established: closed, the session untouched.
    before = lab.status()
    up_before = Lab.bgp_peer(before, azure_node, me)
    closed = 0
    for i in range(20):
        c = BgpConn(me, them, 41000 + i)
        try:
            c.send(bgp_open(asn, 90, "10.255.255.%d" % (i + 1)) + os.urandom(64))
        except OSError:
            pass
        if c.read(5.0) is None:
            closed += 1
        c.close()
    after = run.wait_counter(bgp("bgp.connection.refused_collision"),
                             Lab.counter(before, bgp("bgp.connection.refused_collision")) + 20,
                             before)
    up_after = Lab.bgp_peer(after, azure_node, me)
    run.record("bgp_connection_collision", "20 connections + OPEN + garbage during the session",
               [(bgp("bgp.connection.refused_collision"), 20)],
               "closed, Established session kept (RFC 4271 6.8)", before, after)
    run.check("bgp_connection_collision",
              closed == 20 and up_after and up_after["bgpState"] == "Established" and
              up_before["connectedSeconds"] <= up_after["connectedSeconds"],
              "closed %d of 20; session %s" % (closed, up_after))


def bgp_session_cases(run, lab, azure_node, aws_node, aws_device):
    me, them, asn = bgp_ends(lab, azure_node, aws_node, aws_device)
    bgp = lambda name: (azure_node, "bgp", name)  # noqa: E731
    # 2. Take the session over: the real AWS speaker's connection is reset and its new
    # SYNs dropped (nft in the AWS namespace; the hostile end uses ports 40100-40199), so the hostile end can be the peer.
    nft = ("table ip hostile {\n chain out {\n  type filter hook output priority 0;\n"
           "  ip daddr %s tcp dport 179 tcp sport != 40100-40199 "
           "tcp flags & (syn | ack) == syn drop\n }\n}\n" % them)
    subprocess.run(["nft", "-f", "-"], input=nft, text=True, check=True)
    try:
        killed = subprocess.run(["ss", "-K", "dst", them, "dport", "=", "179"],
                                capture_output=True, text=True)
        if not wait_bgp(lab, azure_node, me, "Active", 60) and \
                not wait_bgp(lab, azure_node, me, "Idle", 1):
            run.check("bgp_takeover", False, "the real session did not go down (%s)" %
                      killed.stderr.strip())
            return
        ports = iter(range(40100, 40200))  # a fresh source port each: no TIME_WAIT clash
        conn = None
        deadline = time.time() + 60
        while time.time() < deadline and conn is None:
            try:
                c = BgpConn(me, them, next(ports))
                c.send(bgp_open(asn, 240, "10.255.255.100"))
                m = c.read(5.0)
                if m and m[0] == 1:
                    c.send(bgp_msg(4, b""))
                    conn = c
                else:
                    c.close()
                    time.sleep(0.5)
            except OSError:
                time.sleep(0.5)
        if conn is None or not wait_bgp(lab, azure_node, me, "Established", 20):
            run.check("bgp_takeover", False, "no session for the hostile peer")
            return
        nh = attr(0x40, 3, socket.inet_aton(me))
        path = attr(0x40, 2, bytes([2, 1]) + struct.pack("!I", asn))

        def kept_session_case(case, messages, counter, sent, effect):
            before = lab.status()
            for m in messages:
                conn.send(m)
            after = run.wait_counter(bgp(counter), Lab.counter(before, bgp(counter)) +
                                     len(messages), before)
            run.record(case, sent, [(bgp(counter), len(messages))], effect, before, after)
            run.check(case, Lab.bgp_peer(after, azure_node, me)["bgpState"] == "Established",
                      "session not Established")

        # RFC 7606 7.1: a malformed ORIGIN -> treat-as-withdraw, the session stays.
        kept_session_case(
            "bgp_rfc7606_treat_as_withdraw",
            [bgp_update(attr(0x40, 1, bytes([7])) + path + nh, prefix("10.250.%d.0/24" % i))
             for i in range(5)],
            "bgp.update.treat_as_withdraw", "5 UPDATEs, ORIGIN value 7",
            "routes treated as withdrawn, session kept (RFC 7606 7.1)")
        # RFC 7606 7.6: ATOMIC_AGGREGATE with a length other than 0 -> attribute discard.
        kept_session_case(
            "bgp_rfc7606_attribute_discard",
            [bgp_update(attr(0x40, 1, bytes([0])) + path + nh + attr(0x40, 6, b"\x01"),
                        prefix("10.251.%d.0/24" % i)) for i in range(5)],
            "bgp.update.attribute_discard", "5 UPDATEs, ATOMIC_AGGREGATE length 1",
            "attribute discarded, routes kept, session kept (RFC 7606 7.6)")

        # RFC 7606 4: attributes running past the message -> NOTIFICATION, session reset.
        before = lab.status()
        body = struct.pack("!HH", 0, 200) + attr(0x40, 1, bytes([0]))
        conn.send(bgp_msg(2, body))
        note = conn.notification(5.0)
        conn.close()
        reset = "bgp.tx.notification.update_message_error.malformed_attribute_list"
        after = run.wait_counter(bgp(reset), Lab.counter(before, bgp(reset)) + 1, before)
        run.record("bgp_rfc7606_session_reset", "1 UPDATE, Total Path Attribute Length 200 > message",
                   [(bgp(reset), 1)],
                   "NOTIFICATION UPDATE Message Error/Malformed Attribute List, session reset "
                   "(RFC 7606 4, RFC 4271 6.3)", before, after)
        run.check("bgp_rfc7606_session_reset", note == (3, 1), "NOTIFICATION %s" % (note,))

        # OPEN and header garbage on new connections: each answered and closed.
        garbage = [
            ("bgp_open_bad_version", bgp_open(asn, 90, "10.255.255.101", version=3),
             "bgp.tx.notification.open_message_error.unsupported_version_number", (2, 1)),
            ("bgp_header_bad_marker", bgp_msg(1, b"\0" * 10, marker=b"\0" * 16),
             "bgp.tx.notification.message_header_error.connection_not_synchronized", (1, 1)),
            ("bgp_header_bad_length", bgp_msg(1, b"", length=12),
             "bgp.tx.notification.message_header_error.bad_message_length", (1, 2)),
        ]
        for case, msg, counter, want in garbage:
            before = lab.status()
            got = None
            deadline = time.time() + 60
            while time.time() < deadline and got is None:
                try:
                    c = BgpConn(me, them, next(ports))
                    c.send(msg)
                    got = c.notification(3.0)
                    c.close()
                except OSError:
                    pass
                if got is None:
                    time.sleep(0.5)  # the session waits out its idle hold first
            after = run.wait_counter(bgp(counter), Lab.counter(before, bgp(counter)) + 1, before)
            run.record(case, "a new connection, then: %s" % case.replace("bgp_", ""),
                       [(bgp(counter), 1)],
                       "NOTIFICATION %d/%d, connection closed (RFC 4271 6.1, 6.2)" % want,
                       before, after)
            run.check(case, got == want, "NOTIFICATION %s, want %s" % (got, want))
    finally:
        subprocess.run(["nft", "delete", "table", "ip", "hostile"], capture_output=True)
    # The real speaker comes back (its connect-retry timer).
    run.check("bgp_session_restored", wait_bgp(lab, azure_node, me, "Established", 90),
              "the real AWS session did not come back")


# ---- logs: one line per second per reason at most -----------------------------------------

# Counted events that are not errors, so not logged per event.
NOT_LOGGED = {"ike.half_open.created"}


def check_logs(run, rundir):
    moved = {(c["node"], c["counter"]) for r in run.rows for c in r["counted"]
             if c["delta"] > 0 and c["counter"] not in NOT_LOGGED}
    stamp = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) .*?\[([a-z0-9_.]+)\] ")
    for node in sorted({n for n, _ in moved}):
        path = os.path.join(rundir, node + ".log")
        times = {}
        with open(path, errors="replace") as f:
            for line in f:
                m = stamp.match(line)
                if m:
                    h, mi, s, ms, reason = m.groups()
                    t = ((int(h) * 60 + int(mi)) * 60 + int(s)) * 1000 + int(ms)
                    times.setdefault(reason, []).append(t)
        for n, counter in sorted(moved):
            if n != node:
                continue
            ts = times.get(counter, [])
            gaps = [b - a for a, b in zip(ts, ts[1:])]
            # Wall-clock stamps of a steady-clock limiter: allow 20 ms of skew.
            ok = len(ts) >= 1 and all(g >= 980 for g in gaps)
            print("%s log %s %s: %d lines, smallest gap %s ms" % (
                "ok  " if ok else "FAIL", node, counter, len(ts),
                min(gaps) if gaps else "-"), flush=True)
            if not ok:
                run.failed.append("log " + counter)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vpnlab", required=True)
    ap.add_argument("--lab", required=True)
    ap.add_argument("--json")
    ap.add_argument("--logs", help="the lab's run directory: check the log rate limit")
    ap.add_argument("--phase", choices=["all", "a", "b"], default="all",
                    help="a: IKE, ESP and the BGP connection collision (no session changes); "
                         "b: the BGP cases on a taken-over session (RFC 7606 session reset)")
    a = ap.parse_args()
    conf.verb = 0
    lab = Lab(a.vpnlab, a.lab)
    run = Runner(lab)
    if a.json and os.path.exists(a.json):
        with open(a.json) as f:
            prev = json.load(f)  # an earlier phase's rows: one table, one log check
        run.rows, run.failed = prev["cases"], prev["failed"]
    doc = lab.status()
    aws = next(n for n, g in doc["gateways"].items() if g.get("cloud") == "aws")
    azure0 = sorted(n for n, g in doc["gateways"].items() if g.get("cloud") == "azure")[0]
    az_tunnel = Lab.gw(doc, azure0)["tunnels"][0]
    aws_tunnel = next(t for t in Lab.gw(doc, aws)["tunnels"]
                      if t["outside_remote"] == az_tunnel["outside_local"] and
                      t["inside_remote"] == az_tunnel["inside_local"])
    if a.phase in ("all", "a"):
        enter_netns(a.lab + "-internet")
        ike_cases(run, lab, azure0, az_tunnel["device"])
        ike_replay_cases(run, lab, azure0, az_tunnel["device"], aws, aws_tunnel["device"])
        esp_cases(run, lab)
        enter_netns(a.lab + "-" + aws)
        bgp_collision_case(run, lab, azure0, aws, aws_tunnel["device"])
    if a.phase in ("all", "b"):
        enter_netns(a.lab + "-" + aws)
        bgp_session_cases(run, lab, azure0, aws, aws_tunnel["device"])
    if a.logs:
        check_logs(run, a.logs)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"cases": run.rows, "failed": run.failed}, f, indent=1)
    if run.failed:
        print("hostile: FAILED: " + ", ".join(run.failed))
        return 1
    print("hostile: all %d cases so far as expected" % len(run.rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

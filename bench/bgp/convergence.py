#!/usr/bin/env python3
"""BGP convergence and memory: vpnlab's speaker vs FRR bgpd, BIRD and GoBGP, same run.

One sender (bgp_bench_sender, passive, in namespace <tag>-s) holds N /24s. For each receiver
and each N a fresh namespace <tag>-r<k> is linked to the sender by a veth pair; the receiver
is started there and connects to the sender (every receiver is the active side, so its own
connect delays count). We measure, from the moment we exec the receiver:
  - session: when the sender saw the receiver's KEEPALIVE (Established), from the sender's log
  - Loc-RIB: when the receiver holds all N routes in its Loc-RIB
  - kernel:  vpnlab only (anchors run without a FIB: FRR -Z -n, BIRD/GoBGP with no kernel
             protocol / zebra): when N routes were ACKed by rtnetlink
  - RSS of the receiver process right after.
vpnlab reports its own moments (exact, checked after every event); anchors are polled through
their CLIs every POLL seconds, so their times carry POLL + one CLI run of granularity (the
mean CLI run time is printed). Run as root via convergence.sh; tag is vpnlab-b-<pid>.
"""
import argparse
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SENDER_ADDR = "10.255.0.2"
RECEIVER_ADDR = "10.255.0.1"
PREFIX_LEN = 30
BGP_PORT = 179
GOBGP_API_PORT = 50051
TIMEOUT_S = 120.0


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


class LineReader:
    """Reads a child's stdout lines on a thread into a queue."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.lines.put(line.strip())

    def get(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None


class Lab:
    """Namespaces, veths, processes and temp files of one run; cleanup() undoes them all."""

    def __init__(self, tag):
        self.tag = tag
        self.netns = []
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix=tag + "-")
        os.chmod(self.tmp, 0o755)

    def add_netns(self, name):
        sh("ip", "netns", "add", name)
        self.netns.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")

    def del_netns(self, name):
        sh("ip", "netns", "del", name, check=False)
        if name in self.netns:
            self.netns.remove(name)

    def spawn(self, ns, args, log_path=None, stdout_pipe=False):
        out = subprocess.PIPE if stdout_pipe else open(log_path or os.devnull, "w")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + args, stdout=out,
                             stderr=subprocess.STDOUT if log_path else subprocess.DEVNULL,
                             text=True)
        self.procs.append(p)
        return p

    def kill(self, p, graceful=False):
        """By PID. graceful: SIGINT first (a profiler wrapper must write its data)."""
        if graceful and p.poll() is None:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        p.wait()
        if p in self.procs:
            self.procs.remove(p)

    def cleanup(self):
        for p in list(self.procs):
            self.kill(p)
        for ns in list(self.netns):
            self.del_netns(ns)
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- receivers: each writes its config into dir, gives its command, and counts its Loc-RIB.


class Receiver:
    name = ""
    poll_cmd_s = []  # durations of CLI polls

    def __init__(self, tools):
        self.tools = tools
        self.poll_cmd_s = []

    @staticmethod
    def config(path, text):
        with open(path, "w") as f:
            f.write(text)
        return path

    def timed(self, args):
        t = time.monotonic()
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.poll_cmd_s.append(time.monotonic() - t)
        return r.stdout


class Vpnlab(Receiver):
    name = "vpnlab"
    extra = []

    def command(self, d, ns, n):
        conf = self.config(f"{d}/vpnlab.conf",
                           f"asn 65515\nrouter-id {RECEIVER_ADDR}\nport {BGP_PORT}\n"
                           f"peer {SENDER_ADDR} asn 65001 local {RECEIVER_ADDR} passive off "
                           f"max-prefix 10000000\n")
        return self.tools["wrap"] + [self.tools["receiver"], conf, str(n)] + self.extra


class VpnlabNoFib(Vpnlab):
    # Loc-RIB only, no kernel installs: the same work the anchors do here.
    name = "vpnlab-nofib"
    extra = ["--no-kernel"]


class Frr(Receiver):
    name = "frr"

    def command(self, d, ns, n):
        self.dir = d
        conf = self.config(f"{d}/bgpd.conf",
                           f"router bgp 65515\n bgp router-id {RECEIVER_ADDR}\n"
                           f" no bgp ebgp-requires-policy\n"
                           f" neighbor {SENDER_ADDR} remote-as 65001\n")
        return ["/usr/lib/frr/bgpd", "-Z", "-n", "-S", "-f", conf, "-i",
                f"{d}/bgpd.pid", "--vty_socket", d, "-l", RECEIVER_ADDR, "-p", str(BGP_PORT),
                "--log", f"file:{d}/bgpd.log"]

    def count(self, ns):
        s = self.timed(["vtysh", "--vty_socket", self.dir, "-d", "bgpd", "-c",
                        "show bgp summary json"])
        m = re.search(r'"pfxRcd":(\d+)', s)
        return int(m.group(1)) if m else 0


class Bird(Receiver):
    name = "bird"
    tuning = ""

    def command(self, d, ns, n):
        self.sock = f"{d}/bird.ctl"
        conf = self.config(f"{d}/bird.conf",
                           f'log "{d}/bird.log" all;\nrouter id {RECEIVER_ADDR};\n'
                           f"protocol device {{ }}\nprotocol bgp sender {{\n"
                           f"  local {RECEIVER_ADDR} as 65515;\n"
                           f"  neighbor {SENDER_ADDR} as 65001;\n{self.tuning}"
                           f"  ipv4 {{ import all; export none; }};\n}}\n")
        return ["/usr/sbin/bird", "-c", conf, "-s", self.sock, "-P",
                f"{d}/bird.pid", "-f"]

    def count(self, ns):
        m = re.search(r"(\d+) of \d+ routes", self.timed(["birdc", "-s", self.sock,
                                                         "show route count"]))
        return int(m.group(1)) if m else 0


class BirdTuned(Bird):
    # BIRD waits `connect delay time` (default 5 s, randomized down by up to 1/4, RFC 4271
    # §10 jitter) before its first connect; 1 s is the smallest value it uses.
    name = "bird-tuned"
    tuning = "  connect delay time 1;\n  startup hold time 5;\n  connect retry time 1;\n"


class Gobgp(Receiver):
    name = "gobgp"

    def command(self, d, ns, n):
        conf = self.config(f"{d}/gobgpd.toml",
                           f'[global.config]\n  as = 65515\n  router-id = "{RECEIVER_ADDR}"\n'
                           f"  port = {BGP_PORT}\n[[neighbors]]\n  [neighbors.config]\n"
                           f'    neighbor-address = "{SENDER_ADDR}"\n    peer-as = 65001\n')
        return ["/usr/bin/gobgpd", "-f", conf, "-p", "-l", "warn",
                f"--api-hosts=127.0.0.1:{GOBGP_API_PORT}", "--pprof-disable"]

    def count(self, ns):
        s = self.timed(["nsenter", f"--net=/run/netns/{ns}", "gobgp", "-p",
                        str(GOBGP_API_PORT), "global", "rib", "summary"])
        m = re.search(r"Destination:\s*(\d+)", s)
        return int(m.group(1)) if m else 0


RECEIVERS = {c.name: c for c in (Vpnlab, VpnlabNoFib, Frr, Bird, BirdTuned, Gobgp)}


def session_line(sender_out, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = sender_out.get(0.05)
        if line and line.startswith("session"):
            return {k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return {}


def wait_link_up(ns, dev):
    """Until the veth is operationally up: a SYN sent before is lost (1 s retransmit)."""
    deadline = time.monotonic() + 5
    while "state UP" not in sh("ip", "-n", ns, "-o", "link", "show", dev).stdout:
        if time.monotonic() > deadline:
            sys.exit(f"{dev} in {ns} did not come up")
        time.sleep(0.01)


def run_one(lab, k, receiver, n, sender_out, poll_s):
    """One receiver, one table size: returns a dict of seconds since exec and RSS."""
    ns = f"{lab.tag}-r{k}"
    d = f"{lab.tmp}/run{k}"
    os.mkdir(d)
    os.chmod(d, 0o777)
    lab.add_netns(ns)
    sender_ns = f"{lab.tag}-s"
    veth_s = f"vbs{k}"
    sh("ip", "link", "add", "vbr", "netns", ns, "type", "veth", "peer", "name", veth_s,
       "netns", sender_ns)
    sh("ip", "-n", ns, "addr", "add", f"{RECEIVER_ADDR}/{PREFIX_LEN}", "dev", "vbr")
    sh("ip", "-n", sender_ns, "addr", "add", f"{SENDER_ADDR}/{PREFIX_LEN}", "dev", veth_s)
    sh("ip", "-n", ns, "link", "set", "vbr", "up")
    sh("ip", "-n", sender_ns, "link", "set", veth_s, "up")
    wait_link_up(ns, "vbr")
    wait_link_up(sender_ns, veth_s)
    args = receiver.command(d, ns, n)
    is_vpnlab = isinstance(receiver, Vpnlab)  # and VpnlabNoFib
    t0 = time.monotonic_ns()
    p = lab.spawn(ns, args, log_path=None if is_vpnlab else f"{d}/stdout.log",
                  stdout_pipe=is_vpnlab)
    result = {"rib": None, "kernel": None}
    deadline = time.monotonic() + TIMEOUT_S
    if is_vpnlab:
        out = LineReader(p.stdout)
        last = "locrib" if receiver.extra else "kernel_routes"
        while time.monotonic() < deadline and p.poll() is None:
            line = out.get(0.1) or ""
            m = re.match(r"(locrib|kernel)_ns=(\d+) rss_kib=(\d+)", line)
            if m:
                key = "rib" if m.group(1) == "locrib" else "kernel"
                result[key] = (int(m.group(2)) - t0) / 1e9
                result["rss_self_kib"] = int(m.group(3))
                result["window_ns"] = (t0, int(m.group(2)))
            m = re.match(r"kernel_routes=(\d+)", line)
            if m:
                result["kernel_routes"] = int(m.group(1))
            if line.startswith(last):
                break
    else:
        while time.monotonic() < deadline and p.poll() is None:
            if receiver.count(ns) >= n:
                result["rib"] = (time.monotonic_ns() - t0) / 1e9
                break
            time.sleep(poll_s)
    # vpnlab's own reading is taken at the moment of convergence, before its untimed
    # netlink dump; the anchors' right after the poll that saw all routes.
    result["rss_kib"] = result.pop("rss_self_kib", None) or rss_kib(p.pid)
    s = session_line(sender_out, 2.0)
    if s:
        result["session"] = (s["established_ns"] - t0) / 1e9
        result["accept"] = (s["accept_ns"] - t0) / 1e9
        done = result["kernel"] if result["kernel"] is not None else result["rib"]
        if done is not None:
            result["after"] = done - result["session"]
    lab.kill(p, graceful=is_vpnlab and bool(receiver.tools["wrap"]))
    sh("ip", "-n", sender_ns, "link", "del", veth_s, check=False)
    lab.del_netns(ns)
    return result


def fmt(v, unit=""):
    return "-" if v is None else f"{v:.3f}{unit}"


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def report(results, sizes, names, reps, poll_s, polls):
    print(f"\nBGP convergence, median of {reps} run(s); seconds from exec of the receiver."
          f"\nanchors polled every {poll_s * 1000:.0f} ms; mean CLI poll run: " +
          ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in polls.items()) +
          "\nvpnlab times are exact (self-reported). Ratios = vpnlab / anchor: Loc-RIB uses"
          "\nvpnlab-nofib (no kernel installs, like the anchors), kernel and RSS use vpnlab"
          "\n(all routes in its kernel table). 'after session' = done (kernel for vpnlab,"
          "\nLoc-RIB otherwise) minus session up: the table transfer and processing alone.\n")
    print("| prefixes | receiver | session up s | Loc-RIB s | kernel s | after session s | RSS MiB "
          "| ratio time (Loc-RIB) | ratio time (kernel) | ratio after session (Loc-RIB) "
          "| ratio RSS |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        row = {name: results[(name, n)] for name in names}
        med = {name: {key: median([r.get(key) for r in runs])
                      for key in ("session", "rib", "kernel", "rss_kib", "after")}
               for name, runs in row.items()}
        v = med.get("vpnlab") or med.get("vpnlab-nofib")
        nofib = med.get("vpnlab-nofib") or v
        for name in names:
            m = med[name]
            rss = m["rss_kib"] / 1024 if m["rss_kib"] else None
            ratios = ["-", "-", "-", "-"]
            if v and not name.startswith("vpnlab") and m["rib"]:
                ratios = [f"{nofib['rib'] / m['rib']:.3f}" if nofib["rib"] else "-",
                          f"{v['kernel'] / m['rib']:.3f}" if v["kernel"] else "-",
                          f"{nofib['after'] / m['after']:.3f}" if nofib["after"] and m["after"]
                          else "-",
                          f"{v['rss_kib'] / m['rss_kib']:.2f}" if v["rss_kib"] else "-"]
            print(f"| {n} | {name} | {fmt(m['session'])} | {fmt(m['rib'])} | "
                  f"{fmt(m['kernel'])} | {fmt(m['after'])} | {fmt(rss)} | "
                  + " | ".join(ratios) + " |")
    if len(sizes) > 1:
        lo, hi = min(sizes), max(sizes)
        print(f"\nmarginal RSS per route between {lo} and {hi} prefixes (median runs):")
        for name in names:
            a = median([r["rss_kib"] for r in results[(name, lo)]])
            b = median([r["rss_kib"] for r in results[(name, hi)]])
            if a and b:
                print(f"  {name:11s} {(b - a) * 1024 / (hi - lo):7.0f} B/route")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sender", required=True, help="bgp_bench_sender binary")
    ap.add_argument("--receiver", required=True, help="bgp_bench_receiver binary")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--receivers", default="vpnlab,vpnlab-nofib,frr,bird,bird-tuned,gobgp")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--poll-ms", type=float, default=20.0)
    ap.add_argument("--tag", default=f"vpnlab-b-{os.getpid()}")
    ap.add_argument("--vpnlab-wrap", default="",
                    help="command prefix for vpnlab's receiver, e.g. 'perf record -g -o F'"
                         " (its RSS is then the wrapper's)")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    names = a.receivers.split(",")
    tools = {"receiver": a.receiver, "wrap": a.vpnlab_wrap.split()}
    receivers = {name: RECEIVERS[name](tools) for name in names}
    poll_s = a.poll_ms / 1000
    lab = Lab(a.tag)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    results = {(name, n): [] for name in names for n in sizes}
    try:
        lab.add_netns(f"{lab.tag}-s")
        k = 0
        for n in sizes:
            sender = lab.spawn(f"{lab.tag}-s", [a.sender, "0.0.0.0", str(BGP_PORT), str(n),
                                                SENDER_ADDR], stdout_pipe=True)
            sender_out = LineReader(sender.stdout)
            if sender_out.get(30) != "ready":
                sys.exit("sender did not start")
            for rep in range(a.reps):
                for name in names:
                    k += 1
                    r = run_one(lab, k, receivers[name], n, sender_out, poll_s)
                    results[(name, n)].append(r)
                    print(f"rep {rep + 1} {n:7d} {name:11s} session {fmt(r.get('session'))}"
                          f" Loc-RIB {fmt(r['rib'])} kernel {fmt(r['kernel'])}"
                          f" RSS {r['rss_kib'] / 1024:.1f} MiB"
                          + (f" (kernel dump {r['kernel_routes']})" if "kernel_routes" in r
                             else "")
                          + (" (CLOCK_MONOTONIC window %d.%09d,%d.%09d)" % (
                              r["window_ns"][0] // 10**9, r["window_ns"][0] % 10**9,
                              r["window_ns"][1] // 10**9, r["window_ns"][1] % 10**9)
                             if a.vpnlab_wrap and "window_ns" in r else ""), flush=True)
            lab.kill(sender)
        polls = {name: statistics.mean(r.poll_cmd_s) for name, r in receivers.items()
                 if r.poll_cmd_s}
        report(results, sizes, names, a.reps, poll_s, polls)
    finally:
        lab.cleanup()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Soak and abuse test for Wharf: legitimate load beside hostile clients, for a bounded time.

A Release server (durable store, the limits below) serves producers and consumers on a standard
queue (AWS JSON 1.0, SigV4: the client of tests/crash/crash_test.py) for --duration seconds,
while these clients abuse it:

  slowloris   --slowloris connections, each sending a request line and then one header line a
              second, never finishing: the server must cut each off at --header-timeout;
  idle        --idle connections that send nothing: cut off at --header-timeout too (a new
              connection's first request is due within it);
  slow body   --slow-bodies connections that send a header announcing 1 MB and then 10 bytes a
              second: cut off at --body-timeout;
  malformed   ten a second: a new connection sending one of several malformed requests (not
              HTTP, a bad header line, a bad Content-Length, bad chunk sizes, a NUL in a
              header, an unknown version, two lengths, a bare LF, a space in the target), or an
              oversized header section (over 64 KiB: 431) or body (Content-Length over
              --max-request-bytes, or chunks beyond it: 413). Each must be answered with that
              status and the connection closed;
  flood       every 15 s after the warm-up: connections opened as fast as possible until the
              server refuses one with 503 (at --max-connections), held 2 s, then closed.

Each abusive connection that the server does not close within its deadline plus
--deadline-slack seconds is a violation, and so is a wrong answer to a malformed request.

Checked at the end:
  - legitimate traffic kept succeeding: every acknowledged send was received, no acknowledged
    delete came back, the longest time without any successful legitimate operation is under
    --max-gap seconds, and under 5 % of legitimate requests failed (the failures are new
    connections refused during a flood, which the clients retry as SDKs do);
  - the per-connection request limit: a keep-alive connection gets Connection: close with its
    --max-requests-per-connection-th response;
  - memory: the server's live allocations (jemalloc's count, from GET /metrics) at the end (all
    clients gone) are at most --rss-bound MiB above their value after the warm-up, and its RSS
    never rises more than --rss-peak-bound MiB above its value then; a server without jemalloc
    has no allocator figures, and its RSS at the end is held to --rss-bound instead (see
    docs/reliability.md for why those bounds);
  - descriptors: the server's socket descriptors (/proc/<pid>/fd) return to their number before
    any client came (the listener), and its other descriptors (store files, WAL) to within 16
    of theirs, within 30 s of the last client leaving; and at no time were more sockets open
    than --max-connections plus the listener.

Usage (standard library only):
  python3 tests/soak/soak.py --wharf build/release/src/server/wharf [--duration 60] [--seed N]
Exit status: 0 pass, 1 a violation or failure, 2 setup error.
"""

import argparse
import collections
import errno
import http.client
import os
import random
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crash"))
import crash_test as ct  # noqa: E402  (SqsClient, Record, producer, consumer, Stats, ...)

from crash_test import Unacknowledged, log, now  # noqa: E402

MiB = 1024 * 1024


def mib(value):
    return "n/a" if value is None else "%.1f MiB" % (value / MiB)


# ---------------------------------------------------------------- the server and its /proc ----

class SoakServer:
    def __init__(self, binary, port, tmp, args):
        self.port = port
        self.log_path = os.path.join(tmp, "wharf.log")
        self.log_file = open(self.log_path, "ab")
        self.argv = [binary, "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--data-dir", os.path.join(tmp, "data"),
                     "--max-connections", str(args.max_connections),
                     "--header-timeout", str(args.header_timeout),
                     "--body-timeout", str(args.body_timeout),
                     "--idle-timeout", str(args.idle_timeout),
                     "--max-requests-per-connection", str(args.max_requests_per_connection),
                     "--max-request-bytes", str(args.max_request_bytes)]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = now() + 30
        while now() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("wharf exited with status %s" % self.proc.returncode)
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/health")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        raise RuntimeError("wharf did not answer GET /health within 30 s")

    def rss(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def allocated(self):
        """jemalloc's live bytes from GET /metrics; None without jemalloc, or if the scrape
        failed (refused during a flood)."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            c.request("GET", "/metrics")
            r = c.getresponse()
            text = r.read().decode("utf-8", "replace")
            c.close()
        except (OSError, http.client.HTTPException):
            return None
        if r.status != 200:
            return None
        for line in text.splitlines():
            if line.startswith("wharf_allocator_allocated_bytes "):
                return int(float(line.split()[1]))
        return None

    def allocated_settled(self, tries=20):
        """allocated(), tried again for a while (a flood may refuse a scrape)."""
        for _ in range(tries):
            value = self.allocated()
            if value is not None:
                return value
            time.sleep(0.5)
        return None

    def fds(self):
        """(socket descriptors, other descriptors)."""
        sockets = other = 0
        base = "/proc/%d/fd" % self.proc.pid
        for name in os.listdir(base):
            try:
                target = os.readlink(os.path.join(base, name))
            except OSError:
                continue  # closed meanwhile
            if target.startswith("socket:"):
                sockets += 1
            else:
                other += 1
        return sockets, other

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""


class Sampler(threading.Thread):
    """RSS and descriptor counts once a second, and the allocator's live bytes."""

    def __init__(self, server, stop):
        super().__init__(daemon=True)
        self.server, self.stop_event = server, stop
        self.samples = []  # (t, rss, sockets, other fds, allocated bytes or None)
        self.lock = threading.Lock()

    def sample(self, allocated=True):
        # Descriptors first: the scrape's own connection must not be counted.
        s = (now(), self.server.rss(), *self.server.fds(),
             self.server.allocated() if allocated else None)
        with self.lock:
            self.samples.append(s)
        return s

    def run(self):
        while not self.stop_event.wait(1.0):
            if not self.server.alive():
                return
            try:
                self.sample()
            except OSError:
                return


# ------------------------------------------------------------------------------- abusers ------

class Findings:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.lifetimes = collections.defaultdict(list)  # kind -> seconds until the server closed
        self.violations = []

    def count(self, key, n=1):
        with self.lock:
            self.counts[key] += n

    def lifetime(self, kind, seconds):
        with self.lock:
            self.lifetimes[kind].append(seconds)

    def violation(self, text):
        with self.lock:
            if len(self.violations) < 200:
                self.violations.append(text)


def connect_nonblocking(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    err = s.connect_ex(("127.0.0.1", port))
    if err not in (0, errno.EINPROGRESS):
        s.close()
        return None
    return s


class HoldingAbuser(threading.Thread):
    """Keeps `count` connections of one kind open, each sending `first` and then `piece` every
    `interval` seconds; records how long the server let each live (until EOF or reset) and
    opens another in its place. A connection the server answers with 503 (the limit) is counted
    as refused and replaced after a pause."""

    def __init__(self, kind, port, count, first, piece, interval, deadline_s, slack, findings,
                 stop):
        super().__init__(daemon=True, name=kind)
        self.kind, self.port, self.count = kind, port, count
        self.first, self.piece, self.interval = first, piece, interval
        self.deadline_s, self.slack = deadline_s, slack
        self.findings, self.stop_event = findings, stop

    def run(self):
        sel = selectors.DefaultSelector()
        conns = {}  # socket -> [opened at, next piece at, first sent]
        next_open = 0.0
        while not self.stop_event.is_set():
            t = now()
            while len(conns) < self.count and t >= next_open:
                s = connect_nonblocking(self.port)
                if s is None:
                    next_open = t + 0.5
                    break
                conns[s] = [t, t, False]
                sel.register(s, selectors.EVENT_READ)
                self.findings.count(self.kind + " opened")
            for key, _ in sel.select(timeout=0.05):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                opened = conns[s][0]
                if data.startswith(b"HTTP/1.1 503"):
                    self.findings.count(self.kind + " refused (503)")
                    next_open = now() + 0.5
                elif data:
                    self.findings.violation("%s connection answered %r" % (self.kind, data[:40]))
                else:
                    lived = now() - opened
                    self.findings.lifetime(self.kind, lived)
                    self.findings.count(self.kind + " cut off")
                    if lived > self.deadline_s + self.slack:
                        self.findings.violation("%s connection lived %.1f s (deadline %d s)"
                                                % (self.kind, lived, self.deadline_s))
                sel.unregister(s)
                s.close()
                del conns[s]
            t = now()
            for s, state in list(conns.items()):
                if t < state[1]:
                    continue
                data = self.piece if state[2] else self.first
                state[1] = t + self.interval
                state[2] = True
                if not data:
                    continue
                try:
                    s.send(data)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    pass  # the close shows up as EOF or a reset on the next read
                # A connection alive far past its deadline is reported once, at the end.
        for s, state in conns.items():
            lived = now() - state[0]
            if lived > self.deadline_s + self.slack:
                self.findings.violation("%s connection still open after %.1f s" % (self.kind, lived))
            sel.unregister(s)
            s.close()


def malformed_cases(max_request_bytes):
    big_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (70 * 1024) + b"\r\n\r\n"
    over = max_request_bytes + 1
    chunks = b""
    chunk = 256 * 1024
    for _ in range(over // chunk + 1):
        chunks += b"%x\r\n" % chunk + b"c" * chunk + b"\r\n"
    return [
        ("not HTTP", b"THIS IS NOT HTTP\r\n\r\n", 400),
        ("bad header line", b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
        ("bad Content-Length", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400),
        ("bad chunk size", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"ZZ\r\nabc\r\n0\r\n\r\n", 400),
        ("NUL in header", b"GET / HTTP/1.1\r\nHost: x\x00y\r\n\r\n", 400),
        ("unknown version", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        ("two lengths", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                        b"Content-Length: 2\r\n\r\nab", 400),
        ("bare LF", b"GET / HTTP/1.1\nHost: x\n\n", 400),
        ("space in target", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("header over 64 KiB", big_header, 431),
        ("Content-Length over the limit",
         b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
         b"X-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: %d\r\n\r\n" % (over * 16)
         + b"{}", 413),
        ("chunked body over the limit",
         b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
         b"X-Amz-Target: AmazonSQS.ListQueues\r\nTransfer-Encoding: chunked\r\n\r\n"
         + chunks + b"0\r\n\r\n", 413),
    ]


def malformed_client(port, cases, findings, stop, rng):
    """Ten malformed requests a second, each on a new connection: the expected status, then the
    connection closed by the server (EOF within 10 s)."""
    while not stop.wait(0.1):
        name, data, status = cases[rng.randrange(len(cases))]
        if status == 413 and rng.random() < 0.8:
            continue  # the big ones less often
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(("127.0.0.1", port))
            try:
                s.sendall(data)
            except OSError:
                pass  # the server may answer and close before reading it all
            buf = b""
            eof = False
            while True:
                try:
                    d = s.recv(65536)
                except socket.timeout:
                    break
                except OSError:
                    eof = True  # reset after the answer: closed too
                    break
                if not d:
                    eof = True
                    break
                buf += d
        except OSError as e:
            findings.count("malformed: connect failed (%s)" % type(e).__name__)
            s.close()
            continue
        s.close()
        if buf.startswith(b"HTTP/1.1 503"):
            findings.count("malformed: refused (503) during a flood")
            continue
        got = buf[9:12]
        if got != b"%d" % status:
            findings.violation("%s: answered %r, expected %d" % (name, buf[:40], status))
        elif not eof:
            findings.violation("%s: answered %d but the connection stayed open" % (name, status))
        elif b"Connection: close" not in buf.split(b"\r\n\r\n", 1)[0]:
            findings.violation("%s: answered %d without Connection: close" % (name, status))
        else:
            findings.count("malformed: %d and closed" % status)


def flood(port, max_connections, findings, stop, hold=2.0):
    """Opens connections until one is refused with 503 (or max_connections + 100 were opened),
    holds them `hold` s, closes them. Returns (accepted, refused). The server tells a refused
    connection at once; an accepted one hears nothing, so every 20 connections the open ones
    are polled for an answer."""
    sel = selectors.DefaultSelector()
    opened = []
    refused = 0
    try:
        for i in range(max_connections + 100):
            if stop.is_set() or refused:
                break
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.connect(("127.0.0.1", port))
            except OSError:
                s.close()
                refused += 1
                break
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
            opened.append(s)
            if i % 20 != 19:
                continue
            for key, _ in sel.select(timeout=0.05):
                try:
                    first = key.fileobj.recv(64)
                except OSError:
                    first = b""
                sel.unregister(key.fileobj)
                if first.startswith(b"HTTP/1.1 503"):
                    refused += 1
                elif first:
                    findings.violation("flood connection answered %r before sending anything"
                                       % first[:40])
        if not refused:  # the last few
            for key, _ in sel.select(timeout=0.2):
                try:
                    first = key.fileobj.recv(64)
                except OSError:
                    first = b""
                sel.unregister(key.fileobj)
                if first.startswith(b"HTTP/1.1 503"):
                    refused += 1
        time.sleep(hold)
    finally:
        for s in opened:
            s.close()
        sel.close()
    return len(opened) - refused, refused


def flooder(port, max_connections, findings, stop, first_at, every):
    if stop.wait(max(0.0, first_at - now())):
        return
    while True:
        accepted, refused = flood(port, max_connections, findings, stop)
        findings.count("floods")
        findings.count("flood connections accepted", accepted)
        if refused:
            findings.count("floods refused with 503")
        else:
            findings.violation("a flood of %d connections was never refused (limit %d)"
                               % (accepted, max_connections))
        if stop.wait(every):
            return


# -------------------------------------------------------------------------------- checks -----

def check_request_limit(port, limit, failures):
    """The limit-th response on one connection says Connection: close."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for i in range(1, limit + 1):
            c.request("GET", "/health")
            r = c.getresponse()
            r.read()
            closing = (r.getheader("Connection", "") or "").lower() == "close"
            if closing != (i == limit):
                failures.append("request %d of a connection (limit %d) had Connection: %s"
                                % (i, limit, r.getheader("Connection")))
                return
    except (OSError, http.client.HTTPException) as e:
        failures.append("the per-connection request check failed: %s" % e)
    finally:
        c.close()


def longest_gap(times, start, end):
    times = sorted(t for t in times if start <= t <= end)
    points = [start] + times + [end]
    return max((b - a for a, b in zip(points, points[1:])), default=end - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wharf", required=True)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds before the RSS reference (default: 15%% of the duration, "
                         "at least 10 s)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--producers", type=int, default=3)
    ap.add_argument("--consumers", type=int, default=3)
    ap.add_argument("--slowloris", type=int, default=150)
    ap.add_argument("--idle", type=int, default=150)
    ap.add_argument("--slow-bodies", type=int, default=20)
    ap.add_argument("--flood-every", type=float, default=15.0)
    ap.add_argument("--max-connections", type=int, default=400)
    ap.add_argument("--header-timeout", type=int, default=5)
    ap.add_argument("--body-timeout", type=int, default=5)
    ap.add_argument("--idle-timeout", type=int, default=10)
    ap.add_argument("--max-requests-per-connection", type=int, default=1000)
    ap.add_argument("--max-request-bytes", type=int, default=2 * MiB)
    ap.add_argument("--deadline-slack", type=float, default=5.0,
                    help="seconds past its deadline an abusive connection may live (a loaded "
                         "machine, the client's own 1 s pace)")
    ap.add_argument("--max-gap", type=float, default=10.0,
                    help="longest time allowed without a successful legitimate operation")
    ap.add_argument("--rss-bound", type=float, default=64.0,
                    help="MiB: growth of live allocations (jemalloc; of RSS without it) from the "
                         "warm-up to the end")
    ap.add_argument("--rss-peak-bound", type=float, default=128.0,
                    help="MiB: how far RSS may rise above its warm-up value (jemalloc only)")
    ap.add_argument("--keep-data", action="store_true")
    args = ap.parse_args()
    warmup = args.warmup if args.warmup is not None else max(10.0, 0.15 * args.duration)

    binary = os.path.abspath(args.wharf)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("soak: %s is not an executable file" % args.wharf, file=sys.stderr)
        return 2
    if not os.environ.get("WHARF_ROOT_KEY"):
        os.environ["WHARF_ROOT_KEY"] = os.urandom(32).hex()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    log("seed %d; %.0f s with a %.0f s warm-up" % (seed, args.duration, warmup))

    tmp = tempfile.mkdtemp(prefix="wharf-soak-")
    server = SoakServer(binary, ct.free_port(), tmp, args)
    port = server.port
    stats, rec, findings = ct.Stats(), ct.Record(), Findings()
    violations, failures = [], []
    stop_abuse, stop_producers, stop_consumers, stop_sampler = (threading.Event() for _ in range(4))
    threads = []
    failed = True
    try:
        server.start()
        sampler = Sampler(server, stop_sampler)
        time.sleep(1.0)  # the server closes the start-up probe's connection
        base = sampler.sample()
        log("wharf up on port %d (pid %d): RSS %.1f MiB, %d sockets, %d other descriptors"
            % (port, server.proc.pid, base[1] / MiB, base[2], base[3]))
        check_request_limit(port, args.max_requests_per_connection, failures)
        admin = ct.SqsClient(port, stats)
        out, _ = admin.call("CreateQueue", {"QueueName": "soak-%d" % seed,
                                            "Attributes": {"VisibilityTimeout": "5"}})
        queue_url = out["QueueUrl"]
        admin.close()
        sampler.start()

        t0 = now()

        def spawn(kind, target, *a):
            t = threading.Thread(target=target, args=a, daemon=True)
            threads.append((kind, t))
            t.start()

        for i in range(args.producers):
            spawn("p", ct.producer, i, port, queue_url, rec, stats, stop_producers, 1500)
        for i in range(args.consumers):
            spawn("c", ct.consumer, i, port, queue_url, rec, stats, stop_consumers)
        slack = args.deadline_slack
        for kind, n, first, piece, interval, deadline in (
                ("slowloris", args.slowloris, b"POST / HTTP/1.1\r\nHost: x\r\n", b"X-Pad: y\r\n",
                 1.0, args.header_timeout),
                ("idle", args.idle, b"", b"", 1.0, args.header_timeout),
                ("slow body", args.slow_bodies,
                 b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", b"b" * 10,
                 1.0, args.body_timeout)):
            a = HoldingAbuser(kind, port, n, first, piece, interval, deadline, slack, findings,
                              stop_abuse)
            threads.append(("a", a))
            a.start()
        spawn("a", malformed_client, port, malformed_cases(args.max_request_bytes), findings,
              stop_abuse, random.Random(rng.random()))
        spawn("a", flooder, port, args.max_connections, findings, stop_abuse, t0 + warmup,
              args.flood_every)

        time.sleep(max(0.0, t0 + warmup - now()))
        warm = sampler.sample(allocated=False)
        # The first flood starts now: the scrape may have to wait for it.
        warm_alloc = server.allocated_settled()
        log("after the warm-up: RSS %.1f MiB, %s allocated, %d sockets, %d other descriptors; "
            "%d sends acknowledged" % (warm[1] / MiB, mib(warm_alloc), warm[2], warm[3],
                                       len(rec.send_ack)))
        next_report = now() + 10
        while now() < t0 + args.duration:
            time.sleep(min(1.0, max(0.0, t0 + args.duration - now())))
            if not server.alive():
                raise RuntimeError("the server exited during the soak")
            if now() >= next_report:
                s = sampler.samples[-1]
                log("RSS %.1f MiB, %s allocated, %d sockets; %d sends acknowledged, %d deletes"
                    % (s[1] / MiB, mib(s[4]), s[2], len(rec.send_ack), len(rec.delete_acks)))
                next_report += 10
        t_end = now()

        stop_abuse.set()
        stop_producers.set()
        for kind, t in threads:
            if kind in ("a", "p"):
                t.join(15)
        # Drain: consumers run until the queue is empty.
        drain_client = ct.SqsClient(port, stats)
        deadline = now() + 30
        drained = False
        while now() < deadline:
            time.sleep(0.5)
            try:
                counts, _ = ct.queue_counts(drain_client, queue_url)
            except Unacknowledged:
                continue
            if sum(counts.values()) == 0 and now() - rec.last_nonempty_receive > 2:
                drained = True
                break
        stop_consumers.set()
        for kind, t in threads:
            if kind == "c":
                t.join(15)
        drain_client.close()
        t_left = now()
        if not drained:
            failures.append("the queue did not drain within 30 s")

        # Every client is gone: sockets must come back to the baseline. Counted with no scrape
        # of our own in flight (the sampler stopped; no scrape until the count settles).
        stop_sampler.set()
        sampler.join(5)
        end = sampler.sample(allocated=False)
        while now() < t_left + 30 and (end[2] > base[2] or end[3] > base[3] + 16):
            time.sleep(0.5)
            end = sampler.sample(allocated=False)
        end_alloc = server.allocated_settled() if warm_alloc is not None else None

        # ---- checks ----
        lost = [b for b in rec.send_ack if b not in rec.receives]
        if lost:
            violations.append("%d acknowledged sends never received (e.g. %s)" % (len(lost), lost[0]))
        resurrected = sum(1 for b, acks in rec.delete_acks.items()
                          if any(r[0] > min(acks) for r in rec.receives.get(b, [])))
        if resurrected:
            violations.append("%d deleted messages received again" % resurrected)
        successes = [t for _, t in rec.send_ack.values()]
        successes += [t for ts in rec.delete_acks.values() for t in ts]
        gap = longest_gap(successes, t0 + 1.0, t_end)
        if gap > args.max_gap:
            violations.append("no legitimate operation succeeded for %.1f s (bound %.0f s)"
                              % (gap, args.max_gap))
        legit_errors = sum(n for k, n in stats.counters.items())
        legit_ok = len(rec.send_ack) + sum(len(v) for v in rec.delete_acks.values())
        legit_requests = stats.counters  # by kind
        if legit_errors > 0.05 * max(1, legit_ok):
            violations.append("%d legitimate requests failed against %d successful operations"
                              % (legit_errors, legit_ok))
        rss_growth = (end[1] - warm[1]) / MiB
        peak_rss_after_warm = max([s[1] for s in sampler.samples if s[0] >= warm[0]] + [end[1]])
        rss_peak_growth = (peak_rss_after_warm - warm[1]) / MiB
        alloc_growth = None
        if warm_alloc is None:
            # No allocator figures (a server without jemalloc): RSS is the only measure.
            if rss_growth > args.rss_bound:
                violations.append("RSS grew %.1f MiB after the warm-up (bound %.0f MiB)"
                                  % (rss_growth, args.rss_bound))
        elif end_alloc is None:
            failures.append("GET /metrics had no allocator figures at the end")
        else:
            # The leak check: live bytes, which freed memory jemalloc keeps for reuse (RSS
            # until its decay returns it) does not blur. Same bound, same reason: two write
            # buffers (docs/reliability.md).
            alloc_growth = (end_alloc - warm_alloc) / MiB
            if alloc_growth > args.rss_bound:
                violations.append("live allocations grew %.1f MiB after the warm-up (bound %.0f "
                                  "MiB)" % (alloc_growth, args.rss_bound))
            # And the footprint: RSS may keep freed memory, but not without limit.
            if rss_peak_growth > args.rss_peak_bound:
                violations.append("RSS rose to %.1f MiB above its warm-up value (bound %.0f MiB)"
                                  % (rss_peak_growth, args.rss_peak_bound))
        if end[2] > base[2]:
            violations.append("%d sockets still open 30 s after the last client left (baseline %d)"
                              % (end[2], base[2]))
        if end[3] > base[3] + 16:
            violations.append("%d other descriptors at the end (baseline %d)" % (end[3], base[3]))
        peak_sockets = max(s[2] for s in sampler.samples)
        if peak_sockets > args.max_connections + base[2] + 2:  # + sockets being refused
            violations.append("%d sockets open at a time (limit %d + %d listening)"
                              % (peak_sockets, args.max_connections, base[2]))
        peak_rss = max(s[1] for s in sampler.samples)
        # RSS saws up and down as the store's write buffers fill and flush; a leak would lift the
        # troughs: the lowest RSS of the first and of the second half after the warm-up.
        mid = (warm[0] + t_end) / 2
        first_half = [s[1] for s in sampler.samples if warm[0] <= s[0] < mid] or [warm[1]]
        second_half = [s[1] for s in sampler.samples if mid <= s[0] <= t_end] or [end[1]]
        violations += findings.violations

        c = findings.counts
        lt = findings.lifetimes

        def life(kind):
            xs = lt.get(kind, [])
            if not xs:
                return "none cut off"
            xs = sorted(xs)
            return "%d cut off after %.1f-%.1f s (median %.1f)" % (
                len(xs), xs[0], xs[-1], xs[len(xs) // 2])

        print()
        print("==== wharf soak summary (seed %d) ====" % seed)
        print("duration               %.0f s of load and abuse (warm-up %.0f s)" % (t_end - t0, warmup))
        print("limits                 --max-connections %d --header-timeout %d --body-timeout %d "
              "--idle-timeout %d --max-requests-per-connection %d --max-request-bytes %d"
              % (args.max_connections, args.header_timeout, args.body_timeout, args.idle_timeout,
                 args.max_requests_per_connection, args.max_request_bytes))
        print("legitimate             %d sends acknowledged, %d received, %d deletes acknowledged; "
              "lost %d; longest gap without success %.1f s; failed requests %d %s"
              % (len(rec.send_ack), len(rec.receives), len(rec.delete_acks), len(lost), gap,
                 legit_errors, dict(sorted(legit_requests.items())) or ""))
        print("slowloris              %d opened, %s" % (c["slowloris opened"], life("slowloris")))
        print("idle                   %d opened, %s" % (c["idle opened"], life("idle")))
        print("slow body              %d opened, %s" % (c["slow body opened"], life("slow body")))
        print("refused while holding  %d (503 at the connection limit)"
              % sum(n for k, n in c.items() if k.endswith("refused (503)")))
        print("malformed              %d answered 400 and closed, %d 431 and closed, %d 413 and "
              "closed; %d refused during floods"
              % (c["malformed: 400 and closed"], c["malformed: 431 and closed"],
                 c["malformed: 413 and closed"], c["malformed: refused (503) during a flood"]))
        print("floods                 %d, %d refused with 503 at the limit (%d connections "
              "accepted in all)" % (c["floods"], c["floods refused with 503"],
                                    c["flood connections accepted"]))
        print("RSS                    %.1f MiB at start, %.1f MiB after the warm-up, %.1f MiB peak, "
              "%.1f MiB at the end: growth %+.1f MiB (%s)"
              % (base[1] / MiB, warm[1] / MiB, peak_rss / MiB, end[1] / MiB, rss_growth,
                 "bound %.0f MiB" % args.rss_bound if warm_alloc is None
                 else "the leak check uses live allocations"))
        print("RSS troughs            %.1f MiB in the first half after the warm-up, %.1f MiB in the "
              "second" % (min(first_half) / MiB, min(second_half) / MiB))
        if warm_alloc is not None:
            print("allocated (jemalloc)   %s after the warm-up, %s at the end: growth %s (bound "
                  "%.0f MiB); RSS peak %+.1f MiB above the warm-up (bound %.0f MiB)"
                  % (mib(warm_alloc), mib(end_alloc),
                     "n/a" if alloc_growth is None else "%+.1f MiB" % alloc_growth,
                     args.rss_bound, rss_peak_growth, args.rss_peak_bound))
        print("sockets                %d before, %d peak, %d at the end" % (base[2], peak_sockets,
                                                                          end[2]))
        print("other descriptors      %d before, %d at the end" % (base[3], end[3]))
        for v in violations[:30]:
            print("VIOLATION " + v)
        for f in failures:
            print("FAILURE " + f)
        failed = bool(violations or failures)
        if failed:
            print("---- server log (tail) ----")
            print(server.log_tail())
            print("RESULT: FAIL (seed %d)" % seed)
            return 1
        print("RESULT: PASS")
        return 0
    except Exception as e:
        print("soak: error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        print(server.log_tail(), file=sys.stderr)
        print("RESULT: ERROR (seed %d)" % seed)
        return 2
    finally:
        stop_abuse.set()
        stop_producers.set()
        stop_consumers.set()
        stop_sampler.set()
        server.stop()
        for _, t in threads:
            t.join(1.0)
        if args.keep_data and failed:
            print("data kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

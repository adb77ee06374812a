#!/usr/bin/env python3
"""Crash loop for Wharf: many SIGKILLs under load, during start-up and recovery as well.

One standard queue and one FIFO queue get producer and consumer threads (AWS JSON 1.0, SigV4,
the same client as crash_test.py). The server is SIGKILLed again and again and restarted on the
same data directory. Each kill is one of:

  start-up   the server is killed a random moment after the process was spawned, before it
             answered GET /health: while it opens the store, recovers queues and messages, or
             has just begun to listen (the summary says how many kills found the port not yet
             listening). It is then started again; start-up kills may follow one another.
  load       the server is up and serving; it is killed a random moment later (mean gap
             --duration / --kills); with --aimed-fraction (0.3) of these the kill comes 0-3 ms
             after a FIFO send went out, so that some fall between the server's write of the
             message and the client's reading of the answer (the retry must then be
             deduplicated).

After the last kill the producers stop, the consumers drain both queues, a final sweep reads
what is left, and the following are checked. Times are the client's (time.monotonic()); a
request "sent after" an event was sent after the client saw that event's answer.

Standard queue (as crash_test.py):
  S1 every acknowledged send (SendMessage, or an entry of SendMessageBatch listed as Successful)
     is received at least once (by body; bodies are unique);
  S2 no ReceiveMessage sent after a delete of that body was acknowledged returns it;
  S3 every receive of a body carries the MessageId its send was acknowledged with, and a body
     that matches its MD5OfBody; no body is received that was never sent.

FIFO queue (explicit MessageDeduplicationId = body; each producer owns three message groups and
sends a group's k-th message only once its (k-1)-th was acknowledged; a send that got no answer
is retried with the same body and deduplication id until it is acknowledged):
  F1 every acknowledged send is received at least once;
  F2 exactly one message per deduplication id: every acknowledged attempt of a body (first
     try and retries) got the same MessageId and SequenceNumber, and every receive of it
     carries them. A retry is a new send of the same id after the previous attempt got no
     answer; the check assumes each retry comes within the 5-minute deduplication window of
     the first attempt the server accepted (the summary prints the longest retry delay; the
     run fails if it is over 240 s). Outside that window SQS itself delivers twice;
  F3 per group, first deliveries come in send order: ordering receives by the time their
     answer arrived (and messages within one answer by position), the first delivery of each
     body has a larger k than every earlier first delivery of that group;
  F4 SequenceNumbers of acknowledged sends grow with k within a group (across restarts too);
  F5 as S2: nothing is received by a request sent after its delete was acknowledged. A FIFO
     message may be received again before that (its visibility timeout of 5 s ran out, or the
     delete got no answer): at-least-once delivery, exactly-once per deduplication id.

Also failures: a queue that does not drain, a restart that fails (the server exits or does not
answer GET /health within 30 s), and fewer than --min-acked acknowledged sends per queue.

Usage (standard library only):
  WHARF_ROOT_KEY=<64 hex> python3 tests/crash/crash_loop.py --wharf build/release/src/server/wharf \\
      [--kills 36] [--duration 45] [--seed N]
Exit status: 0 pass, 1 a violation or failure, 2 setup error.
"""

import argparse
import bisect
import collections
import hashlib
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crash_test as ct  # noqa: E402  (SqsClient, Stats, Record, producer, consumer, ...)

from crash_test import Unacknowledged, log, now, rel  # noqa: E402

VISIBILITY_TIMEOUT = ct.VISIBILITY_TIMEOUT
FIFO_GROUPS_PER_PRODUCER = 3
MAX_RETRY_DELAY = 240.0  # F2's assumption: retries well inside the 5-minute window


class LoopServer:
    """The server process, started and killed at will; its output appended to one log."""

    def __init__(self, binary, port, data_dir, log_path, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.port = port
        self.data_dir = data_dir
        self.log_path = log_path
        self.log_file = open(log_path, "ab")
        self.proc = None
        self.spawned_at = None

    def spawn(self):
        self.log_file.write(b"==== start ====\n")
        self.log_file.flush()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", self.data_dir] + self.extra_args,
            stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.spawned_at = now()

    def wait_healthy(self, timeout=30.0):
        """Seconds from spawn to the first 200 from GET /health."""
        deadline = now() + timeout
        while now() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("wharf exited with status %s during start-up"
                                   % self.proc.returncode)
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
                c.request("GET", "/health")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return now() - self.spawned_at
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.01)
        raise RuntimeError("wharf did not answer GET /health within %.0f s" % timeout)

    def listening(self):
        """Whether the port accepts connections now (a probe taken just before a kill)."""
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(0.05)
        try:
            s.connect(("127.0.0.1", self.port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def recovery_ms(self):
        """The "recovered ... in N ms" figures of every completed start, in order."""
        out = []
        try:
            with open(self.log_path, "rb") as f:
                for line in f.read().decode("utf-8", "replace").splitlines():
                    if "recovered" in line and " ms" in line:
                        try:
                            out.append(int(line.rsplit(" in ", 1)[1].split()[0]))
                        except (IndexError, ValueError):
                            pass
        except OSError:
            pass
        return out

    def close(self):
        self.kill()
        self.log_file.close()


class FifoRecord:
    """What was seen of the FIFO queue. Bodies are "<group>:<k>"; the body is the dedup id."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = set()
        self.first_attempt = {}       # body -> time of the first attempt
        self.last_attempt = {}        # body -> time of the latest attempt
        self.acks = collections.defaultdict(list)  # body -> [(message id, sequence number, t)]
        self.retries = 0
        self.retried = set()          # bodies sent more than once
        self.max_retry_delay = 0.0    # longest first attempt -> acknowledged retry
        self.receives = collections.defaultdict(list)  # body -> [(t_sent, t_resp, pos, id, seq, md5 ok)]
        self.delete_acks = collections.defaultdict(list)
        self.receive_events = 0
        self.last_nonempty_receive = 0.0
        self.sending = threading.Event()  # set as a send goes out: for kills aimed at one

    def attempt(self, bodies, t, retry):
        with self.lock:
            for b in bodies:
                self.attempted.add(b)
                self.first_attempt.setdefault(b, t)
                self.last_attempt[b] = t
            if retry:
                self.retries += 1
                self.retried.update(bodies)

    def acked(self, body, message_id, sequence, t):
        with self.lock:
            self.acks[body].append((message_id, sequence, t))
            if len(self.acks[body]) == 1:
                delay = t - self.first_attempt.get(body, t)
                self.max_retry_delay = max(self.max_retry_delay, delay)

    def received(self, msgs, t_sent, t_resp):
        with self.lock:
            for pos, (body, mid, seq, md5_ok) in enumerate(msgs):
                self.receives[body].append((t_sent, t_resp, pos, mid, seq, md5_ok))
            self.receive_events += len(msgs)
            if msgs:
                self.last_nonempty_receive = t_resp

    def deleted(self, body, t):
        with self.lock:
            self.delete_acks[body].append(t)

    def backlog(self):
        with self.lock:
            return len(self.acks) - len(self.delete_acks)


def fifo_producer(idx, port, queue_url, rec, stats, stop, max_backlog, rng):
    client = ct.SqsClient(port, stats)
    groups = ["p%dg%d" % (idx, j) for j in range(FIFO_GROUPS_PER_PRODUCER)]
    next_k = {g: 0 for g in groups}
    turn = 0
    while not stop.is_set():
        if rec.backlog() > max_backlog:
            time.sleep(0.02)
            continue
        group = groups[turn % len(groups)]
        turn += 1
        count = 1 if rng.random() < 0.4 else rng.randint(2, 5)
        bodies = ["%s:%d" % (group, next_k[group] + i) for i in range(count)]
        retry = False
        # Until acknowledged: the same bodies and deduplication ids, so a retry of a send the
        # server had already stored must come back as that message, not a second one.
        while not stop.is_set():
            rec.attempt(bodies, now(), retry)
            rec.sending.set()
            try:
                if count == 1:
                    out, _ = client.call("SendMessage", {
                        "QueueUrl": queue_url, "MessageBody": bodies[0], "MessageGroupId": group,
                        "MessageDeduplicationId": bodies[0]})
                    t = now()
                    rec.acked(bodies[0], out.get("MessageId"), out.get("SequenceNumber"), t)
                else:
                    entries = [{"Id": "e%d" % i, "MessageBody": b, "MessageGroupId": group,
                                "MessageDeduplicationId": b} for i, b in enumerate(bodies)]
                    out, _ = client.call("SendMessageBatch",
                                         {"QueueUrl": queue_url, "Entries": entries})
                    t = now()
                    failed = out.get("Failed", []) or []
                    if failed:
                        # Entries after a failed one would overtake it: not expected at all.
                        stats.count("fifo-send-batch-failed:%s" % failed[0].get("Code"))
                        raise Unacknowledged("batch entries failed")
                    by_id = {"e%d" % i: b for i, b in enumerate(bodies)}
                    for ok in out.get("Successful", []) or []:
                        body = by_id.get(ok.get("Id"))
                        if body is not None:
                            rec.acked(body, ok.get("MessageId"), ok.get("SequenceNumber"), t)
                next_k[group] += count
                break
            except Unacknowledged:
                retry = True
                # Jittered backoff, as the SDKs do; the producers' retries after a restart then
                # reach the server in no fixed order, which lets check_fifo see more of the
                # retries that deduplication answered.
                time.sleep(rng.uniform(0.05, 0.5))
    client.close()


def fifo_consumer(idx, port, queue_url, rec, stats, stop):
    client = ct.SqsClient(port, stats)
    it = 0
    while not stop.is_set():
        it += 1
        try:
            out, t_sent = client.call("ReceiveMessage", {
                "QueueUrl": queue_url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                "MessageSystemAttributeNames": ["All"]})
        except Unacknowledged:
            time.sleep(0.05)
            continue
        t_resp = now()
        msgs = out.get("Messages", []) or []
        seen = []
        for m in msgs:
            body = m.get("Body", "")
            md5_ok = hashlib.md5(body.encode("utf-8")).hexdigest() == m.get("MD5OfBody")
            seq = (m.get("Attributes", {}) or {}).get("SequenceNumber")
            seen.append((body, m.get("MessageId"), seq, md5_ok))
        rec.received(seen, t_sent, t_resp)
        if not msgs:
            continue
        try:
            if it % 2 == 0 and len(msgs) > 1:
                entries = [{"Id": "d%d" % i, "ReceiptHandle": m.get("ReceiptHandle", "")}
                           for i, m in enumerate(msgs)]
                out, _ = client.call("DeleteMessageBatch",
                                     {"QueueUrl": queue_url, "Entries": entries})
                t = now()
                by_id = {"d%d" % i: m.get("Body", "") for i, m in enumerate(msgs)}
                for ok in out.get("Successful", []) or []:
                    body = by_id.get(ok.get("Id"))
                    if body is not None:
                        rec.deleted(body, t)
                for f in out.get("Failed", []) or []:
                    stats.count("fifo-delete-batch-failed:%s" % f.get("Code"))
            else:
                for m in msgs:
                    client.call("DeleteMessage", {"QueueUrl": queue_url,
                                                  "ReceiptHandle": m.get("ReceiptHandle", "")})
                    rec.deleted(m.get("Body", ""), now())
        except Unacknowledged:
            time.sleep(0.05)  # the rest comes back after the visibility timeout
    client.close()


def queue_total(client, queue_url):
    counts, _ = ct.queue_counts(client, queue_url)
    return sum(counts.values()), counts


def drain(admin, queues, last_receive, deadline):
    """Waits until every queue reads empty three times in a row with no receive for 2 s."""
    streak = 0
    counts = {}
    while now() < deadline:
        time.sleep(0.5)
        try:
            total = 0
            for name, url in queues:
                n, counts[name] = queue_total(admin, url)
                total += n
        except Unacknowledged:
            streak = 0
            continue
        if total == 0 and now() - last_receive() > 2.0:
            streak += 1
            if streak >= 3:
                return True, counts
        else:
            streak = 0
    return False, counts


def sweep(admin, queue_url, fifo):
    """What is still receivable after the drain (received, not deleted)."""
    out_msgs = []
    deadline = now() + 15.0
    while now() < deadline:
        try:
            out, t_sent = admin.call("ReceiveMessage", {
                "QueueUrl": queue_url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                "VisibilityTimeout": 60, "MessageSystemAttributeNames": ["All"]})
        except Unacknowledged:
            break
        msgs = out.get("Messages", []) or []
        if not msgs:
            break
        out_msgs.append((msgs, t_sent, now()))
    return out_msgs


def check_standard(rec, violations, failures, min_acked):
    lost = [b for b in rec.send_ack if b not in rec.receives]
    for b in lost[:5]:
        violations.append("S1 acknowledged send never received: %s" % b)
    resurrected = 0
    for b, acks in rec.delete_acks.items():
        first = min(acks)
        late = [r for r in rec.receives.get(b, []) if r[0] > first]
        if late:
            resurrected += 1
            if resurrected <= 5:
                violations.append("S2 %s received by a request sent at %s, after its delete was "
                                  "acknowledged at %s" % (b, rel(late[0][0]), rel(first)))
    bad = 0
    for b, rs in rec.receives.items():
        sa = rec.send_ack.get(b)
        if b not in rec.attempted or (sa is not None and any(r[2] != sa[0] for r in rs)) or \
                any(not r[4] for r in rs):
            bad += 1
            if bad <= 5:
                violations.append("S3 %r: never sent, MessageId differs from its send, or MD5 "
                                  "mismatch" % b)
    if len(lost) > 5:
        violations.append("S1 ... and %d more lost" % (len(lost) - 5))
    if len(rec.send_ack) < min_acked:
        failures.append("standard: only %d sends acknowledged (< %d)" % (len(rec.send_ack), min_acked))
    return len(lost), resurrected


def check_fifo(rec, violations, failures, min_acked):
    lost = [b for b in rec.acks if b not in rec.receives]
    for b in lost[:5]:
        violations.append("F1 acknowledged FIFO send never received: %s" % b)
    if len(lost) > 5:
        violations.append("F1 ... and %d more lost" % (len(lost) - 5))

    duplicates = 0
    for b in set(rec.acks) | set(rec.receives):
        ids = {(a[0], a[1]) for a in rec.acks.get(b, [])}
        ids |= {(r[3], r[4]) for r in rec.receives.get(b, [])}
        if len(ids) > 1:
            duplicates += 1
            if duplicates <= 5:
                violations.append("F2 %s is more than one message (MessageId, SequenceNumber): %s; "
                                  "%d acknowledged attempts" % (b, sorted(ids), len(rec.acks.get(b, []))))
        if b not in rec.attempted or any(not r[5] for r in rec.receives.get(b, [])):
            violations.append("F2 %r received but never sent, or MD5 mismatch" % b)

    # F3: per group, first deliveries in k order.
    deliveries = collections.defaultdict(list)  # group -> [(t_resp, pos, k)]
    for b, rs in rec.receives.items():
        group, k = b.rsplit(":", 1)
        first = min((r[1], r[2]) for r in rs)
        deliveries[group].append((first[0], first[1], int(k)))
    order_violations = 0
    for group, ds in deliveries.items():
        highest = -1
        for t, pos, k in sorted(ds):
            if k < highest:
                order_violations += 1
                if order_violations <= 5:
                    violations.append("F3 group %s: %s:%d first delivered at %s, after %s:%d"
                                      % (group, group, k, rel(t), group, highest))
            highest = max(highest, k)

    # F4: sequence numbers of acknowledged sends grow with k in a group.
    by_group = collections.defaultdict(list)
    for b, acks in rec.acks.items():
        group, k = b.rsplit(":", 1)
        by_group[group].append((int(k), int(acks[0][1] or 0)))
    seq_violations = 0
    for group, ks in by_group.items():
        ks.sort()
        for (k1, s1), (k2, s2) in zip(ks, ks[1:]):
            if s2 <= s1:
                seq_violations += 1
                if seq_violations <= 5:
                    violations.append("F4 group %s: SequenceNumber of k=%d (%d) not above k=%d (%d)"
                                      % (group, k2, s2, k1, s1))

    resurrected = 0
    for b, acks in rec.delete_acks.items():
        first = min(acks)
        late = [r for r in rec.receives.get(b, []) if r[0] > first]
        if late:
            resurrected += 1
            if resurrected <= 5:
                violations.append("F5 %s received by a request sent at %s, after its delete was "
                                  "acknowledged at %s" % (b, rel(late[0][0]), rel(first)))
    if rec.max_retry_delay > MAX_RETRY_DELAY:
        failures.append("a FIFO retry came %.0f s after its first attempt: F2 assumes < %.0f s"
                        % (rec.max_retry_delay, MAX_RETRY_DELAY))
    # Retries answered from a message an earlier attempt had stored: the deduplication path
    # certainly taken (a lower bound). Sequence numbers only grow, so a retry stored as a new
    # message gets a higher one than every send acknowledged before the retry was sent; a lower
    # one is the original's.
    acked_in_order = sorted((a[0][2], int(a[0][1] or 0)) for a in rec.acks.values())
    ack_times = [t for t, _ in acked_in_order]
    prefix_max, highest = [], -1
    for _, seq in acked_in_order:
        highest = max(highest, seq)
        prefix_max.append(highest)
    dedup_hits = 0
    for b in rec.retried:
        if b not in rec.acks:
            continue
        i = bisect.bisect_left(ack_times, rec.last_attempt[b])
        if i > 0 and int(rec.acks[b][0][1] or 0) < prefix_max[i - 1]:
            dedup_hits += 1
    if len(rec.acks) < min_acked:
        failures.append("FIFO: only %d sends acknowledged (< %d)" % (len(rec.acks), min_acked))
    return len(lost), duplicates, order_violations, seq_violations, resurrected, dedup_hits


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wharf", required=True, help="path to the wharf binary")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--kills", type=int, default=36)
    ap.add_argument("--duration", type=float, default=45.0,
                    help="seconds the kills are spread over (the mean gap of a load kill is "
                         "duration / kills)")
    ap.add_argument("--startup-fraction", type=float, default=0.35,
                    help="share of kills made during start-up")
    ap.add_argument("--aimed-fraction", type=float, default=0.3,
                    help="share of load kills made 0-3 ms after a FIFO send went out")
    ap.add_argument("--producers", type=int, default=3, help="per queue")
    ap.add_argument("--consumers", type=int, default=3, help="per queue")
    ap.add_argument("--min-acked", type=int, default=300, help="per queue")
    ap.add_argument("--max-backlog", type=int, default=1000, help="per queue")
    ap.add_argument("--drain-timeout", type=float, default=40.0)
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for `wharf serve` (repeatable), e.g. --storage=memory to "
                         "see the checks fail")
    ap.add_argument("--keep-data", action="store_true")
    args = ap.parse_args()

    binary = os.path.abspath(args.wharf)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("crash_loop: %s is not an executable file" % args.wharf, file=sys.stderr)
        return 2
    if not os.environ.get("WHARF_ROOT_KEY"):
        os.environ["WHARF_ROOT_KEY"] = os.urandom(32).hex()  # one key for every restart
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    log("seed %d (rerun with --seed %d)" % (seed, seed))

    tmp = tempfile.mkdtemp(prefix="wharf-crash-loop-")
    port = ct.free_port()
    server = LoopServer(binary, port, os.path.join(tmp, "data"), os.path.join(tmp, "wharf.log"),
                        args.server_arg)
    stats = ct.Stats()
    std = ct.Record()
    fifo = FifoRecord()
    violations, failures, threads = [], [], []
    stop_producers, stop_consumers = threading.Event(), threading.Event()
    kinds = collections.Counter()
    up_times = []
    failed = True
    t_start = now()
    try:
        server.spawn()
        up_times.append(server.wait_healthy())
        admin = ct.SqsClient(port, stats)
        out, _ = admin.call("CreateQueue", {"QueueName": "loop-%d" % seed, "Attributes": {
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT)}})
        std_url = out["QueueUrl"]
        out, _ = admin.call("CreateQueue", {"QueueName": "loop-%d.fifo" % seed, "Attributes": {
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT), "FifoQueue": "true"}})
        fifo_url = out["QueueUrl"]
        log("wharf up on port %d; queues %s and %s" % (port, std_url, fifo_url))

        def spawn_thread(kind, target, *a):
            t = threading.Thread(target=target, args=a, daemon=True)
            threads.append((kind, t))
            t.start()

        for i in range(args.producers):
            spawn_thread("p", ct.producer, i, port, std_url, std, stats, stop_producers,
                         args.max_backlog)
            spawn_thread("p", fifo_producer, i, port, fifo_url, fifo, stats, stop_producers,
                         args.max_backlog, random.Random(rng.random()))
        for i in range(args.consumers):
            spawn_thread("c", ct.consumer, i, port, std_url, std, stats, stop_consumers)
            spawn_thread("c", fifo_consumer, i, port, fifo_url, fifo, stats, stop_consumers)

        # Each round: serve a while under load, kill; then, in some rounds, one or two more
        # processes are killed during their start-up; then one starts and serves again.
        mean_gap = max(0.2, args.duration / max(1, args.kills))
        expected_up = statistics.median(up_times)
        total_kills = 0
        while total_kills < args.kills:
            time.sleep(rng.uniform(0.1, 2 * mean_gap - 0.1))
            if rng.random() < args.aimed_fraction:
                # Aimed: 0-3 ms after a FIFO send went out, so that some kills fall between the
                # server's write of the message and the client's reading of the answer, and the
                # retry must be deduplicated.
                fifo.sending.clear()
                fifo.sending.wait(2.0)
                time.sleep(rng.uniform(0.0, 0.003))
                kinds["load, aimed at a FIFO send"] += 1
                what = ["load, aimed at a FIFO send"]
            else:
                kinds["load"] += 1
                what = ["load"]
            server.kill()
            total_kills += 1
            startup_kills = 0
            if rng.random() < args.startup_fraction:
                startup_kills = 1 if rng.random() < 0.7 else 2
            for _ in range(min(startup_kills, args.kills - total_kills)):
                server.spawn()
                time.sleep(rng.uniform(0.0, 1.2 * expected_up))
                listening = server.listening()
                alive = server.alive()
                server.kill()
                total_kills += 1
                kinds["start-up, not yet listening" if not listening else
                      "start-up, listening"] += 1
                if not alive:
                    failures.append("kill #%d: the server had exited by itself during start-up"
                                    % total_kills)
                what.append("start-up %.0f ms after spawn%s" % (
                    1000 * (now() - server.spawned_at), ", listening" if listening else ""))
            server.spawn()
            up = server.wait_healthy()
            up_times.append(up)
            expected_up = statistics.median(up_times[-8:])
            log("kill #%d (%s): %d+%d sends acknowledged so far; healthy again %.0f ms after spawn"
                % (total_kills, "; ".join(what), len(std.send_ack), len(fifo.acks), 1000 * up))

        t_kills = now() - t_start
        time.sleep(1.0)
        stop_producers.set()
        for kind, t in threads:
            if kind == "p":
                t.join(ct.REQUEST_TIMEOUT + 5)
        log("producers stopped: %d standard + %d FIFO sends acknowledged; draining"
            % (len(std.send_ack), len(fifo.acks)))
        drained, counts = drain(admin, [("standard", std_url), ("fifo", fifo_url)],
                                lambda: max(std.last_nonempty_receive, fifo.last_nonempty_receive),
                                now() + args.drain_timeout)
        stop_consumers.set()
        for kind, t in threads:
            if kind == "c":
                t.join(ct.REQUEST_TIMEOUT + 5)
        log("consumers stopped; drained=%s %s" % (drained, counts))
        leftovers = 0
        for msgs, t_sent, t_resp in sweep(admin, std_url, False):
            leftovers += len(msgs)
            std.received([(m.get("Body", ""), m.get("MessageId"),
                           hashlib.md5(m.get("Body", "").encode()).hexdigest() == m.get("MD5OfBody"))
                          for m in msgs], t_sent, t_resp, "final-sweep")
        for msgs, t_sent, t_resp in sweep(admin, fifo_url, True):
            leftovers += len(msgs)
            fifo.received([(m.get("Body", ""), m.get("MessageId"),
                            (m.get("Attributes", {}) or {}).get("SequenceNumber"),
                            hashlib.md5(m.get("Body", "").encode()).hexdigest() == m.get("MD5OfBody"))
                           for m in msgs], t_sent, t_resp)
        if not drained:
            failures.append("the queues did not drain within %.0f s (last counts %s)"
                            % (args.drain_timeout, counts))
        if leftovers:
            failures.append("%d message(s) still receivable after the drain" % leftovers)
        admin.close()

        std_lost, std_resurrected = check_standard(std, violations, failures, args.min_acked)
        fifo_lost, fifo_dups, fifo_order, fifo_seq, fifo_resurrected, dedup_hits = check_fifo(
            fifo, violations, failures, args.min_acked)
        recovery = server.recovery_ms()
        print()
        print("==== wharf crash loop summary (seed %d) ====" % seed)
        print("kills survived         %d in %.0f s (%s)" % (total_kills, t_kills,
              ", ".join("%d %s" % (n, k) for k, n in sorted(kinds.items()))))
        print("restarts to healthy    median %.0f ms, max %.0f ms (spawn to GET /health 200)"
              % (1000 * statistics.median(up_times), 1000 * max(up_times)))
        if recovery:
            print("store recovery         median %d ms, max %d ms (%d completed starts)"
                  % (statistics.median(recovery), max(recovery), len(recovery)))
        print("standard queue         %d sends acknowledged, %d received (%d distinct, %d of them "
              "from unacknowledged sends), %d deletes acknowledged" % (
                  len(std.send_ack), std.receive_events, len(std.receives),
                  sum(1 for b in std.receives if b not in std.send_ack), len(std.delete_acks)))
        print("FIFO queue             %d sends acknowledged in %d groups, %d received (%d "
              "distinct), %d deletes acknowledged" % (
                  len(fifo.acks), len({b.rsplit(':', 1)[0] for b in fifo.acks}),
                  fifo.receive_events, len(fifo.receives), len(fifo.delete_acks)))
        print("FIFO retries           %d retried sends carrying %d messages (longest %.1f s after "
              "the first attempt); %d messages answered with the message an earlier attempt had "
              "stored (deduplicated)" % (fifo.retries, len(fifo.retried), fifo.max_retry_delay,
                                 dedup_hits))
        print("messages checked       %d (every acknowledged send of both queues)"
              % (len(std.send_ack) + len(fifo.acks)))
        print("lost                   %d (standard %d, FIFO %d)" % (std_lost + fifo_lost, std_lost,
                                                                   fifo_lost))
        print("deleted that returned  %d (standard %d, FIFO %d)"
              % (std_resurrected + fifo_resurrected, std_resurrected, fifo_resurrected))
        print("FIFO duplicates        %d (dedup ids stored as more than one message)" % fifo_dups)
        print("FIFO order violations  %d (first deliveries), sequence-number violations %d"
              % (fifo_order, fifo_seq))
        print("request errors         %s" % (dict(sorted(stats.counters.items())) or "none"))
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
        print("crash_loop: error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        print("---- server log (tail) ----", file=sys.stderr)
        print(server.log_tail(), file=sys.stderr)
        print("RESULT: ERROR (seed %d)" % seed)
        return 2
    finally:
        stop_producers.set()
        stop_consumers.set()
        server.close()
        for _, t in threads:
            t.join(1.0)
        if args.keep_data and failed:
            print("data kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

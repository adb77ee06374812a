#!/usr/bin/env python3
"""End-to-end crash test for Wharf's durable embedded store.

Wharf promises that SendMessage / DeleteMessage (and their batch forms) are acknowledged only after
the change is synced to disk, so `kill -9` never loses an acknowledged message and never brings back
an acknowledged delete. This test hammers a queue with producer and consumer threads speaking the
AWS JSON 1.0 protocol, SIGKILLs the server at random moments, restarts it on the same data
directory and port, drains the queue, and then checks:

  (1) every acknowledged send was received at least once (by body);
  (2) no body was received by a ReceiveMessage request sent after a delete of that body had been
      acknowledged (a receive in flight while the delete was acknowledged is not counted);
  (3) the queue and its attributes survived every restart (GetQueueUrl, VisibilityTimeout "5").

Also reported as failures: received bodies that were never sent (phantoms), a MessageId or
MD5OfBody that does not match the acknowledged send, a queue that does not drain, and fewer than
--min-acked acknowledged sends.

Python 3 standard library only. Usage:
  /usr/bin/python3 tests/crash/crash_test.py --wharf build/.../wharf [--seed N] [--kills 5]
Exit status: 0 all checks passed, 1 a violation or failure, 2 setup error.
"""

import argparse
import collections
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ACCESS_KEY, SECRET_KEY, REGION = "test", "test", "us-east-1"


def sigv4_headers(host, target, payload):
    """SigV4 (security.md §1.4-1.6) for a JSON-protocol POST to /, signing host, x-amz-date and
    x-amz-target, with the standard library only (the server verifies every signature)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    day = amz_date[:8]
    canonical = "\n".join([
        "POST", "/", "",
        "host:%s\nx-amz-date:%s\nx-amz-target:%s\n" % (host, amz_date, target),
        "host;x-amz-date;x-amz-target",
        hashlib.sha256(payload).hexdigest()])
    scope = "%s/%s/sqs/aws4_request" % (day, REGION)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                          hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (day, REGION, "sqs", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "X-Amz-Date": amz_date,
        "X-Amz-Target": target,
        "Authorization": "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;x-amz-date;"
                         "x-amz-target, Signature=%s" % (ACCESS_KEY, scope, signature),
    }
VISIBILITY_TIMEOUT = 5
REQUEST_TIMEOUT = 10.0

T0 = time.monotonic()


def now():
    return time.monotonic()


def rel(t):
    return "%.3fs" % (t - T0) if t is not None else "-"


def log(msg):
    sys.stdout.write("[%8.3f] %s\n" % (now() - T0, msg))
    sys.stdout.flush()


class Unacknowledged(Exception):
    """The request got no usable answer (connection error, timeout, non-200, bad body)."""


class SqsClient:
    """One keep-alive connection speaking AWS JSON 1.0. Not thread-safe: one per thread."""

    def __init__(self, port, stats):
        self.port = port
        self.stats = stats
        self.conn = None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def call(self, action, body):
        """Returns (parsed JSON, time the request was sent). Raises Unacknowledged."""
        payload = json.dumps(body).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        headers.update(sigv4_headers("127.0.0.1:%d" % self.port, "AmazonSQS." + action, payload))
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        t_sent = now()
        try:
            self.conn.request("POST", "/", body=payload, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            self.stats.count("conn-error:" + type(e).__name__)
            raise Unacknowledged(type(e).__name__)
        if resp.status != 200:
            code = resp.getheader("x-amzn-query-error", "") or data[:80].decode("utf-8", "replace")
            self.stats.count("http-%d:%s:%s" % (resp.status, action, code))
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            raise Unacknowledged("HTTP %d %s" % (resp.status, code))
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        try:
            return json.loads(data.decode("utf-8")), t_sent
        except ValueError:
            self.stats.count("bad-json:" + action)
            raise Unacknowledged("bad JSON")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counters = collections.Counter()

    def count(self, key, n=1):
        with self.lock:
            self.counters[key] += n


class Record:
    """Everything observed about messages. All times are time.monotonic()."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = set()          # bodies ever sent (acknowledged or not)
        self.send_ack = {}              # body -> (message id, ack time)
        self.receives = collections.defaultdict(list)  # body -> [(t_sent, t_resp, msg id, who, md5 ok)]
        self.delete_acks = collections.defaultdict(list)  # body -> [ack time]
        self.receive_events = 0
        self.last_nonempty_receive = 0.0

    def attempt(self, bodies):
        with self.lock:
            self.attempted.update(bodies)

    def sent(self, body, message_id, t):
        with self.lock:
            self.send_ack[body] = (message_id, t)

    def received(self, msgs, t_sent, t_resp, who):
        with self.lock:
            for body, mid, md5_ok in msgs:
                self.receives[body].append((t_sent, t_resp, mid, who, md5_ok))
            self.receive_events += len(msgs)
            if msgs:
                self.last_nonempty_receive = t_resp

    def deleted(self, body, t):
        with self.lock:
            self.delete_acks[body].append(t)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, port, data_dir, log_path, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.port = port
        self.data_dir = data_dir
        self.log_path = log_path
        self.proc = None
        self.log_file = open(log_path, "ab")

    def start(self, timeout=30.0):
        self.log_file.write(b"==== start ====\n")
        self.log_file.flush()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", self.data_dir] + self.extra_args,
            stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = now() + timeout
        while now() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("wharf exited with status %s during startup" % self.proc.returncode)
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
                c.request("GET", "/health")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        raise RuntimeError("wharf did not answer GET /health within %.0f s" % timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def recovery_line(self):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        for line in reversed(lines):
            if "recovered" in line:
                return line.split("wharf: ", 1)[-1].strip()
        return ""

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError:
            return ""

    def close(self):
        self.kill()
        self.log_file.close()


def producer(idx, port, queue_url, rec, stats, stop, max_backlog):
    client = SqsClient(port, stats)
    n = 0
    it = 0
    while not stop.is_set():
        # Keep the backlog bounded so that the consumers can drain the queue in time.
        if len(rec.send_ack) - len(rec.delete_acks) > max_backlog:
            time.sleep(0.02)
            continue
        it += 1
        try:
            if it % 4 == 0:
                body = "p%d-%d" % (idx, n)
                n += 1
                rec.attempt([body])
                out, _ = client.call("SendMessage", {"QueueUrl": queue_url, "MessageBody": body})
                t = now()
                mid = out.get("MessageId")
                if mid:
                    rec.sent(body, mid, t)
                else:
                    stats.count("send-without-id")
            else:
                entries = []
                by_id = {}
                for i in range(10):
                    body = "p%d-%d" % (idx, n)
                    n += 1
                    entries.append({"Id": "m%d" % i, "MessageBody": body})
                    by_id["m%d" % i] = body
                rec.attempt(by_id.values())
                out, _ = client.call("SendMessageBatch", {"QueueUrl": queue_url, "Entries": entries})
                t = now()
                for ok in out.get("Successful", []) or []:
                    body = by_id.get(ok.get("Id"))
                    if body is not None and ok.get("MessageId"):
                        rec.sent(body, ok["MessageId"], t)
                failed = out.get("Failed", []) or []
                if failed:
                    stats.count("send-batch-failed-entries", len(failed))
        except Unacknowledged:
            time.sleep(0.05)
    client.close()


def consumer(idx, port, queue_url, rec, stats, stop):
    client = SqsClient(port, stats)
    it = 0
    while not stop.is_set():
        it += 1
        try:
            out, t_sent = client.call("ReceiveMessage", {
                "QueueUrl": queue_url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1})
        except Unacknowledged:
            time.sleep(0.05)
            continue
        t_resp = now()
        msgs = out.get("Messages", []) or []
        seen = []
        for m in msgs:
            body = m.get("Body", "")
            md5_ok = hashlib.md5(body.encode("utf-8")).hexdigest() == m.get("MD5OfBody")
            seen.append((body, m.get("MessageId"), md5_ok))
        rec.received(seen, t_sent, t_resp, "c%d" % idx)
        if not msgs:
            continue
        try:
            if it % 2 == 0 and len(msgs) > 1:
                entries = []
                by_id = {}
                for i, m in enumerate(msgs):
                    entries.append({"Id": "d%d" % i, "ReceiptHandle": m.get("ReceiptHandle", "")})
                    by_id["d%d" % i] = m.get("Body", "")
                out, _ = client.call("DeleteMessageBatch", {"QueueUrl": queue_url, "Entries": entries})
                t = now()
                for ok in out.get("Successful", []) or []:
                    body = by_id.get(ok.get("Id"))
                    if body is not None:
                        rec.deleted(body, t)
                failed = out.get("Failed", []) or []
                for f in failed:
                    stats.count("delete-batch-failed:%s" % f.get("Code"))
            else:
                for m in msgs:
                    client.call("DeleteMessage", {"QueueUrl": queue_url,
                                                  "ReceiptHandle": m.get("ReceiptHandle", "")})
                    rec.deleted(m.get("Body", ""), now())
        except Unacknowledged:
            # The rest of this batch is redelivered after the visibility timeout.
            time.sleep(0.05)
    client.close()


def queue_counts(client, queue_url):
    out, _ = client.call("GetQueueAttributes", {"QueueUrl": queue_url, "AttributeNames": ["All"]})
    attrs = out.get("Attributes", {}) or {}
    names = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed")
    return {k: int(attrs.get(k, "-1")) for k in names}, attrs


def check_queue(port, stats, queue_name, queue_url, label, violations):
    """(3): the queue and its VisibilityTimeout survived. Retries transient errors briefly."""
    client = SqsClient(port, stats)
    last_err = None
    try:
        for _ in range(20):
            try:
                out, _ = client.call("GetQueueUrl", {"QueueName": queue_name})
                url = out.get("QueueUrl")
                if url != queue_url:
                    violations.append("(3) %s: GetQueueUrl returned %r, expected %r" % (label, url, queue_url))
                    return
                out, _ = client.call("GetQueueAttributes", {"QueueUrl": queue_url,
                                                            "AttributeNames": ["All"]})
                vt = (out.get("Attributes", {}) or {}).get("VisibilityTimeout")
                if vt != str(VISIBILITY_TIMEOUT):
                    violations.append("(3) %s: VisibilityTimeout is %r, expected %r"
                                      % (label, vt, str(VISIBILITY_TIMEOUT)))
                return
            except Unacknowledged as e:
                last_err = str(e)
                time.sleep(0.1)
        violations.append("(3) %s: GetQueueUrl/GetQueueAttributes failed: %s" % (label, last_err))
    finally:
        client.close()


def timeline(body, rec, kills):
    lines = []
    sa = rec.send_ack.get(body)
    lines.append("    send acknowledged: %s" % ("%s id=%s" % (rel(sa[1]), sa[0]) if sa else "no"))
    for (ts, tr, mid, who, md5_ok) in rec.receives.get(body, []):
        lines.append("    received by %s: request sent %s, answered %s, id=%s%s"
                     % (who, rel(ts), rel(tr), mid, "" if md5_ok else " (MD5 MISMATCH)"))
    for t in rec.delete_acks.get(body, []):
        lines.append("    delete acknowledged: %s" % rel(t))
    for i, (tk, tu) in enumerate(kills):
        lines.append("    kill #%d at %s, back up at %s" % (i + 1, rel(tk), rel(tu)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wharf", required=True, help="path to the wharf binary")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--min-gap", type=float, default=1.0, help="min seconds between kills")
    ap.add_argument("--max-gap", type=float, default=3.0, help="max seconds between kills")
    ap.add_argument("--producers", type=int, default=4)
    ap.add_argument("--consumers", type=int, default=4)
    ap.add_argument("--min-acked", type=int, default=500)
    ap.add_argument("--max-backlog", type=int, default=1500,
                    help="producers pause while acked sends - deleted bodies exceeds this")
    ap.add_argument("--drain-timeout", type=float, default=30.0,
                    help="seconds after the last restart allowed for draining")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for `wharf serve` (repeatable), e.g. to check that the "
                         "test catches --storage=memory")
    ap.add_argument("--keep-data", action="store_true", help="do not delete the temp dir")
    args = ap.parse_args()

    binary = os.path.abspath(args.wharf)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("crash_test: %s is not an executable file" % args.wharf, file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    log("seed %d (rerun with --seed %d)" % (seed, seed))

    tmp = tempfile.mkdtemp(prefix="wharf-crash-")
    port = free_port()
    server = Server(binary, port, os.path.join(tmp, "data"), os.path.join(tmp, "wharf.log"),
                    args.server_arg)
    stats = Stats()
    rec = Record()
    violations = []
    failures = []
    kills = []
    threads = []
    stop_producers = threading.Event()
    stop_consumers = threading.Event()
    failed = True
    try:
        server.start()
        log("wharf up on port %d, data dir %s" % (port, server.data_dir))
        admin = SqsClient(port, stats)
        queue_name = "crash-%d" % seed
        out, _ = admin.call("CreateQueue", {"QueueName": queue_name,
                                            "Attributes": {"VisibilityTimeout": str(VISIBILITY_TIMEOUT)}})
        queue_url = out["QueueUrl"]
        log("queue %s" % queue_url)
        check_queue(port, stats, queue_name, queue_url, "before the first kill", violations)

        for i in range(args.producers):
            threads.append(("p", threading.Thread(target=producer, name="p%d" % i, daemon=True,
                                                  args=(i, port, queue_url, rec, stats, stop_producers,
                                                        args.max_backlog))))
        for i in range(args.consumers):
            threads.append(("c", threading.Thread(target=consumer, name="c%d" % i, daemon=True,
                                                  args=(i, port, queue_url, rec, stats, stop_consumers))))
        for _, t in threads:
            t.start()

        for k in range(args.kills):
            time.sleep(rng.uniform(args.min_gap, args.max_gap))
            t_kill = now()
            server.kill()
            acked = len(rec.send_ack)
            server.start()
            t_up = now()
            kills.append((t_kill, t_up))
            log("kill #%d at %s (%d sends acked so far); back up in %.2f s: %s"
                % (k + 1, rel(t_kill), acked, t_up - t_kill, server.recovery_line()))
            check_queue(port, stats, queue_name, queue_url, "after kill #%d" % (k + 1), violations)

        time.sleep(1.0)
        stop_producers.set()
        for kind, t in threads:
            if kind == "p":
                t.join(REQUEST_TIMEOUT + 5)
        log("producers stopped: %d sends acknowledged; draining" % len(rec.send_ack))

        last_up = kills[-1][1] if kills else now()
        deadline = max(last_up + args.drain_timeout, now() + 2 * VISIBILITY_TIMEOUT)
        zero_streak = 0
        counts = None
        while now() < deadline:
            time.sleep(0.5)
            try:
                counts, _ = queue_counts(admin, queue_url)
            except Unacknowledged as e:
                zero_streak = 0
                if "NonExistentQueue" in str(e):
                    break  # the queue is gone: (3) reports it, waiting is pointless
                continue
            quiet = now() - rec.last_nonempty_receive > 2.0
            if sum(counts.values()) == 0 and quiet:
                zero_streak += 1
                if zero_streak >= 3:
                    break
            else:
                zero_streak = 0
        drained = zero_streak >= 3
        stop_consumers.set()
        for kind, t in threads:
            if kind == "c":
                t.join(REQUEST_TIMEOUT + 5)
        log("consumers stopped; drained=%s counts=%s" % (drained, counts))

        # Final sweep: whatever is still receivable is recorded (not deleted) so that a message that
        # is merely stuck is not mistaken for a lost one.
        leftovers = 0
        sweep_deadline = now() + 15.0
        while now() < sweep_deadline:
            try:
                out, t_sent = admin.call("ReceiveMessage", {
                    "QueueUrl": queue_url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 1,
                    "VisibilityTimeout": 60})
            except Unacknowledged:
                break
            msgs = out.get("Messages", []) or []
            if not msgs:
                break
            leftovers += len(msgs)
            rec.received([(m.get("Body", ""), m.get("MessageId"),
                           hashlib.md5(m.get("Body", "").encode()).hexdigest() == m.get("MD5OfBody"))
                          for m in msgs], t_sent, now(), "final-sweep")
        if not drained:
            failures.append("queue did not drain within %.0f s of the last restart (last counts %s)"
                            % (args.drain_timeout, counts))
        if leftovers:
            failures.append("%d message(s) still receivable after the drain" % leftovers)
        try:
            counts, _ = queue_counts(admin, queue_url)
            if leftovers == 0 and sum(counts.values()) != 0:
                failures.append("queue counts not zero at the end: %s" % counts)
        except Unacknowledged as e:
            failures.append("final GetQueueAttributes failed: %s" % e)
        check_queue(port, stats, queue_name, queue_url, "at the end", violations)
        admin.close()

        # ---- verification ----
        lost = sorted(b for b in rec.send_ack if b not in rec.receives)
        for b in lost:
            violations.append("(1) acknowledged send never received: %s\n%s" % (b, timeline(b, rec, kills)))
        resurrected = 0
        for b, acks in rec.delete_acks.items():
            first = min(acks)
            late = [r for r in rec.receives.get(b, []) if r[0] > first]
            if late:
                resurrected += 1
                violations.append("(2) received after its delete was acknowledged: %s\n%s"
                                  % (b, timeline(b, rec, kills)))
        phantoms = sorted(b for b in rec.receives if b not in rec.attempted)
        for b in phantoms:
            violations.append("received a body that was never sent: %r\n%s" % (b, timeline(b, rec, kills)))
        for b, rs in rec.receives.items():
            sa = rec.send_ack.get(b)
            bad_id = sa is not None and any(r[2] != sa[0] for r in rs)
            bad_md5 = any(not r[4] for r in rs)
            if bad_id or bad_md5:
                violations.append("%s%s: %s\n%s" % ("MessageId differs from the acknowledged send "
                                                    if bad_id else "", "MD5OfBody mismatch" if bad_md5 else "",
                                                    b, timeline(b, rec, kills)))
        if len(rec.send_ack) < args.min_acked:
            failures.append("only %d sends acknowledged (< %d): the test did not exercise enough"
                            % (len(rec.send_ack), args.min_acked))

        unacked_received = sum(1 for b in rec.receives if b in rec.attempted and b not in rec.send_ack)
        print()
        print("==== wharf crash test summary (seed %d) ====" % seed)
        print("sends attempted        %d" % len(rec.attempted))
        print("sends acknowledged     %d" % len(rec.send_ack))
        print("receives (messages)    %d (%d distinct bodies, %d of them from unacknowledged sends)"
              % (rec.receive_events, len(rec.receives), unacked_received))
        print("deletes acknowledged   %d (%d distinct bodies)"
              % (sum(len(v) for v in rec.delete_acks.values()), len(rec.delete_acks)))
        print("kills                  %d" % len(kills))
        print("lost acked sends       %d" % len(lost))
        print("resurrected deletes    %d" % resurrected)
        print("violations             %d" % len(violations))
        print("other failures         %d" % len(failures))
        print("request errors         %s" % (dict(sorted(stats.counters.items())) or "none"))
        # Show a few of each kind: the queue checks and resurrections must not drown in lost sends.
        by_kind = collections.OrderedDict()
        for v in violations:
            by_kind.setdefault(v.split(" ", 1)[0] if v.startswith("(") else "other", []).append(v)
        for kind, vs in by_kind.items():
            for v in vs[:5]:
                print("VIOLATION " + v)
            if len(vs) > 5:
                print("... and %d more %s violations" % (len(vs) - 5, kind))
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
    except Exception as e:  # setup error, e.g. the server would not start
        print("crash_test: error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
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

#!/usr/bin/env python3
"""Crash test for dead-letter moves and message move tasks (sqs-api.md sections 5.10, 5.11).

A move between queues is one atomic, synced group of records (the message in the destination and
its delete in the source), so kill -9 at any moment must leave every message in exactly one of the
two queues. This test:

  1. creates a source queue with RedrivePolicy maxReceiveCount 1 and its dead-letter queue,
  2. sends --messages messages with unique bodies to the source,
  3. dead-letters them all (each received twice with VisibilityTimeout 0: the second receive moves
     it) and checks that the DLQ holds every one of them,
  4. starts StartMessageMoveTask back to the source at MaxNumberOfMessagesPerSecond --rate and
     SIGKILLs the server --kills times during the redrive, restarting it on the same data
     directory and port (a running task resumes after a restart),
  5. waits until the task reports COMPLETED with an empty DLQ (starting a new task when it reports
     FAILED or CANCELLED, or COMPLETED with messages left in the DLQ),
  6. drains both queues and checks that every body is there exactly once in total (no duplicate,
     none lost), with the MessageId of its send.

Python 3 standard library only; it reuses crash_test.py's client and server handling and speaks the
AWS JSON 1.0 protocol (move tasks do not exist in the Query-era clients). Usage:
  /usr/bin/python3 tests/crash/redrive_crash_test.py --wharf build/.../wharf [--seed N] [--kills 5]
Options of crash_test.py that this test does not know are ignored (tests/crash/run.sh passes its
options to both tests). Exit status: 0 all checks passed, 1 a violation or failure, 2 setup error.
"""

import argparse
import collections
import hashlib
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_test import Server, SqsClient, Stats, Unacknowledged, free_port, log, now  # noqa: E402

COUNTERS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed")


class Failed(Exception):
    """A check of this test failed (not a setup error)."""


def call(client, action, body, timeout=30.0):
    """Retries `action` until the server answers 200 (it may be restarting) or `timeout` passes."""
    deadline = now() + timeout
    while True:
        try:
            return client.call(action, body)[0]
        except Unacknowledged as e:
            if now() > deadline:
                raise Failed("%s kept failing for %.0f s: %s" % (action, timeout, e))
            time.sleep(0.1)


def counts(client, url):
    out = call(client, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": list(COUNTERS)})
    attrs = out.get("Attributes", {}) or {}
    return tuple(int(attrs.get(k, "-1")) for k in COUNTERS)


def run_threads(n, target, *args):
    errors = []

    def wrap(i):
        try:
            target(i, *args)
        except Exception as e:  # reported by the caller
            errors.append("%s: %s" % (type(e).__name__, e))

    threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise Failed("; ".join(errors[:3]))


def send_all(port, stats, url, bodies, n_threads=4):
    """SendMessageBatch for every body; returns body -> MessageId. No kills happen meanwhile, so
    every batch must be acknowledged (a batch is retried only if it got no answer at all)."""
    ids = {}
    lock = threading.Lock()
    chunks = [bodies[i:i + 10] for i in range(0, len(bodies), 10)]

    def worker(idx):
        client = SqsClient(port, stats)
        try:
            for chunk in chunks[idx::n_threads]:
                entries = [{"Id": "m%d" % k, "MessageBody": b} for k, b in enumerate(chunk)]
                out = call(client, "SendMessageBatch", {"QueueUrl": url, "Entries": entries})
                if out.get("Failed"):
                    raise Failed("SendMessageBatch entries failed: %s" % out["Failed"][:2])
                with lock:
                    for ok in out.get("Successful", []):
                        ids[chunk[int(ok["Id"][1:])]] = ok["MessageId"]
        finally:
            client.close()

    run_threads(n_threads, worker)
    return ids


def dead_letter_all(port, stats, src_url, dlq_url, expected, timeout=60.0, n_threads=4):
    """Receives from the source with VisibilityTimeout 0 until everything has moved to the DLQ."""
    stop = threading.Event()
    delivered = collections.Counter()
    lock = threading.Lock()

    def worker(idx):
        client = SqsClient(port, stats)
        try:
            while not stop.is_set():
                out = call(client, "ReceiveMessage", {
                    "QueueUrl": src_url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 0,
                    "WaitTimeSeconds": 0})
                msgs = out.get("Messages", []) or []
                with lock:
                    for m in msgs:
                        delivered[m["Body"]] += 1
                if not msgs:
                    time.sleep(0.01)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n_threads)]
    for t in threads:
        t.start()
    admin = SqsClient(port, stats)
    deadline = now() + timeout
    try:
        while now() < deadline:
            time.sleep(0.25)
            if counts(admin, src_url) == (0, 0, 0):
                break
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    # A moved message leaves the source at once but appears in the DLQ only once its move is
    # synced (queue_relocation.cc), so on a slow disk the DLQ lags behind the emptied source.
    src, dlq = counts(admin, src_url), counts(admin, dlq_url)
    while dlq != (expected, 0, 0) and now() < deadline:
        time.sleep(0.25)
        src, dlq = counts(admin, src_url), counts(admin, dlq_url)
    admin.close()
    if src != (0, 0, 0) or dlq != (expected, 0, 0):
        raise Failed("after dead-lettering: source %s, DLQ %s (expected (0, 0, 0) and (%d, 0, 0))"
                     % (src, dlq, expected))
    over = [b for b, n in delivered.items() if n > 1]
    if over:
        raise Failed("%d message(s) delivered more than maxReceiveCount (1) times, e.g. %r"
                     % (len(over), over[:3]))
    return len(delivered)


def latest_task(client, dlq_arn):
    out = call(client, "ListMessageMoveTasks", {"SourceArn": dlq_arn, "MaxResults": 1})
    results = out.get("Results", []) or []
    return results[0] if results else None


def drain(port, stats, url, n_threads=4):
    """Every message receivable in `url`, hidden for 15 minutes once seen: [(body, id, md5 ok)]."""
    got = []
    lock = threading.Lock()
    empty_streak = [0]

    def worker(idx):
        client = SqsClient(port, stats)
        try:
            while True:
                out = call(client, "ReceiveMessage", {
                    "QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 900,
                    "WaitTimeSeconds": 0, "MessageSystemAttributeNames": ["All"]})
                msgs = out.get("Messages", []) or []
                with lock:
                    for m in msgs:
                        body = m.get("Body", "")
                        got.append((body, m.get("MessageId"),
                                    hashlib.md5(body.encode()).hexdigest() == m.get("MD5OfBody"),
                                    (m.get("Attributes") or {}).get("DeadLetterQueueSourceArn")))
                    empty_streak[0] = 0 if msgs else empty_streak[0] + 1
                    if empty_streak[0] >= 3 * n_threads:
                        return
        finally:
            client.close()

    run_threads(n_threads, worker)
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wharf", required=True, help="path to the wharf binary")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--kills", type=int, default=5, help="SIGKILLs during the redrive")
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--rate", type=int, default=500, help="MaxNumberOfMessagesPerSecond")
    ap.add_argument("--min-gap", type=float, default=1.0, help="min seconds between kills")
    ap.add_argument("--max-gap", type=float, default=3.0, help="max seconds between kills")
    ap.add_argument("--settle-timeout", type=float, default=60.0,
                    help="seconds after the last restart for the redrive to complete")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for `wharf serve` (repeatable)")
    ap.add_argument("--keep-data", action="store_true", help="keep the temp dir after a failure")
    args, ignored = ap.parse_known_args()

    binary = os.path.abspath(args.wharf)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("redrive_crash_test: %s is not an executable file" % args.wharf, file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    log("redrive crash test, seed %d (rerun with --seed %d)%s"
        % (seed, seed, " (ignoring %s)" % " ".join(ignored) if ignored else ""))

    tmp = tempfile.mkdtemp(prefix="wharf-redrive-crash-")
    port = free_port()
    server = Server(binary, port, os.path.join(tmp, "data"), os.path.join(tmp, "wharf.log"),
                    args.server_arg)
    stats = Stats()
    failures = []
    failed = True
    t_start = now()
    try:
        server.start()
        admin = SqsClient(port, stats)
        dlq_name, src_name = "redrive-dlq-%d" % seed, "redrive-src-%d" % seed
        dlq_url = call(admin, "CreateQueue", {"QueueName": dlq_name})["QueueUrl"]
        dlq_arn = call(admin, "GetQueueAttributes", {
            "QueueUrl": dlq_url, "AttributeNames": ["QueueArn"]})["Attributes"]["QueueArn"]
        src_url = call(admin, "CreateQueue", {"QueueName": src_name, "Attributes": {
            "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":1}' % dlq_arn}})["QueueUrl"]
        log("wharf up on port %d; source %s, DLQ %s" % (port, src_url, dlq_arn))

        bodies = ["redrive-%d-%06d-%08x" % (seed, i, rng.getrandbits(32))
                  for i in range(args.messages)]
        ids = send_all(port, stats, src_url, bodies)
        if len(ids) != len(bodies):
            raise Failed("only %d of %d sends acknowledged" % (len(ids), len(bodies)))
        log("sent %d messages" % len(ids))
        delivered = dead_letter_all(port, stats, src_url, dlq_url, len(bodies))
        log("dead-lettered all %d (each delivered once, then moved)" % delivered)

        tasks_started = 1
        call(admin, "StartMessageMoveTask", {"SourceArn": dlq_arn,
                                             "MaxNumberOfMessagesPerSecond": args.rate})
        log("move task started at %d messages/s" % args.rate)
        for k in range(args.kills):
            time.sleep(rng.uniform(args.min_gap, args.max_gap))
            before = latest_task(admin, dlq_arn)
            t_kill = now()
            server.kill()
            admin.close()
            server.start()
            task = latest_task(admin, dlq_arn)
            log("kill #%d (task %s, %s moved); back up in %.2f s: %s; task now %s, %s moved; "
                "source %s, DLQ %s"
                % (k + 1, before and before.get("Status"),
                   before and before.get("ApproximateNumberOfMessagesMoved"), now() - t_kill,
                   server.recovery_line(), task and task.get("Status"),
                   task and task.get("ApproximateNumberOfMessagesMoved"),
                   counts(admin, src_url), counts(admin, dlq_url)))

        deadline = now() + args.settle_timeout
        while True:
            task = latest_task(admin, dlq_arn)
            status = task and task.get("Status")
            dlq_counts = counts(admin, dlq_url)
            if status == "COMPLETED" and dlq_counts == (0, 0, 0):
                break
            if now() > deadline:
                raise Failed("the redrive did not complete within %.0f s of the last restart "
                             "(task %s, DLQ %s, source %s)"
                             % (args.settle_timeout, task, dlq_counts, counts(admin, src_url)))
            if status in ("FAILED", "CANCELLED", "COMPLETED", None):
                log("task %s (%s) with DLQ %s: starting a new one"
                    % (status, task and task.get("FailureReason"), dlq_counts))
                call(admin, "StartMessageMoveTask", {"SourceArn": dlq_arn,
                                                     "MaxNumberOfMessagesPerSecond": args.rate})
                tasks_started += 1
            time.sleep(0.5)
        log("redrive COMPLETED (%d task(s)); source %s, DLQ %s"
            % (tasks_started, counts(admin, src_url), counts(admin, dlq_url)))

        # ---- verification ----
        from_src = drain(port, stats, src_url)
        from_dlq = drain(port, stats, dlq_url)
        seen = collections.Counter(b for b, _, _, _ in from_src + from_dlq)
        expected = set(bodies)
        lost = [b for b in bodies if seen[b] == 0]
        duplicated = [b for b in bodies if seen[b] > 1]
        phantoms = [b for b in seen if b not in expected]
        bad_ids = [b for b, mid, _, _ in from_src + from_dlq if b in ids and mid != ids[b]]
        bad_md5 = [b for b, _, ok, _ in from_src + from_dlq if not ok]
        with_dlq_arn = [b for b, _, _, arn in from_src if arn]
        if lost:
            failures.append("%d message(s) lost, e.g. %s" % (len(lost), lost[:5]))
        if duplicated:
            failures.append("%d message(s) in more than one copy, e.g. %s"
                            % (len(duplicated), [(b, seen[b]) for b in duplicated[:5]]))
        if phantoms:
            failures.append("%d body/bodies never sent, e.g. %r" % (len(phantoms), phantoms[:5]))
        if bad_ids:
            failures.append("%d MessageId(s) differ from the send, e.g. %s"
                            % (len(bad_ids), bad_ids[:5]))
        if bad_md5:
            failures.append("%d MD5OfBody mismatch(es), e.g. %s" % (len(bad_md5), bad_md5[:5]))
        if from_dlq:
            failures.append("%d message(s) still in the DLQ after COMPLETED" % len(from_dlq))
        if with_dlq_arn:
            failures.append("%d redriven message(s) still carry DeadLetterQueueSourceArn"
                            % len(with_dlq_arn))
        admin.close()

        print()
        print("==== wharf redrive crash test summary (seed %d) ====" % seed)
        print("messages sent          %d" % len(bodies))
        print("kills during redrive   %d" % args.kills)
        print("move tasks started     %d" % tasks_started)
        print("drained from source    %d" % len(from_src))
        print("drained from DLQ       %d" % len(from_dlq))
        print("lost / duplicated      %d / %d" % (len(lost), len(duplicated)))
        print("elapsed                %.1f s" % (now() - t_start))
        print("request errors         %s" % (dict(sorted(stats.counters.items())) or "none"))
        for f in failures:
            print("FAILURE " + f)
        failed = bool(failures)
        if failed:
            print("---- server log (tail) ----")
            print(server.log_tail())
            print("RESULT: FAIL (seed %d)" % seed)
            return 1
        print("RESULT: PASS (seed %d)" % seed)
        return 0
    except Failed as e:
        print("FAILURE %s" % e)
        print("---- server log (tail) ----")
        print(server.log_tail())
        print("RESULT: FAIL (seed %d)" % seed)
        return 1
    except Exception as e:  # setup error, e.g. the server would not start
        print("redrive_crash_test: error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        print("---- server log (tail) ----", file=sys.stderr)
        print(server.log_tail(), file=sys.stderr)
        print("RESULT: ERROR (seed %d)" % seed)
        return 2
    finally:
        server.close()
        if args.keep_data and failed:
            print("data kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

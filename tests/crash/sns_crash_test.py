#!/usr/bin/env python3
"""Crash test for SNS publishing (sns-fanout.md section 7.3): a Publish acknowledged to the client is
delivered to every subscription even if the server is killed right after answering it.

Publish writes the message to a durable outbox before it answers, and a delivery removes the outbox
record only once every subscribed queue has durably accepted it, so after kill -9 the restarted
server delivers whatever the previous run had not. This test:

  1. creates a standard topic with two subscribed queues (one envelope, one raw delivery) and a FIFO
     topic with a subscribed FIFO queue (content-based deduplication), each queue's policy admitting
     its topic,
  2. publishes unique messages from --publishers threads to the standard topic and, from one more
     thread, an ordered sequence to the FIFO topic (one message group), while SIGKILLing the server
     --kills times at random moments and restarting it on the same data directory and port,
  3. stops publishing, waits for the deliveries to settle and drains the queues,
  4. checks that every acknowledged publish reached both standard queues (at least once; SNS is
     at-least-once, repeats are reported, not failed) with the MessageId the publisher was given, and
     reached the FIFO queue exactly once and in publish order.

Python 3 standard library only; it reuses crash_test.py's server handling and SQS client and signs
SNS's AWS Query requests itself. Usage:
  /usr/bin/python3 tests/crash/sns_crash_test.py --wharf build/.../wharf [--seed N] [--kills 3]
Options of crash_test.py that this test does not know are ignored (tests/crash/run.sh passes its
options to every test). Exit status: 0 all checks passed, 1 a violation or failure, 2 setup error.
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
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_test import (ACCESS_KEY, REGION, SECRET_KEY, REQUEST_TIMEOUT, Server, SqsClient, Stats,  # noqa: E402
                        Unacknowledged, free_port, log, now)

ACCOUNT = "000000000000"
NS = "{http://sns.amazonaws.com/doc/2010-03-31/}"


class Failed(Exception):
    """A check of this test failed (not a setup error)."""


def sns_headers(host, payload):
    """SigV4 for an AWS Query POST to / signed for the service `sns` (security.md section 0)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    day = amz_date[:8]
    content_type = "application/x-www-form-urlencoded; charset=utf-8"
    canonical = "\n".join([
        "POST", "/", "",
        "content-type:%s\nhost:%s\nx-amz-date:%s\n" % (content_type, host, amz_date),
        "content-type;host;x-amz-date",
        hashlib.sha256(payload).hexdigest()])
    scope = "%s/%s/sns/aws4_request" % (day, REGION)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                          hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + SECRET_KEY).encode()
    for part in (day, REGION, "sns", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Amz-Date": amz_date,
        "Authorization": "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host;"
                         "x-amz-date, Signature=%s" % (ACCESS_KEY, scope, signature),
    }


class SnsClient:
    """One keep-alive connection speaking SNS's AWS Query. Not thread-safe: one per thread."""

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

    def call(self, action, params):
        """Returns the parsed XML <ActionResult> element. Raises Unacknowledged."""
        body = dict(params, Action=action, Version="2010-03-31")
        payload = urllib.parse.urlencode(body).encode()
        headers = sns_headers("127.0.0.1:%d" % self.port, payload)
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            self.conn.request("POST", "/", body=payload, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            self.stats.count("sns-conn-error:" + type(e).__name__)
            raise Unacknowledged(type(e).__name__)
        if resp.status != 200:
            self.stats.count("sns-http-%d:%s" % (resp.status, action))
            raise Unacknowledged("HTTP %d %s" % (resp.status, data[:200]))
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            raise Unacknowledged("bad XML")
        return root.find(NS + action + "Result")


def retry(fn, timeout=30.0):
    deadline = now() + timeout
    while True:
        try:
            return fn()
        except Unacknowledged as e:
            if now() > deadline:
                raise Failed("kept failing for %.0f s: %s" % (timeout, e))
            time.sleep(0.1)


def queue_policy(queue_arn, topic_arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})


def setup(port, stats, seed):
    sns, sqs = SnsClient(port, stats), SqsClient(port, stats)
    names = {"topic": "crash-%d" % seed, "fifo_topic": "crash-%d.fifo" % seed}
    topic = retry(lambda: sns.call("CreateTopic", {"Name": names["topic"]})).find(NS + "TopicArn").text
    fifo_topic = retry(lambda: sns.call("CreateTopic", {
        "Name": names["fifo_topic"],
        "Attributes.entry.1.key": "FifoTopic", "Attributes.entry.1.value": "true",
        "Attributes.entry.2.key": "ContentBasedDeduplication",
        "Attributes.entry.2.value": "true"})).find(NS + "TopicArn").text
    queues = {}
    for key, name, of_topic, raw in (("envelope", "crash-env-%d" % seed, topic, False),
                                     ("raw", "crash-raw-%d" % seed, topic, True),
                                     ("fifo", "crash-fifo-%d.fifo" % seed, fifo_topic, False)):
        arn = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)
        attrs = {"Policy": queue_policy(arn, of_topic)}
        if name.endswith(".fifo"):
            attrs["FifoQueue"] = "true"
        url = retry(lambda: sqs.call("CreateQueue", {"QueueName": name, "Attributes": attrs})[0])[
            "QueueUrl"]
        params = {"TopicArn": of_topic, "Protocol": "sqs", "Endpoint": arn}
        if raw:
            params.update({"Attributes.entry.1.key": "RawMessageDelivery",
                           "Attributes.entry.1.value": "true"})
        retry(lambda: sns.call("Subscribe", params))
        queues[key] = url
    sns.close()
    sqs.close()
    return topic, fifo_topic, queues


def publisher(idx, port, stats, topic, seed, stop, acked, lock):
    client = SnsClient(port, stats)
    n = 0
    try:
        while not stop.is_set():
            body = "sns-crash-%d-p%d-%06d" % (seed, idx, n)
            try:
                result = client.call("Publish", {"TopicArn": topic, "Message": body})
                with lock:
                    acked[body] = result.find(NS + "MessageId").text
                n += 1
            except Unacknowledged:
                time.sleep(0.05)  # restarting; the body is retried (it may also be delivered)
    finally:
        client.close()


def fifo_publisher(port, stats, topic, seed, stop, acked_order, lock):
    client = SnsClient(port, stats)
    n = 0
    try:
        while not stop.is_set():
            body = "sns-crash-%d-fifo-%06d" % (seed, n)
            try:
                client.call("Publish", {"TopicArn": topic, "Message": body, "MessageGroupId": "g"})
                with lock:
                    acked_order.append(body)
                n += 1
            except Unacknowledged:
                time.sleep(0.05)  # the same body again: content-based deduplication drops repeats
    finally:
        client.close()


def counts(client, url):
    out = retry(lambda: client.call("GetQueueAttributes", {
        "QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages",
                                            "ApproximateNumberOfMessagesNotVisible"]})[0])
    a = out.get("Attributes", {}) or {}
    return int(a.get("ApproximateNumberOfMessages", -1)), int(
        a.get("ApproximateNumberOfMessagesNotVisible", -1))


def settle(port, stats, urls, quiet=3.0, timeout=120.0):
    """Waits until the queues' counters stop changing for `quiet` seconds."""
    client = SqsClient(port, stats)
    last, since, deadline = None, now(), now() + timeout
    while now() < deadline:
        current = [counts(client, u) for u in urls]
        if current != last:
            last, since = current, now()
        elif now() - since >= quiet:
            break
        time.sleep(0.25)
    client.close()
    return last


def drain(port, stats, url):
    """Every message of `url` in receive order (FIFO: group order), each hidden once received."""
    client = SqsClient(port, stats)
    got, empty = [], 0
    try:
        while empty < 3:
            out = retry(lambda: client.call("ReceiveMessage", {
                "QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 900,
                "WaitTimeSeconds": 0})[0])
            msgs = out.get("Messages", []) or []
            for m in msgs:
                if hashlib.md5(m["Body"].encode()).hexdigest() != m["MD5OfBody"]:
                    raise Failed("MD5OfBody mismatch for %r" % m["Body"][:80])
                got.append(m["Body"])
                retry(lambda: client.call("DeleteMessage", {
                    "QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}))
            empty = 0 if msgs else empty + 1
    finally:
        client.close()
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wharf", required=True, help="path to the wharf binary")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    ap.add_argument("--kills", type=int, default=3, help="SIGKILLs while publishing")
    ap.add_argument("--publishers", type=int, default=2, help="standard-topic publisher threads")
    ap.add_argument("--min-gap", type=float, default=1.0, help="min seconds between kills")
    ap.add_argument("--max-gap", type=float, default=2.5, help="max seconds between kills")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for `wharf serve` (repeatable)")
    ap.add_argument("--keep-data", action="store_true", help="keep the temp dir after a failure")
    args, ignored = ap.parse_known_args()

    binary = os.path.abspath(args.wharf)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("sns_crash_test: %s is not an executable file" % args.wharf, file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    log("SNS crash test, seed %d (rerun with --seed %d)%s"
        % (seed, seed, " (ignoring %s)" % " ".join(ignored) if ignored else ""))
    tmp = tempfile.mkdtemp(prefix="wharf-sns-crash-")
    port = free_port()
    server = Server(binary, port, os.path.join(tmp, "data"), os.path.join(tmp, "wharf.log"),
                    args.server_arg)
    stats = Stats()
    failed = True
    try:
        server.start()
        topic, fifo_topic, queues = setup(port, stats, seed)
        log("wharf up on port %d; topics %s and %s" % (port, topic, fifo_topic))

        stop = threading.Event()
        lock = threading.Lock()
        acked, fifo_acked = {}, []
        threads = [threading.Thread(target=publisher,
                                    args=(i, port, stats, topic, seed, stop, acked, lock),
                                    daemon=True) for i in range(args.publishers)]
        threads.append(threading.Thread(target=fifo_publisher,
                                        args=(port, stats, fifo_topic, seed, stop, fifo_acked, lock),
                                        daemon=True))
        for t in threads:
            t.start()
        for k in range(args.kills):
            time.sleep(rng.uniform(args.min_gap, args.max_gap))
            with lock:
                before = len(acked) + len(fifo_acked)
            server.kill()
            server.start()
            log("kill #%d after %d acknowledged publishes; back up: %s"
                % (k + 1, before, server.recovery_line()))
            pending = [line for line in server.log_tail(8).splitlines() if "sns_publications_to_deliver" in line]
            if pending:
                log("  " + pending[-1].split("wharf: ", 1)[-1])
        time.sleep(rng.uniform(args.min_gap, args.max_gap))
        stop.set()
        for t in threads:
            t.join(30)
        log("stopped: %d standard and %d FIFO publishes acknowledged" % (len(acked), len(fifo_acked)))
        final = settle(port, stats, list(queues.values()))
        log("settled: queue counters %s" % final)

        envelopes = drain(port, stats, queues["envelope"])
        raw = drain(port, stats, queues["raw"])
        fifo = drain(port, stats, queues["fifo"])
        failures = []
        envelope_ids = collections.defaultdict(list)
        for body in envelopes:
            env = json.loads(body)
            envelope_ids[env["Message"]].append(env["MessageId"])
        raw_seen = collections.Counter(raw)
        lost_env = [b for b in acked if b not in envelope_ids]
        lost_raw = [b for b in acked if raw_seen[b] == 0]
        wrong_id = [b for b, mid in acked.items() if b in envelope_ids and mid not in envelope_ids[b]]
        repeats = sum(len(v) - 1 for v in envelope_ids.values()) + sum(n - 1 for n in raw_seen.values())
        if lost_env:
            failures.append("%d acknowledged publish(es) missing from the envelope queue, e.g. %s"
                            % (len(lost_env), lost_env[:5]))
        if lost_raw:
            failures.append("%d acknowledged publish(es) missing from the raw queue, e.g. %s"
                            % (len(lost_raw), lost_raw[:5]))
        if wrong_id:
            failures.append("%d envelope(s) without the acknowledged MessageId, e.g. %s"
                            % (len(wrong_id), wrong_id[:5]))
        fifo_messages = [json.loads(b)["Message"] for b in fifo]
        fifo_seen = collections.Counter(fifo_messages)
        lost_fifo = [b for b in fifo_acked if fifo_seen[b] == 0]
        twice_fifo = [b for b, n in fifo_seen.items() if n > 1]
        delivered_order = [m for m in fifo_messages if m in set(fifo_acked)]
        if lost_fifo:
            failures.append("%d acknowledged FIFO publish(es) lost, e.g. %s"
                            % (len(lost_fifo), lost_fifo[:5]))
        if twice_fifo:
            failures.append("%d FIFO message(s) delivered twice, e.g. %s" % (len(twice_fifo), twice_fifo[:5]))
        if delivered_order != sorted(delivered_order):
            failures.append("FIFO messages out of publish order")

        print()
        print("==== wharf SNS crash test summary (seed %d) ====" % seed)
        print("kills                     %d" % args.kills)
        print("standard publishes acked  %d" % len(acked))
        print("FIFO publishes acked      %d" % len(fifo_acked))
        print("envelope / raw received   %d / %d" % (len(envelopes), len(raw)))
        print("repeats (at-least-once)   %d" % repeats)
        print("FIFO received             %d" % len(fifo))
        print("request errors            %s" % (dict(sorted(stats.counters.items())) or "none"))
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
        print("sns_crash_test: error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
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

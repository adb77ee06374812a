#!/usr/bin/env python3
"""A full and a failing disk under a running Wharf, through a real client (boto3).

Starts a server in test mode (its store on the fault-injecting filesystem), sends acknowledged
messages to a standard and a FIFO queue, then makes the disk fail with
POST /_wharf/test/storage-fault (round 1: ENOSPC on every write; round 2: EIO on every sync) and
checks, with botocore's retries off, that:

  - SendMessage, SendMessageBatch and a FIFO SendMessage fail with the retryable
    ServiceUnavailable (HTTP 503), never with a client error and never acknowledged;
  - ReceiveMessage on the standard queue still works and returns only acknowledged messages
    (bodies and MD5s as sent); DeleteMessage and DeleteMessageBatch (as a whole) are refused
    with 503 (they cannot be durable; like any failed call they may still take effect);

and, with botocore's standard retry mode, that a SendMessage and a DeleteMessage started while
the disk fails succeed once another thread frees the disk (mode=off): the server recovers by
itself, without a restart. New sends succeed after that. Finally the server is killed (SIGKILL)
and restarted on the same data directory, and both queues are drained: every acknowledged
message is received exactly once with its MessageId and MD5 (FIFO: in send order), no refused
send and no acknowledged delete comes back.

Usage: /usr/bin/python3 tests/crash/storage_fault_test.py --wharf build/release/src/server/wharf
Exit status: 0 all checks passed, 1 a check failed, 2 setup error.
"""

import argparse
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:  # pragma: no cover
    print("storage_fault_test: boto3 is required (Debian: python3-boto3)", file=sys.stderr)
    sys.exit(2)

ACCESS_KEY, SECRET_KEY, REGION = "test", "test", "us-east-1"
FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL: " + what, flush=True)
    return condition


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, data_dir, log_path):
        self.binary, self.data_dir, self.port = binary, data_dir, free_port()
        self.log = open(log_path, "ab")
        self.proc = None

    def start(self, timeout=30.0):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", self.data_dir, "--test-mode", "on"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("wharf exited with status %d at start" % self.proc.returncode)
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/health")
                ok = c.getresponse().status == 200
                c.close()
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("wharf did not answer GET /health within %.0f s" % timeout)

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def fault(self, mode):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("POST", "/_wharf/test/storage-fault", body='{"mode":"%s"}' % mode,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        body = r.read()
        c.close()
        if r.status != 200:
            raise RuntimeError("storage-fault %s: HTTP %d %r" % (mode, r.status, body))

    def get(self, path):
        """(status, body text) of a GET without a signature (/health, /metrics)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read().decode()
        c.close()
        return r.status, body

    def check_reported_health(self, storage, when):
        """GET /health and /metrics say what the store's health is: "ok", or a failure name."""
        status, body = self.get("/health")
        want = {"status": "ok" if storage == "ok" else "degraded", "storage": storage}
        check(status == 200 and json.loads(body) == want,
              "%s: GET /health answered %d %s, not 200 %s" % (when, status, body, want))
        status, body = self.get("/metrics")
        gauge = [line for line in body.splitlines() if line.startswith("wharf_storage_healthy ")]
        want_gauge = "wharf_storage_healthy %d" % (1 if storage == "ok" else 0)
        check(status == 200 and gauge == [want_gauge],
              "%s: /metrics has %r, not %r" % (when, gauge, want_gauge))

    def client(self, retries):
        config = Config(retries=({"mode": "standard", "total_max_attempts": 12} if retries
                                 else {"mode": "standard", "total_max_attempts": 1}),
                        connect_timeout=5, read_timeout=30)
        return boto3.client("sqs", endpoint_url="http://127.0.0.1:%d" % self.port,
                            region_name=REGION, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, config=config)


def expect_unavailable(call, what):
    try:
        call()
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code")
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        check(code in ("ServiceUnavailable", "ServiceUnavailableException") and status == 503,
              "%s: expected 503 ServiceUnavailable, got HTTP %s %s" % (what, status, code))
        return
    check(False, "%s succeeded while the disk fails" % what)


class Ledger:
    """What the server acknowledged: body -> (MessageId, MD5), per queue, and deleted bodies."""

    def __init__(self):
        self.standard, self.fifo, self.fifo_order = {}, {}, []
        self.deleted, self.refused = set(), set()
        # Deletes answered 503: like any failed call, their outcome is unknown (Wharf completes
        # them when the disk recovers); the message may or may not come back.
        self.in_doubt = set()

    def send_standard(self, sqs, url, bodies):
        for i in range(0, len(bodies), 10):
            chunk = bodies[i:i + 10]
            out = sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(k), "MessageBody": b} for k, b in enumerate(chunk)])
            check(not out.get("Failed"), "batch entries failed: %r" % out.get("Failed"))
            for entry in out.get("Successful", []):
                body = chunk[int(entry["Id"])]
                check(entry["MD5OfMessageBody"] == md5(body), "MD5 of sent " + body)
                self.standard[body] = (entry["MessageId"], md5(body))

    def send_fifo(self, sqs, url, bodies):
        for body in bodies:
            out = sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=body[:6],
                                   MessageDeduplicationId=body)
            self.fifo[body] = (out["MessageId"], md5(body))
            self.fifo_order.append(body)


def fault_round(server, ledger, std_url, fifo_url, mode, tag):
    plain, retrying = server.client(False), server.client(True)
    server.fault(mode)
    # Sends are refused with the retryable 503, never acknowledged.
    for what, call in [
        ("SendMessage", lambda: plain.send_message(QueueUrl=std_url, MessageBody=tag + "-refused")),
        ("SendMessageBatch", lambda: plain.send_message_batch(QueueUrl=std_url, Entries=[
            {"Id": "a", "MessageBody": tag + "-refused-a"},
            {"Id": "b", "MessageBody": tag + "-refused-b"}])),
        ("FIFO SendMessage", lambda: plain.send_message(
            QueueUrl=fifo_url, MessageBody=tag + "-refused-f", MessageGroupId="refused",
            MessageDeduplicationId=tag + "-refused-f")),
    ]:
        expect_unavailable(call, "%s (%s)" % (what, mode))
    # Still alive (200), but the body and the gauge say the store's writes fail.
    server.check_reported_health("no space" if mode.startswith("enospc") else "io error",
                                 "while the disk fails (%s)" % mode)
    ledger.refused |= {tag + "-refused", tag + "-refused-a", tag + "-refused-b",
                       tag + "-refused-f"}
    # Receives still work, and see only acknowledged messages.
    out = plain.receive_message(QueueUrl=std_url, MaxNumberOfMessages=10, VisibilityTimeout=2)
    messages = out.get("Messages", [])
    check(len(messages) > 0, "no message received while the disk fails (%s)" % mode)
    for m in messages:
        known = ledger.standard.get(m["Body"])
        check(known is not None and m["MessageId"] == known[0] and m["MD5OfBody"] == known[1],
              "received while failing: unknown or altered message %r" % m["Body"])
    live = [m for m in messages if m["Body"] not in ledger.deleted | ledger.in_doubt]
    if check(len(live) >= 2, "too few messages received while the disk fails"):
        expect_unavailable(lambda: plain.delete_message(
            QueueUrl=std_url, ReceiptHandle=live[0]["ReceiptHandle"]), "DeleteMessage (%s)" % mode)
        ledger.in_doubt.add(live[0]["Body"])
    if len(live) >= 4:
        # A batch fails as a whole (the SDKs retry a 503, not a failed entry).
        expect_unavailable(lambda: plain.delete_message_batch(QueueUrl=std_url, Entries=[
            {"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]}
            for i, m in enumerate(live[2:4])]), "DeleteMessageBatch (%s)" % mode)
        ledger.in_doubt |= {m["Body"] for m in live[2:4]}
    # A send and a delete started now, with retries, succeed once the disk is freed.
    results = {}

    def retried_send():
        try:
            out = retrying.send_message(QueueUrl=std_url, MessageBody=tag + "-retried")
            results["send"] = out
        except Exception as e:  # noqa: BLE001 - reported as a failure below
            results["send"] = e

    def retried_delete():
        try:
            retrying.delete_message(QueueUrl=std_url, ReceiptHandle=live[1]["ReceiptHandle"])
            results["delete"] = True
        except Exception as e:  # noqa: BLE001
            results["delete"] = e

    threads = [threading.Thread(target=retried_send), threading.Thread(target=retried_delete)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    check(not results, "a retried call finished while the disk still fails: %r" % results)
    freed = time.monotonic()
    server.fault("off")
    # The server takes sends again by itself: probe without retries until one is acknowledged.
    probes = 0
    while True:
        probes += 1
        body = "%s-probe-%d" % (tag, probes)
        try:
            out = plain.send_message(QueueUrl=std_url, MessageBody=body)
            ledger.standard[body] = (out["MessageId"], md5(body))
            break
        except ClientError as e:
            check(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 503,
                  "probe send after freeing the disk: %r" % e)
            ledger.refused.add(body)
        if not check(time.monotonic() - freed < 30, "no recovery within 30 s (%s)" % mode):
            break
        time.sleep(0.05)
    recovered_after = time.monotonic() - freed
    server.check_reported_health("ok", "after the store recovered (%s)" % mode)
    for t in threads:
        t.join(60)
    retried_after = time.monotonic() - freed
    send = results.get("send")
    if check(isinstance(send, dict), "retried SendMessage after the disk was freed: %r" % send):
        ledger.standard[tag + "-retried"] = (send["MessageId"], md5(tag + "-retried"))
    if check(results.get("delete") is True, "retried DeleteMessage: %r" % results.get("delete")):
        ledger.deleted.add(live[1]["Body"])
    print("%s: refused with 503 while failing; receives served; sends acknowledged again %.2f s "
          "after the disk was freed; SDK-retried calls done after %.1f s" %
          (mode, recovered_after, retried_after), flush=True)
    # New sends succeed, without a restart.
    ledger.send_standard(plain, std_url, ["%s-after-%03d" % (tag, i) for i in range(20)])
    ledger.send_fifo(plain, fifo_url, ["%s-g%d-after-%02d" % (tag, g, i)
                                       for i in range(5) for g in range(2)])


def drain(sqs, url, fifo):
    got = []
    empty = 0
    while empty < 2:
        out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                  WaitTimeSeconds=0, AttributeNames=["All"])
        messages = out.get("Messages", [])
        empty = 0 if messages else empty + 1
        for m in messages:
            got.append(m)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return got


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wharf", required=True)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the data directory and log")
    # run.sh passes the crash tests' options (--seed N, ...) to every script: ignored here.
    args, _ = parser.parse_known_args()
    work = tempfile.mkdtemp(prefix="wharf-fault-")
    log_path = os.path.join(work, "wharf.log")
    server = Server(os.path.abspath(args.wharf), os.path.join(work, "data"), log_path)
    t0 = time.monotonic()
    try:
        server.start()
        sqs = server.client(False)
        std_url = sqs.create_queue(QueueName="fault-standard")["QueueUrl"]
        fifo_url = sqs.create_queue(QueueName="fault-fifo.fifo", Attributes={
            "FifoQueue": "true"})["QueueUrl"]
        ledger = Ledger()
        ledger.send_standard(sqs, std_url, ["msg-%04d" % i for i in range(args.messages)])
        ledger.send_fifo(sqs, fifo_url, ["fifo-g%d-%03d" % (g, i)
                                         for i in range(10) for g in range(2)])
        fault_round(server, ledger, std_url, fifo_url, "enospc", "r1")
        time.sleep(2.1)  # the messages received during round 1 are visible again
        fault_round(server, ledger, std_url, fifo_url, "eio-sync", "r2")

        # Everything acknowledged survives a kill -9 after the faults.
        server.kill()
        server.start()
        sqs = server.client(True)
        time.sleep(2.1)  # visibility timeouts of the last receive end
        got = drain(sqs, std_url, False)
        bodies = [m["Body"] for m in got]
        expected = set(ledger.standard) - ledger.deleted
        check(len(bodies) == len(set(bodies)), "standard: %d duplicate receives" %
              (len(bodies) - len(set(bodies))))
        missing = expected - ledger.in_doubt - set(bodies)
        unexpected = set(bodies) - expected
        check(not missing and not unexpected,
              "standard: missing %s, unexpected %s" % (sorted(missing)[:10],
                                                       sorted(unexpected)[:10]))
        check(not (set(bodies) & ledger.refused), "a refused send came back")
        check(not (set(bodies) & ledger.deleted), "an acknowledged delete came back")
        for m in got:
            known = ledger.standard.get(m["Body"])
            if known:
                check(m["MessageId"] == known[0] and m["MD5OfBody"] == known[1],
                      "altered message " + m["Body"])
        fgot = drain(sqs, fifo_url, True)
        fbodies = [m["Body"] for m in fgot]
        for group in sorted({b[:6] for b in ledger.fifo_order}):
            sent = [b for b in ledger.fifo_order if b[:6] == group]
            received = [b for b in fbodies if b[:6] == group]
            check(received == sent, "FIFO group %s: received %d of %d, or out of order" %
                  (group, len(received), len(sent)))
        check(set(fbodies) == set(ledger.fifo), "FIFO: received something else than was sent")
        for m in fgot:
            known = ledger.fifo.get(m["Body"])
            if known:
                check(m["MessageId"] == known[0], "FIFO: altered MessageId of " + m["Body"])
        print("storage fault test: %d standard and %d FIFO messages acknowledged, %d deleted "
              "during faults (%d more refused, in doubt: %d came back), %d sends refused; all "
              "accounted for after a kill -9 (%.1f s)" %
              (len(ledger.standard), len(ledger.fifo), len(ledger.deleted),
               len(ledger.in_doubt), len(ledger.in_doubt & set(bodies)), len(ledger.refused),
               time.monotonic() - t0), flush=True)
    except Exception as e:  # noqa: BLE001 - a setup or protocol error fails the test
        FAILURES.append("error: %r" % e)
        print("ERROR: %r" % e, flush=True)
    finally:
        server.kill()
    if FAILURES:
        print("storage fault test FAILED (%d); server log: %s" % (len(FAILURES), log_path))
        with open(log_path, "rb") as f:
            sys.stdout.write(f.read()[-4000:].decode(errors="replace"))
        return 1
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print("storage fault test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

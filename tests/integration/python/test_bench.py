"""`wharf bench` against the running server: every scenario over both wire protocols completes
its messages without an error, and the queue it made is gone afterwards (or kept when asked).

The bench is the tool users point at any SQS endpoint, so it is exercised here the way they run
it: the binary, a real server, a JSON report read back. Small counts keep it quick; nothing here
measures speed.
"""

import json
import os
import subprocess
import unittest

from wharf_helpers import make_client

TIMEOUT_S = 120


def bench_binary():
    binary = os.environ.get("WHARF_BIN")
    if not binary:
        raise unittest.SkipTest("WHARF_BIN is not set")
    return binary


def http_endpoint():
    # The bench speaks plain HTTP only; under WHARF_IT_TLS the suites' endpoint is HTTPS.
    endpoint = os.environ.get("WHARF_HTTP_ENDPOINT")
    if not endpoint:
        raise unittest.SkipTest("WHARF_HTTP_ENDPOINT is not set")
    return endpoint


def run_bench(*args):
    """The JSON report of one run; fails the test with the bench's stderr if it exits non-zero."""
    command = [bench_binary(), "bench", "--endpoint", http_endpoint(), "--warmup", "0s",
               "--json", "--no-progress", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode != 0:
        raise AssertionError("%s exited %d: %s" % (" ".join(command), done.returncode,
                                                   done.stderr[-2000:]))
    return json.loads(done.stdout)


class BenchScenariosTest(unittest.TestCase):

    def check(self, report, scenario, protocol, at_least):
        self.assertEqual(report["scenario"], scenario)
        self.assertEqual(report["protocol"], protocol)
        self.assertEqual(report["error_count"], 0, report["errors"])
        self.assertGreaterEqual(report["messages"], at_least)
        self.assertGreater(report["requests"], 0)
        self.assertGreater(report["latency_ms"]["p50"], 0)

    def test_every_scenario_over_both_protocols(self):
        for protocol in ("json", "query"):
            for scenario, args, at_least in (
                    ("send", ["--count", "300", "--connections", "4"], 300),
                    ("send-batch", ["--count", "1000", "--connections", "4"], 1000),
                    ("fifo", ["--count", "1000", "--groups", "7", "--connections", "4"], 1000),
                    ("receive-delete", ["--count", "500", "--connections", "4"], 500),
                    ("pipeline", ["--count", "500", "--connections", "4"], 500),
                    ("long-poll", ["--count", "10", "--connections", "2"], 10)):
                with self.subTest(protocol=protocol, scenario=scenario):
                    report = run_bench("--scenario", scenario, "--protocol", protocol, *args)
                    self.check(report, scenario, protocol, at_least)

    # Answers larger than the bench's read buffer (64 KiB) arrive over several reads: ten 64 KiB
    # messages per receive.
    def test_large_bodies_are_received_whole(self):
        for protocol in ("json", "query"):
            with self.subTest(protocol=protocol):
                report = run_bench("--scenario", "receive-delete", "--protocol", protocol,
                                   "--connections", "2", "--count", "100",
                                   "--body-size", "65536")
                self.check(report, "receive-delete", protocol, 100)

    def test_the_queue_is_deleted_unless_kept(self):
        sqs = make_client()
        self.addCleanup(sqs.close)
        deleted = run_bench("--scenario", "send", "--count", "20", "--connections", "2")
        kept = run_bench("--scenario", "send", "--count", "20", "--connections", "2",
                         "--keep-queue")
        names = [url.rsplit("/", 1)[1] for url in sqs.list_queues(
            QueueNamePrefix="bench-send-").get("QueueUrls", [])]
        self.assertNotIn(deleted["queue"], names)
        self.assertIn(kept["queue"], names)
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=kept["queue"])["QueueUrl"])

    # --count is what is sent, with many connections and batches that do not divide it: the
    # requests in flight when the count is reached are not extra messages (the last batches are
    # smaller instead).
    def test_count_sends_exactly_that_many_messages(self):
        sqs = make_client()
        self.addCleanup(sqs.close)
        for scenario, count, extra in (("send", 37, []), ("send-batch", 253, []),
                                       ("fifo", 253, ["--groups", "3"])):
            with self.subTest(scenario=scenario):
                report = run_bench("--scenario", scenario, "--count", str(count),
                                   "--connections", "8", "--keep-queue", *extra)
                self.assertEqual(report["messages"], count)
                url = sqs.get_queue_url(QueueName=report["queue"])["QueueUrl"]
                try:
                    counts = sqs.get_queue_attributes(
                        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                    self.assertEqual(counts["Attributes"]["ApproximateNumberOfMessages"],
                                     str(count))
                finally:
                    sqs.delete_queue(QueueUrl=url)


if __name__ == "__main__":
    unittest.main()

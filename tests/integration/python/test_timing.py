"""Visibility timeout, delays, long polling and purge through boto3 (time-dependent; generous margins)."""

import threading
import time
import unittest

from wharf_helpers import WharfTestCase, make_client


class VisibilityTest(WharfTestCase):

    def test_visibility_timeout_expiry_redelivers(self):
        _, url = self.new_queue("vis", attributes={"VisibilityTimeout": "2"})
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="redeliver me")
        m1 = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2,
                                      AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(m1["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        time.sleep(3)
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                        AttributeNames=["ApproximateReceiveCount"])
        m2 = resp["Messages"][0]
        self.assertEqual(m2["MessageId"], sent["MessageId"])
        self.assertEqual(m2["Body"], "redeliver me")
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertNotEqual(m2["ReceiptHandle"], m1["ReceiptHandle"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"])
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"),
                         {"ApproximateNumberOfMessages": "0",
                          "ApproximateNumberOfMessagesNotVisible": "0"})

    def test_receive_visibility_timeout_parameter_overrides_queue(self):
        _, url = self.new_queue("visparam")  # queue default 30 s
        self.sqs.send_message(QueueUrl=url, MessageBody="short")
        self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, VisibilityTimeout=1)
        time.sleep(2.5)
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
        self.assertEqual(resp["Messages"][0]["Body"], "short")

    def test_change_message_visibility_to_zero(self):
        _, url = self.new_queue("cmv")
        self.sqs.send_message(QueueUrl=url, MessageBody="vis0")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2,
                                     VisibilityTimeout=60)["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        t0 = time.monotonic()
        again = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                         AttributeNames=["ApproximateReceiveCount"])
        self.assertLess(time.monotonic() - t0, 2.0, "message must be visible immediately")
        m2 = again["Messages"][0]
        self.assertEqual(m2["MessageId"], m["MessageId"])
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")

    def test_change_message_visibility_extends(self):
        _, url = self.new_queue("cmvext", attributes={"VisibilityTimeout": "2"})
        self.sqs.send_message(QueueUrl=url, MessageBody="keep hidden")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=30)
        time.sleep(3)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))

    def test_change_message_visibility_errors(self):
        _, url = self.new_queue("cmverr")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="garbage",
                                               VisibilityTimeout=10)
        self.assertClientError(ctx, "ReceiptHandleIsInvalid", (400, 404))
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                               VisibilityTimeout=10)
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
            "is not available for visibility timeout change." % m["ReceiptHandle"])


    def test_visibility_total_beyond_twelve_hours_is_rejected(self):
        _, url = self.new_queue("cmv12h")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=43000)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                               VisibilityTimeout=43201)
        self.assertClientError(ctx, "InvalidParameterValue", 400)

    def test_delete_with_expired_handle_deletes_on_standard_queue(self):
        _, url = self.new_queue("expdel")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2,
                                     VisibilityTimeout=1)["Messages"][0]
        time.sleep(2)
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible"),
                         {"ApproximateNumberOfMessages": "0",
                          "ApproximateNumberOfMessagesNotVisible": "0"})
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))

class DelayTest(WharfTestCase):

    def test_per_message_delay(self):
        _, url = self.new_queue("delay")
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=2)
        t_sent = time.monotonic()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        attrs = self.queue_attrs(url, "ApproximateNumberOfMessages",
                                 "ApproximateNumberOfMessagesDelayed")
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesDelayed": "1"})
        time.sleep(max(0.0, 3.0 - (time.monotonic() - t_sent)))
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)
        self.assertEqual(resp["Messages"][0]["Body"], "later")

    def test_queue_delay_applies_and_message_delay_overrides(self):
        _, url = self.new_queue("qdelay", attributes={"DelaySeconds": "60"})
        self.sqs.send_message(QueueUrl=url, MessageBody="queue delay")
        self.sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
        resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        self.assertEqual([m["Body"] for m in resp.get("Messages", [])], ["no delay"])
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessagesDelayed"),
                         {"ApproximateNumberOfMessagesDelayed": "1"})

    def test_long_poll_wakes_when_delay_ends(self):
        _, url = self.new_queue("delaywake")
        self.sqs.send_message(QueueUrl=url, MessageBody="wake", DelaySeconds=2)
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        elapsed = time.monotonic() - t0
        self.assertEqual(resp.get("Messages", [{}])[0].get("Body"), "wake")
        self.assertGreaterEqual(elapsed, 1.0)
        self.assertLess(elapsed, 6.0)


class LongPollingTest(WharfTestCase):

    def test_long_poll_returns_early_when_message_arrives(self):
        _, url = self.new_queue("lp")
        sender = make_client()

        def send_later():
            time.sleep(1.0)
            sender.send_message(QueueUrl=url, MessageBody="arrived")
            sender.close()

        th = threading.Thread(target=send_later)
        t0 = time.monotonic()
        th.start()
        try:
            resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        finally:
            th.join()
        elapsed = time.monotonic() - t0
        self.assertEqual([m["Body"] for m in resp.get("Messages", [])], ["arrived"])
        self.assertGreaterEqual(elapsed, 0.8)
        self.assertLess(elapsed, 6.0, "long poll must return as soon as a message arrives")

    def test_empty_long_poll_waits(self):
        _, url = self.new_queue("lpempty")
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
        elapsed = time.monotonic() - t0
        self.assertNotIn("Messages", resp)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertGreaterEqual(elapsed, 1.9)
        self.assertLess(elapsed, 8.0)

    def test_queue_receive_wait_time_default(self):
        _, url = self.new_queue("lpqueue", attributes={"ReceiveMessageWaitTimeSeconds": "2"})
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url)
        elapsed = time.monotonic() - t0
        self.assertNotIn("Messages", resp)
        self.assertGreaterEqual(elapsed, 1.9)
        self.assertLess(elapsed, 8.0)

    def test_long_poll_does_not_wait_to_fill_batch(self):
        _, url = self.new_queue("lpfill")
        self.sqs.send_message(QueueUrl=url, MessageBody="only one")
        t0 = time.monotonic()
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MaxNumberOfMessages=10)
        self.assertLess(time.monotonic() - t0, 2.0)
        self.assertEqual(len(resp.get("Messages", [])), 1)

    def test_concurrent_pollers_do_not_share_a_message(self):
        _, url = self.new_queue("lpconc")
        results = []
        lock = threading.Lock()

        def poll():
            c = make_client()
            r = c.receive_message(QueueUrl=url, WaitTimeSeconds=4)
            c.close()
            with lock:
                results.extend(m["MessageId"] for m in r.get("Messages", []))

        threads = [threading.Thread(target=poll) for _ in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        mid = self.sqs.send_message(QueueUrl=url, MessageBody="once")["MessageId"]
        for t in threads:
            t.join()
        self.assertEqual(results, [mid])


class PurgeTest(WharfTestCase):

    def test_purge_and_purge_in_progress(self):
        name, url = self.new_queue("purge")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody="p%d" % i)
        self.sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
        self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=60)  # one in flight
        self.sqs.purge_queue(QueueUrl=url)
        attrs = self.queue_attrs(url, "ApproximateNumberOfMessages",
                                 "ApproximateNumberOfMessagesNotVisible",
                                 "ApproximateNumberOfMessagesDelayed")
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0",
                                 "ApproximateNumberOfMessagesDelayed": "0"})
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))
        with self.assertRaises(self.sqs.exceptions.PurgeQueueInProgress) as ctx:
            self.sqs.purge_queue(QueueUrl=url)
        self.assertClientError(
            ctx, "AWS.SimpleQueueService.PurgeQueueInProgress", 403,
            "Only one PurgeQueue operation on %s is allowed every 60 seconds." % name)
        # The queue still works after a purge.
        self.sqs.send_message(QueueUrl=url, MessageBody="after purge")
        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
        self.assertEqual(resp["Messages"][0]["Body"], "after purge")


if __name__ == "__main__":
    unittest.main()

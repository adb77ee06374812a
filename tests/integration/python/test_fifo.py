"""FIFO queues through boto3 (sqs-api.md 2.1, 2.6-2.10, 3.1, 4.5, 5.12-5.15, 6.3).

Sequence numbers, deduplication (explicit and content-based), batch order, group ordering and
blocking, ReceiveRequestAttemptId, the FIFO error cases with the codes boto3 reports, and four
concurrent consumers that must never hold two messages of one group at once.
"""

import hashlib
import random
import threading
import time
import unittest

from wharf_helpers import WharfTestCase, make_client, unique_name

DELAY_TEXT = ("Value %d for parameter DelaySeconds is invalid. Reason: The request include "
              "parameter that is not valid for this queue type.")
NO_DEDUP_TEXT = ("The queue should either have ContentBasedDeduplication enabled or "
                 "MessageDeduplicationId provided explicitly")
NO_GROUP_TEXT = "The request must contain the parameter MessageGroupId."
EXPIRED_TEXT = ("Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle "
                "has expired.")


class FifoTest(WharfTestCase):

    def new_fifo(self, prefix="fifo", attributes=None):
        name = unique_name(prefix) + ".fifo"
        attrs = {"FifoQueue": "true"}
        attrs.update(attributes or {})
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self._queues.append(url)
        return name, url

    def send(self, url, body, group="g", dedup=None, **kwargs):
        return self.sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group,
                                     MessageDeduplicationId=dedup or body, **kwargs)

    def receive(self, url, max_messages=10, **kwargs):
        r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=max_messages,
                                     WaitTimeSeconds=0, **kwargs)
        return r.get("Messages", [])

    def counts(self, url):
        a = self.queue_attrs(url, "ApproximateNumberOfMessages",
                             "ApproximateNumberOfMessagesNotVisible",
                             "ApproximateNumberOfMessagesDelayed")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))

    # --- queue attributes ---------------------------------------------------------------------

    def test_get_queue_attributes_all_has_fifo_defaults(self):
        _, url = self.new_fifo("attrs")
        a = self.queue_attrs(url)
        self.assertEqual(a["FifoQueue"], "true")
        self.assertEqual(a["ContentBasedDeduplication"], "false")
        self.assertEqual(a["DeduplicationScope"], "queue")
        self.assertEqual(a["FifoThroughputLimit"], "perQueue")

    def test_create_queue_name_and_type_must_match(self):
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=unique_name("nofifo") + ".fifo")
        self.assertClientError(ctx, "InvalidParameterValue", 400)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=unique_name("nosuffix"),
                                  Attributes={"FifoQueue": "true"})
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
            "underscores, must end with .fifo suffix and be 1 to 80 in length")

    def test_per_message_group_throughput_needs_message_group_scope(self):
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=unique_name("ht") + ".fifo", Attributes={
                "FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId",
                "DeduplicationScope": "queue"})
        self.assertClientError(ctx, "InvalidAttributeValue", 400)
        _, url = self.new_fifo("ht-ok", {"FifoThroughputLimit": "perMessageGroupId",
                                         "DeduplicationScope": "messageGroup"})
        self.assertEqual(self.queue_attrs(url, "FifoThroughputLimit")["FifoThroughputLimit"],
                         "perMessageGroupId")

    def test_fifo_queue_false_on_set_queue_attributes(self):
        _, url = self.new_fifo("type")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"FifoQueue": "false"})
        self.assertClientError(
            ctx, "InvalidAttributeValue", 400,
            "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not "
            "supported.")

    # --- sending ------------------------------------------------------------------------------

    def test_sequence_number_and_duplicate(self):
        _, url = self.new_fifo("send")
        first = self.send(url, "one", dedup="d1")
        self.assertRegex(first["SequenceNumber"], r"^\d{20}$")
        dup = self.send(url, "one again", dedup="d1")
        self.assertEqual(dup["MessageId"], first["MessageId"])
        self.assertEqual(dup["SequenceNumber"], first["SequenceNumber"])
        second = self.send(url, "two", dedup="d2")
        self.assertGreater(int(second["SequenceNumber"]), int(first["SequenceNumber"]))
        self.assertEqual(self.counts(url), (2, 0, 0))
        self.assertEqual([m["Body"] for m in self.receive(url)], ["one", "two"])

    def test_batch_keeps_order(self):
        _, url = self.new_fifo("batch")
        entries = [{"Id": "e%d" % i, "MessageBody": "m%d" % i, "MessageGroupId": "g",
                    "MessageDeduplicationId": "d%d" % i} for i in range(10)]
        r = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(r.get("Failed", []), [])
        by_id = {s["Id"]: s for s in r["Successful"]}
        seqs = [int(by_id["e%d" % i]["SequenceNumber"]) for i in range(10)]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 10)
        got = self.receive(url, AttributeNames=["SequenceNumber"])
        self.assertEqual([m["Body"] for m in got], ["m%d" % i for i in range(10)])
        self.assertEqual([int(m["Attributes"]["SequenceNumber"]) for m in got], seqs)

    def test_content_based_deduplication(self):
        _, url = self.new_fifo("cbd", {"ContentBasedDeduplication": "true"})
        first = self.sqs.send_message(
            QueueUrl=url, MessageBody="hello world", MessageGroupId="g",
            MessageAttributes={"k": {"DataType": "String", "StringValue": "one"}})
        dup = self.sqs.send_message(
            QueueUrl=url, MessageBody="hello world", MessageGroupId="g",
            MessageAttributes={"k": {"DataType": "String", "StringValue": "two"}})
        self.assertEqual(dup["MessageId"], first["MessageId"])
        other = self.sqs.send_message(QueueUrl=url, MessageBody="hello world!",
                                      MessageGroupId="g")
        self.assertNotEqual(other["MessageId"], first["MessageId"])
        got = self.receive(url, AttributeNames=["MessageDeduplicationId"])
        self.assertEqual([m["Body"] for m in got], ["hello world", "hello world!"])
        self.assertEqual(got[0]["Attributes"]["MessageDeduplicationId"],
                         hashlib.sha256(b"hello world").hexdigest())

    def test_send_errors(self):
        _, url = self.new_fifo("errors")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
        self.assertClientError(ctx, "MissingParameter", 400, NO_GROUP_TEXT)

        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "ok", "MessageBody": "a", "MessageGroupId": "g",
                 "MessageDeduplicationId": "d1"},
                {"Id": "bad", "MessageBody": "b", "MessageDeduplicationId": "d2"}])
        self.assertClientError(ctx, "InvalidParameterValue", 400, NO_GROUP_TEXT)

        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.send(url, "x", DelaySeconds=2)
        self.assertClientError(ctx, "InvalidParameterValue", 400, DELAY_TEXT % 2)

        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
        self.assertClientError(ctx, "InvalidParameterValue", 400, NO_DEDUP_TEXT)

        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "ok", "MessageBody": "a", "MessageGroupId": "g",
                 "MessageDeduplicationId": "d1"},
                {"Id": "bad", "MessageBody": "b", "MessageGroupId": "g"}])
        self.assertClientError(ctx, "InvalidParameterValue", 400, NO_DEDUP_TEXT)
        self.assertEqual(self.counts(url), (0, 0, 0), "nothing was enqueued")

        ok = self.send(url, "x", DelaySeconds=0)
        self.assertIn("SequenceNumber", ok)

    def test_queue_delay_applies(self):
        _, url = self.new_fifo("qdelay", {"DelaySeconds": "2"})
        self.send(url, "x")
        self.assertEqual(self.counts(url), (0, 0, 1))
        r = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
        self.assertEqual(len(r.get("Messages", [])), 1)

    def test_delay_zero_keeps_the_queue_delay(self):
        _, url = self.new_fifo("qdelay0", {"DelaySeconds": "5"})
        self.send(url, "x", DelaySeconds=0)
        self.assertEqual(self.counts(url), (0, 0, 1))

    # --- receiving ----------------------------------------------------------------------------

    def test_receive_system_attributes(self):
        _, url = self.new_fifo("recv")
        sent = self.send(url, "m1", group="grp-1", dedup="dd-1")
        got = self.receive(url, AttributeNames=["All"])
        self.assertEqual(len(got), 1)
        a = got[0]["Attributes"]
        self.assertEqual(a["MessageGroupId"], "grp-1")
        self.assertEqual(a["MessageDeduplicationId"], "dd-1")
        self.assertEqual(a["SequenceNumber"], sent["SequenceNumber"])

    def test_group_blocking(self):
        _, url = self.new_fifo("block")
        for b in ("a1", "a2", "a3"):
            self.send(url, b, group="g1")
        self.send(url, "b1", group="g2")
        head = self.receive(url, 1)
        self.assertEqual([m["Body"] for m in head], ["a1"])
        self.assertEqual([m["Body"] for m in self.receive(url)], ["b1"])
        self.assertEqual(self.receive(url), [])
        self.assertEqual(self.counts(url), (2, 2, 0))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=head[0]["ReceiptHandle"])
        self.assertEqual([m["Body"] for m in self.receive(url)], ["a2", "a3"])

    def test_delete_with_an_expired_handle(self):
        _, url = self.new_fifo("expired")
        self.send(url, "m1")
        m = self.receive(url, 1, VisibilityTimeout=60)[0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        self.assertClientError(ctx, "InvalidParameterValue", 400,
                               EXPIRED_TEXT % m["ReceiptHandle"])
        self.assertEqual(self.counts(url), (1, 0, 0))

    def test_receive_request_attempt_id(self):
        _, url = self.new_fifo("attempt")
        for b in ("a1", "a2", "a3"):
            self.send(url, b, group="g1")
        self.send(url, "b1", group="g2")
        kwargs = dict(VisibilityTimeout=60, ReceiveRequestAttemptId="attempt-1")
        first = self.receive(url, 2, **kwargs)
        self.assertEqual([m["Body"] for m in first], ["a1", "a2"])
        retry = self.receive(url, 2, **kwargs)
        self.assertEqual([m["ReceiptHandle"] for m in retry],
                         [m["ReceiptHandle"] for m in first])
        self.assertEqual(self.counts(url), (2, 2, 0))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
        self.assertEqual([m["Body"] for m in self.receive(url, 2, **kwargs)], ["b1"])

    # --- concurrent consumers -----------------------------------------------------------------

    def test_concurrent_consumers(self):
        """5 groups x 40 messages, 4 long-polling consumers deleting after "processing".

        A group counts as held from the moment a receive answer arrives until just before its
        delete is sent; that interval lies inside the server's in-flight interval, so an
        overlap seen here is a real one.
        """
        groups, per_group, consumers = 5, 40, 4
        total = groups * per_group
        _, url = self.new_fifo("mc")
        order = [(g, i) for i in range(per_group) for g in range(groups)]
        for k in range(0, total, 10):
            r = self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % j, "MessageBody": "g%d:%d" % (g, i),
                 "MessageGroupId": "g%d" % g, "MessageDeduplicationId": "g%d-%d" % (g, i)}
                for j, (g, i) in enumerate(order[k:k + 10])])
            self.assertEqual(r.get("Failed", []), [])

        lock = threading.Lock()
        held = {}
        processed = {"g%d" % g: [] for g in range(groups)}
        seen = set()
        violations = []
        errors = []
        state = {"done": 0}
        deadline = time.monotonic() + 90

        def consumer(cid):
            client = make_client()
            try:
                while time.monotonic() < deadline:
                    with lock:
                        if state["done"] >= total:
                            return
                    r = client.receive_message(
                        QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=2,
                        VisibilityTimeout=60, AttributeNames=["MessageGroupId"])
                    for m in r.get("Messages", []):
                        g = m["Attributes"]["MessageGroupId"]
                        with lock:
                            if g in held:
                                violations.append("consumer %d got %s while consumer %d holds it"
                                                  % (cid, m["Body"], held[g]))
                            held[g] = cid
                        time.sleep(random.random() * 0.004)  # "processing"
                        body_group, index = m["Body"].split(":")
                        with lock:
                            if body_group != g:
                                violations.append("%s reported group %s" % (m["Body"], g))
                            if m["MessageId"] in seen:
                                violations.append("%s processed twice" % m["Body"])
                            seen.add(m["MessageId"])
                            processed[g].append(int(index))
                            del held[g]
                        client.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
                        with lock:
                            state["done"] += 1
            except Exception as e:  # reported below; a thread must not die silently
                errors.append(repr(e))
            finally:
                client.close()

        threads = [threading.Thread(target=consumer, args=(c,)) for c in range(consumers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        self.assertEqual(violations, [])
        self.assertEqual(state["done"], total, "every message processed within the deadline")
        for g, indexes in processed.items():
            self.assertEqual(indexes, list(range(per_group)), "group %s in order, once" % g)
        self.assertEqual(self.counts(url), (0, 0, 0))


if __name__ == "__main__":
    unittest.main()

"""Dead-letter queues through boto3 1.26 (AWS Query protocol, botocore 1.29): a consumer that always
fails drives messages into the DLQ (sqs-api.md section 5.10), which carry DeadLetterQueueSourceArn;
RedrivePolicy / RedriveAllowPolicy round trips and errors (sections 3.2, 3.3, 6.3);
ListDeadLetterSourceQueues with paging (section 2.17). botocore 1.29 predates message move tasks, so
the redrive itself is covered by the Node.js suite (js/dlq.test.mjs)."""

import json
import time
import unittest

from wharf_helpers import (ACCOUNT, REGION, WharfTestCase, md5_hex, md5_of_message_attributes,
                           unique_name)


def arn_of(name):
    return "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name)


def redrive_policy(dlq_arn, max_receive_count):
    return json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count})


class DeadLetterQueueTest(WharfTestCase):

    def counts(self, url):
        a = self.queue_attrs(url, "ApproximateNumberOfMessages",
                             "ApproximateNumberOfMessagesNotVisible",
                             "ApproximateNumberOfMessagesDelayed")
        return (int(a["ApproximateNumberOfMessages"]),
                int(a["ApproximateNumberOfMessagesNotVisible"]),
                int(a["ApproximateNumberOfMessagesDelayed"]))

    def counts_soon(self, url, expected, timeout=10.0):
        """The counts once they equal `expected`, or the last ones after `timeout`."""
        deadline = time.monotonic() + timeout
        c = self.counts(url)
        while c != expected and time.monotonic() < deadline:
            time.sleep(0.05)
            c = self.counts(url)
        return c

    def failing_consumer(self, url, timeout=30.0):
        """Receives and never deletes until `url` is empty; returns every delivery."""
        deliveries = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                         AttributeNames=["All"])
            deliveries.extend(r.get("Messages", []))
            if self.counts(url) == (0, 0, 0):
                return deliveries
        self.fail("the failing consumer did not empty %s within %.0f s" % (url, timeout))

    def test_failing_consumer_moves_messages_to_the_dlq(self):
        dlq_name, dlq_url = self.new_queue("dlq")
        src_name, src_url = self.new_queue("src", attributes={
            "VisibilityTimeout": "1", "RedrivePolicy": redrive_policy(arn_of(dlq_name), 2)})
        attrs = {"Kind": {"DataType": "String", "StringValue": "poison"},
                 "Blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe"}}
        sent = {}
        for i in range(4):
            body = "failing-%d \r\n &<>" % i
            r = self.sqs.send_message(QueueUrl=src_url, MessageBody=body, MessageAttributes=attrs)
            self.assertEqual(r["MD5OfMessageAttributes"], md5_of_message_attributes(attrs))
            sent[body] = r["MessageId"]

        deliveries = self.failing_consumer(src_url)
        per_message = {}
        for m in deliveries:
            per_message[m["MessageId"]] = per_message.get(m["MessageId"], 0) + 1
            self.assertNotIn("DeadLetterQueueSourceArn", m.get("Attributes", {}))
        self.assertEqual(sorted(per_message.values()), [2, 2, 2, 2],
                         "each message is delivered maxReceiveCount times, then moved")
        self.assertEqual(self.counts(src_url), (0, 0, 0))
        # The DLQ takes a message once its move is durable (one group commit,
        # docs/guarantees.md): the last move may still be landing when the source is empty.
        self.assertEqual(self.counts_soon(dlq_url, (4, 0, 0)), (4, 0, 0))

        dead = self.receive_all(dlq_url, 4, AttributeNames=["All"], MessageAttributeNames=["All"],
                                VisibilityTimeout=60)
        self.assertEqual(len(dead), 4)
        self.assertEqual(sorted(m["Body"] for m in dead), sorted(sent))
        for m in dead:
            with self.subTest(body=m["Body"]):
                self.assertEqual(m["MessageId"], sent[m["Body"]])
                self.assertEqual(m["MD5OfBody"], md5_hex(m["Body"]))
                self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], arn_of(src_name))
                self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "3")
                self.assertEqual(m["MessageAttributes"]["Blob"]["BinaryValue"], b"\x00\x01\xfe")
                self.assertEqual(m["MD5OfMessageAttributes"], md5_of_message_attributes(attrs))
        self.assertEqual(self.counts(dlq_url), (0, 4, 0))
        for m in dead:
            self.sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
        self.assertEqual(self.counts(dlq_url), (0, 0, 0))

    def test_fifo_dlq_keeps_group_order(self):
        dlq_name, dlq_url = self._fifo("dlqf")
        src_name, src_url = self._fifo("srcf", {
            "VisibilityTimeout": "1", "RedrivePolicy": redrive_policy(arn_of(dlq_name), 1)})
        order = ["a", "b", "c"]
        for body in order:
            self.sqs.send_message(QueueUrl=src_url, MessageBody=body, MessageGroupId="g",
                                  MessageDeduplicationId=body)
        self.failing_consumer(src_url)
        r = self.sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10,
                                     AttributeNames=["All"])
        got = r.get("Messages", [])
        self.assertEqual([m["Body"] for m in got], order)
        for m in got:
            self.assertEqual(m["Attributes"]["MessageGroupId"], "g")
            self.assertEqual(m["Attributes"]["MessageDeduplicationId"], m["Body"])
            self.assertEqual(m["Attributes"]["DeadLetterQueueSourceArn"], arn_of(src_name))

    def _fifo(self, prefix, attributes=None):
        name = unique_name(prefix) + ".fifo"
        attrs = {"FifoQueue": "true"}
        attrs.update(attributes or {})
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self._queues.append(url)
        return name, url

    def test_redrive_policy_round_trip(self):
        dlq_name, _ = self.new_queue("dlq")
        _, src_url = self.new_queue("src")
        given = json.dumps({"maxReceiveCount": "5", "deadLetterTargetArn": arn_of(dlq_name)})
        self.sqs.set_queue_attributes(QueueUrl=src_url, Attributes={"RedrivePolicy": given})
        stored = self.queue_attrs(src_url, "RedrivePolicy")["RedrivePolicy"]
        self.assertEqual(json.loads(stored),
                         {"deadLetterTargetArn": arn_of(dlq_name), "maxReceiveCount": 5},
                         "section 3.2: maxReceiveCount comes back as a number")
        self.sqs.set_queue_attributes(QueueUrl=src_url, Attributes={"RedrivePolicy": ""})
        self.assertNotIn("RedrivePolicy", self.queue_attrs(src_url, "All"))

    def test_redrive_policy_errors(self):
        dlq_name, dlq_url = self.new_queue("dlq")
        fifo_name, _ = self._fifo("fdlq")
        _, src_url = self.new_queue("src")
        missing = redrive_policy(arn_of("missing-" + dlq_name), 3)
        cases = [
            (missing, "Dead letter target does not exist."),
            (redrive_policy(arn_of(dlq_name), 1001),
             "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both "
             "inclusive."),
            (redrive_policy(arn_of(dlq_name), 0),
             "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both "
             "inclusive."),
            (json.dumps({"deadLetterTargetArn": arn_of(dlq_name)}),
             "Redrive policy does not contain mandatory attribute: maxReceiveCount."),
            (json.dumps({"maxReceiveCount": 3}),
             "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."),
            (redrive_policy(arn_of(fifo_name), 3), None),  # a FIFO DLQ for a standard queue
        ]
        for policy, reason in cases:
            with self.subTest(policy=policy):
                with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
                    self.sqs.set_queue_attributes(QueueUrl=src_url,
                                                  Attributes={"RedrivePolicy": policy})
                message = None
                if reason is not None:
                    message = ("Value %s for parameter RedrivePolicy is invalid. Reason: %s"
                               % (policy, reason))
                self.assertClientError(ctx, "InvalidParameterValue", 400, message)
        self.assertNotIn("RedrivePolicy", self.queue_attrs(src_url, "All"))
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.new_queue("src", attributes={"RedrivePolicy": missing})
        self.assertClientError(ctx, "InvalidParameterValue", 400)

    def test_redrive_allow_policy(self):
        dlq_name, dlq_url = self.new_queue("dlq")
        a_name, a_url = self.new_queue("a")
        _, b_url = self.new_queue("b")
        policy = redrive_policy(arn_of(dlq_name), 3)
        by_a = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn_of(a_name)]})
        self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": by_a})
        self.assertEqual(self.queue_attrs(dlq_url, "RedriveAllowPolicy")["RedriveAllowPolicy"], by_a)
        self.sqs.set_queue_attributes(QueueUrl=a_url, Attributes={"RedrivePolicy": policy})
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=b_url, Attributes={"RedrivePolicy": policy})
        self.assertClientError(ctx, "InvalidParameterValue", 400)

        self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})})
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=b_url, Attributes={"RedrivePolicy": policy})
        self.assertClientError(ctx, "InvalidParameterValue", 400)

        for bad in ({"redrivePermission": "byQueue",
                     "sourceQueueArns": [arn_of("s%d" % i) for i in range(11)]},
                    {"redrivePermission": "allowAll", "sourceQueueArns": [arn_of(a_name)]},
                    {"redrivePermission": "byQueue"}):
            with self.subTest(policy=bad):
                with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
                    self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={
                        "RedriveAllowPolicy": json.dumps(bad)})
                self.assertClientError(ctx, "InvalidParameterValue", 400)

        self.sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={
            "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"})})
        self.sqs.set_queue_attributes(QueueUrl=b_url, Attributes={"RedrivePolicy": policy})

    def test_list_dead_letter_source_queues_with_paging(self):
        dlq_name, dlq_url = self.new_queue("dlq")
        _, other_dlq = self.new_queue("other")
        urls = sorted(self.new_queue("lsrc", attributes={
            "RedrivePolicy": redrive_policy(arn_of(dlq_name), 4)})[1] for _ in range(5))
        self.new_queue("unrelated")

        r = self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)
        self.assertEqual(r["queueUrls"], urls)
        self.assertNotIn("NextToken", r)

        pages, seen, token = [], [], None
        for _ in range(10):
            kwargs = {"QueueUrl": dlq_url, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            r = self.sqs.list_dead_letter_source_queues(**kwargs)
            pages.append(len(r["queueUrls"]))
            seen.extend(r["queueUrls"])
            token = r.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, [2, 2, 1])
        self.assertEqual(seen, urls)

        paginated = []
        for page in self.sqs.get_paginator("list_dead_letter_source_queues").paginate(
                QueueUrl=dlq_url, PaginationConfig={"PageSize": 3}):
            paginated.extend(page["queueUrls"])
        self.assertEqual(paginated, urls)

        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=other_dlq)
                         .get("queueUrls", []), [])
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.list_dead_letter_source_queues(QueueUrl=dlq_url, MaxResults=0)
        self.assertClientError(ctx, "InvalidParameterValue", 400)

    def test_list_dead_letter_source_queues_of_a_missing_queue(self):
        _, url = self.new_queue("gone")
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as ctx:
            self.sqs.list_dead_letter_source_queues(QueueUrl=url)
        self.assertClientError(ctx, "AWS.SimpleQueueService.NonExistentQueue", 400,
                               "The specified queue does not exist for this wsdl version.")


if __name__ == "__main__":
    unittest.main()

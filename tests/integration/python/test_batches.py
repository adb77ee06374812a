"""SendMessageBatch / DeleteMessageBatch / ChangeMessageVisibilityBatch through boto3."""

import unittest

from wharf_helpers import WharfTestCase, md5_hex, md5_of_message_attributes

INVALID_ID_TEXT = ("A batch entry id can only contain alphanumeric characters, hyphens and "
                   "underscores. It can be at most 80 letters long.")


class SendMessageBatchTest(WharfTestCase):

    def test_send_batch_success(self):
        _, url = self.new_queue("sbatch")
        attrs = {"Hello": {"DataType": "String", "StringValue": "There"}}
        entries = [
            {"Id": "a", "MessageBody": "first"},
            {"Id": "b-2", "MessageBody": "second\r\nline", "MessageAttributes": attrs},
            {"Id": "C_3", "MessageBody": "third \U0001F600", "DelaySeconds": 0},
        ]
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(resp.get("Failed", []), [])
        ok = {e["Id"]: e for e in resp["Successful"]}
        self.assertEqual(set(ok), {"a", "b-2", "C_3"})
        bodies = {}
        for entry in entries:
            r = ok[entry["Id"]]
            self.assertEqual(r["MD5OfMessageBody"], md5_hex(entry["MessageBody"]))
            self.assertTrue(r["MessageId"])
            bodies[r["MessageId"]] = entry["MessageBody"]
        self.assertEqual(ok["b-2"]["MD5OfMessageAttributes"], "a311262e065454b75da111d535b8dacd")
        self.assertNotIn("MD5OfMessageAttributes", ok["a"])
        self.assertEqual(len(bodies), 3, "message ids must be distinct")

        msgs = self.receive_all(url, 3, MessageAttributeNames=["All"])
        self.assertEqual({m["MessageId"]: m["Body"] for m in msgs}, bodies)
        for m in msgs:
            if m["Body"].startswith("second"):
                self.assertEqual(m["MessageAttributes"], attrs)
                self.assertEqual(m["MD5OfMessageAttributes"], md5_of_message_attributes(attrs))

    def test_send_batch_partial_failure(self):
        _, url = self.new_queue("partial", attributes={"MaximumMessageSize": "1024"})
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "MessageBody": "a" * 1024},
            {"Id": "big", "MessageBody": "a" * 1025},
            {"Id": "badchars", "MessageBody": "nul\x00char"},
        ])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(len(resp["Successful"]), 1)
        self.assertEqual(resp["Successful"][0]["Id"], "ok")
        self.assertEqual(resp["Successful"][0]["MD5OfMessageBody"],
                         "c9a34cfc85d982698c6ac89f76071abd")
        failed = {f["Id"]: f for f in resp["Failed"]}
        self.assertEqual(set(failed), {"big", "badchars"})
        self.assertEqual(failed["big"]["Code"], "InvalidParameterValue")
        self.assertIs(failed["big"]["SenderFault"], True)
        self.assertEqual(failed["big"].get("Message"),
                         "One or more parameters cannot be validated. Reason: Message must be "
                         "shorter than 1024 bytes.")
        self.assertEqual(failed["badchars"]["Code"], "InvalidMessageContents")
        self.assertIs(failed["badchars"]["SenderFault"], True)
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "1"})

    def test_too_many_entries(self):
        _, url = self.new_queue("toomany")
        entries = [{"Id": "e%d" % i, "MessageBody": "x"} for i in range(11)]
        with self.assertRaises(self.sqs.exceptions.TooManyEntriesInBatchRequest) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertClientError(ctx, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400,
                               "Maximum number of entries per request are 10. You have sent 11.")
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "0"})

    def test_empty_batch(self):
        _, url = self.new_queue("emptyb")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[])
        self.assertClientError(ctx, "AWS.SimpleQueueService.EmptyBatchRequest", 400)

    def test_entry_ids_not_distinct(self):
        _, url = self.new_queue("dupid")
        with self.assertRaises(self.sqs.exceptions.BatchEntryIdsNotDistinct) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "same", "MessageBody": "1"}, {"Id": "same", "MessageBody": "2"}])
        self.assertClientError(ctx, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400)
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "0"})

    def test_invalid_batch_entry_id(self):
        _, url = self.new_queue("badid")
        for bad in ("invalid:id", "has space", "x" * 81, "dot.id"):
            with self.subTest(id=bad):
                with self.assertRaises(self.sqs.exceptions.InvalidBatchEntryId) as ctx:
                    self.sqs.send_message_batch(QueueUrl=url, Entries=[
                        {"Id": "fine", "MessageBody": "1"}, {"Id": bad, "MessageBody": "2"}])
                self.assertClientError(ctx, "AWS.SimpleQueueService.InvalidBatchEntryId", 400,
                                       INVALID_ID_TEXT)
        # 80 characters is the maximum and fine.
        resp = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "y" * 80, "MessageBody": "ok"}])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["y" * 80])
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "1"})

    def test_batch_request_too_long(self):
        _, url = self.new_queue("toolong")
        entries = [{"Id": "a", "MessageBody": "a" * 600000},
                   {"Id": "b", "MessageBody": "b" * 600000}]
        with self.assertRaises(self.sqs.exceptions.BatchRequestTooLong) as ctx:
            self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertClientError(
            ctx, "AWS.SimpleQueueService.BatchRequestTooLong", 400,
            "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.")
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "0"})
        # Exactly 1 MiB in total is accepted.
        ok = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "a" * 524288}, {"Id": "b", "MessageBody": "b" * 524288}])
        self.assertEqual(len(ok["Successful"]), 2)
        self.assertEqual(ok.get("Failed", []), [])


class DeleteAndVisibilityBatchTest(WharfTestCase):

    def _two_in_flight(self, url):
        self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "1", "MessageBody": "one"}, {"Id": "2", "MessageBody": "two"}])
        msgs = self.receive_all(url, 2, VisibilityTimeout=60)
        self.assertEqual(len(msgs), 2)
        return msgs

    def test_delete_message_batch_with_invalid_handle(self):
        _, url = self.new_queue("dbatch")
        msgs = self._two_in_flight(url)
        resp = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "good0", "ReceiptHandle": msgs[0]["ReceiptHandle"]},
            {"Id": "good1", "ReceiptHandle": msgs[1]["ReceiptHandle"]},
            {"Id": "bad", "ReceiptHandle": "garbage"},
        ])
        self.assertEqual(sorted(e["Id"] for e in resp["Successful"]), ["good0", "good1"])
        self.assertEqual(len(resp["Failed"]), 1)
        f = resp["Failed"][0]
        self.assertEqual(f["Id"], "bad")
        self.assertEqual(f["Code"], "ReceiptHandleIsInvalid")
        self.assertIs(f["SenderFault"], True)
        self.assertEqual(f.get("Message"),
                         'The input receipt handle "garbage" is not a valid receipt handle.')
        attrs = self.queue_attrs(url, "ApproximateNumberOfMessages",
                                 "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0"})

    def test_delete_batch_request_level_errors(self):
        _, url = self.new_queue("dbatcherr")
        with self.assertRaises(self.sqs.exceptions.TooManyEntriesInBatchRequest) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": "e%d" % i, "ReceiptHandle": "h"} for i in range(11)])
        self.assertClientError(ctx, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400)
        with self.assertRaises(self.sqs.exceptions.BatchEntryIdsNotDistinct) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": "x", "ReceiptHandle": "h1"}, {"Id": "x", "ReceiptHandle": "h2"}])
        self.assertClientError(ctx, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400)
        with self.assertRaises(self.sqs.exceptions.InvalidBatchEntryId) as ctx:
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": "invalid:id", "ReceiptHandle": "h1"}])
        self.assertClientError(ctx, "AWS.SimpleQueueService.InvalidBatchEntryId", 400,
                               INVALID_ID_TEXT)

    def test_change_message_visibility_batch_with_invalid_handle(self):
        _, url = self.new_queue("cvbatch")
        msgs = self._two_in_flight(url)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        resp = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "good", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ])
        self.assertEqual([e["Id"] for e in resp["Successful"]], ["good"])
        self.assertEqual(len(resp["Failed"]), 1)
        f = resp["Failed"][0]
        self.assertEqual(f["Id"], "bad")
        self.assertEqual(f["Code"], "ReceiptHandleIsInvalid")
        self.assertIs(f["SenderFault"], True)
        # The first message is visible again right away, the second still in flight.
        again = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        got = again.get("Messages", [])
        self.assertEqual([m["MessageId"] for m in got], [msgs[0]["MessageId"]])
        self.assertEqual(got[0]["Body"], msgs[0]["Body"])


if __name__ == "__main__":
    unittest.main()

"""SendMessage / ReceiveMessage / DeleteMessage through boto3, incl. MD5s and message attributes."""

import re
import time
import unittest

from wharf_helpers import WharfTestCase, md5_hex, md5_of_message_attributes

UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
MD5_RE = r"^[0-9a-f]{32}$"


def s(v, t="String"):
    return {"DataType": t, "StringValue": v}


def b(v, t="Binary"):
    return {"DataType": t, "BinaryValue": v}


class SendReceiveDeleteTest(WharfTestCase):

    def test_send_receive_delete(self):
        _, url = self.new_queue("basic")
        body = "hello world"
        sent = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertRegex(sent["MessageId"], UUID_RE)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        self.assertEqual(sent["MD5OfMessageBody"], "5eb63bbbe01eeed093cb22bb8f5acdc3")
        self.assertNotIn("MD5OfMessageAttributes", sent)
        self.assertNotIn("MD5OfMessageSystemAttributes", sent)
        self.assertNotIn("SequenceNumber", sent)
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "1"})

        resp = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)
        msgs = resp.get("Messages", [])
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MD5OfBody"], md5_hex(body))
        self.assertTrue(m["ReceiptHandle"])
        self.assertNotIn("MessageAttributes", m)
        self.assertNotIn("MD5OfMessageAttributes", m)
        self.assertNotIn("Attributes", m)
        attrs = self.queue_attrs(url, "ApproximateNumberOfMessages",
                                 "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "1"})

        # In flight: a second receive sees nothing.
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        # Deleting again with the same handle is fine (idempotent).
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        attrs = self.queue_attrs(url, "ApproximateNumberOfMessages",
                                 "ApproximateNumberOfMessagesNotVisible")
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "0",
                                 "ApproximateNumberOfMessagesNotVisible": "0"})
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1))

    def test_receive_several_messages(self):
        _, url = self.new_queue("several")
        ids = {self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i)["MessageId"]
               for i in range(5)}
        one = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
        self.assertEqual(len(one.get("Messages", [])), 1, "default MaxNumberOfMessages is 1")
        resp = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        got = resp.get("Messages", [])
        self.assertEqual({m["MessageId"] for m in got}, ids)
        self.assertEqual(len({m["ReceiptHandle"] for m in got}), 5)

    def test_delete_with_garbage_receipt_handle(self):
        _, url = self.new_queue("garbage")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
        self.assertClientError(
            ctx, "ReceiptHandleIsInvalid", (400, 404),
            'The input receipt handle "garbage" is not a valid receipt handle.')
        self.assertIsInstance(ctx.exception, self.sqs.exceptions.ReceiptHandleIsInvalid)

    def test_receipt_handle_of_other_queue_is_invalid(self):
        _, url1 = self.new_queue("rh1")
        _, url2 = self.new_queue("rh2")
        self.sqs.send_message(QueueUrl=url1, MessageBody="x")
        m = self.sqs.receive_message(QueueUrl=url1, WaitTimeSeconds=2)["Messages"][0]
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.delete_message(QueueUrl=url2, ReceiptHandle=m["ReceiptHandle"])
        self.assertClientError(ctx, "ReceiptHandleIsInvalid", (400, 404))
        # The message in queue 1 was not touched.
        self.assertEqual(self.queue_attrs(url1, "ApproximateNumberOfMessagesNotVisible"),
                         {"ApproximateNumberOfMessagesNotVisible": "1"})


class BodyContentTest(WharfTestCase):

    BODIES = [
        "a\r\nb",
        "\r",
        "cr\ronly and crlf\r\n and lf\n end",
        'quote " and &quot; literal',
        "amp & lt < gt > apos ' done",
        "<xml attr=\"1\">&amp;</xml>",
        "]]> cdata end",
        "emoji \U0001F600 clef \U0001D11E",
        "\U0001F600",
        "tab\there",
        "private use \ue000 and \ufffd replacement",
        "h\u00e9llo \u2713",
        "plus+percent%20space %2B",
        "  leading and trailing spaces  ",
        'a\r\nb "q" & <x>',
        "x" * 5000,
    ]

    def test_bodies_round_trip_byte_exact(self):
        _, url = self.new_queue("bodies")
        sent = {}
        for body in self.BODIES:
            r = self.sqs.send_message(QueueUrl=url, MessageBody=body)
            self.assertEqual(r["MD5OfMessageBody"], md5_hex(body), repr(body))
            sent[r["MessageId"]] = body
        msgs = self.receive_all(url, len(sent))
        self.assertEqual(len(msgs), len(sent))
        for m in msgs:
            body = sent[m["MessageId"]]
            self.assertEqual(m["Body"], body, "body not byte-exact")
            self.assertEqual(m["MD5OfBody"], md5_hex(body), repr(body))

    def test_known_md5_of_crlf_body(self):
        _, url = self.new_queue("crlf")
        body = 'a\r\nb "q" & <x>'
        r = self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.assertEqual(r["MD5OfMessageBody"], "7a5e9ae9ce811a18c63b710d659d1492")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.assertEqual(m["Body"].encode("utf-8"), body.encode("utf-8"))
        self.assertEqual(m["MD5OfBody"], "7a5e9ae9ce811a18c63b710d659d1492")

    def test_invalid_characters_rejected(self):
        _, url = self.new_queue("badchars")
        for body in ("\x00", "a\x08b", "bell\x07", "unit\x1fsep", "\uffff", "x\ufffe"):
            with self.subTest(body=repr(body)):
                with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
                    self.sqs.send_message(QueueUrl=url, MessageBody=body)
                self.assertClientError(ctx, "InvalidMessageContents", 400)
                self.assertIsInstance(ctx.exception, self.sqs.exceptions.InvalidMessageContents)
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "0"})

    def test_empty_body_is_missing_parameter(self):
        _, url = self.new_queue("empty")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="")
        self.assertClientError(ctx, "MissingParameter", 400,
                               "The request must contain the parameter MessageBody.")

    def test_message_size_limit(self):
        _, url = self.new_queue("size", attributes={"MaximumMessageSize": "1024"})
        # Exactly the limit is accepted.
        self.sqs.send_message(QueueUrl=url, MessageBody="a" * 1024)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="a" * 1025)
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.")
        # The size is counted in UTF-8 bytes: 256 x 4-byte emoji = 1024 bytes is fine, one more
        # ASCII character is not.
        self.sqs.send_message(QueueUrl=url, MessageBody="\U0001F600" * 256)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="\U0001F600" * 256 + "a")
        self.assertClientError(ctx, "InvalidParameterValue", 400)
        # Attribute name + type + value count too: "k" + "String" + "x" = 8 bytes.
        attrs = {"k": s("x")}
        self.sqs.send_message(QueueUrl=url, MessageBody="a" * 1016, MessageAttributes=attrs)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="a" * 1017, MessageAttributes=attrs)
        self.assertClientError(ctx, "InvalidParameterValue", 400)
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "3"})

    def test_receive_max_number_of_messages_out_of_range(self):
        _, url = self.new_queue("maxnum")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=11)
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
            "and 10, if provided.")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=0)
        self.assertClientError(ctx, "InvalidParameterValue", 400)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=21)
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, "
            "if provided.")


class MessageAttributesTest(WharfTestCase):

    ATTRS = {
        "str": s("plain string"),
        "num": s("12345", "Number"),
        "flt": s("3.14159", "Number.float"),
        "bin": b(b"\x00\x01\x02\xff\xfe binary"),
        "gif": b(b"GIF89a\x01\x00\x01\x00\x00\xff", "Binary.gif"),
        "json": s('{"k": [1, 2, "three"], "crlf": "a\\r\\nb"}', "String.json"),
        "crlf": s("value with\r\nCRLF & <angle> \"quotes\""),
        "uni": s("\u00e9\u2713\U0001F600"),
    }

    def test_attributes_round_trip_with_md5(self):
        _, url = self.new_queue("mattr")
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="with attributes",
                                     MessageAttributes=self.ATTRS)
        expected_md5 = md5_of_message_attributes(self.ATTRS)
        self.assertEqual(sent["MD5OfMessageAttributes"], expected_md5)
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex("with attributes"))

        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2,
                                     MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["MessageAttributes"], self.ATTRS)
        self.assertEqual(m["MD5OfMessageAttributes"], expected_md5)
        self.assertEqual(md5_of_message_attributes(m["MessageAttributes"]),
                         m["MD5OfMessageAttributes"])
        self.assertIsInstance(m["MessageAttributes"]["bin"]["BinaryValue"], bytes)

    def test_worked_example_b_md5_on_send(self):
        _, url = self.new_queue("exb")
        attrs = {"City": s("Any City"), "Population": s("1250800", "Number"),
                 "Weight": s("3.14", "Number.float")}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="hello world",
                                     MessageAttributes=attrs)
        self.assertEqual(sent["MD5OfMessageAttributes"], "37be9c66a26f6493892520be4c5f3abe")

    def test_system_attribute_trace_header_md5(self):
        _, url = self.new_queue("sysattr")
        trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        sent = self.sqs.send_message(
            QueueUrl=url, MessageBody="traced",
            MessageSystemAttributes={"AWSTraceHeader": s(trace)})
        self.assertEqual(sent["MD5OfMessageSystemAttributes"], "5ae4d5d7636402d80f4eb6d213245a88")
        self.assertNotIn("MD5OfMessageAttributes", sent)
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2,
                                     AttributeNames=["AWSTraceHeader"])["Messages"][0]
        self.assertEqual(m.get("Attributes"), {"AWSTraceHeader": trace})

    def test_attribute_name_filtering(self):
        _, url = self.new_queue("filter")
        attrs = {"Help.Me": s("Me"), "Hello": s("There"), "General": s("Kenobi")}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="filter me",
                                     MessageAttributes=attrs)
        self.assertEqual(sent["MD5OfMessageAttributes"], "4c360f3fdafd970e05fae2f149d997f5")
        cases = [
            (["All"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
            ([".*"], ["General", "Hello", "Help.Me"], "4c360f3fdafd970e05fae2f149d997f5"),
            (["Hel.*"], ["Hello", "Help.Me"], "83fee93c1bcd8b9a5a923ffacdc636c7"),
            (["General", "Hello"], ["General", "Hello"], "fca026605781cb4126a1e9044df24232"),
            (["Hello", "NoSuchName"], ["Hello"], "a311262e065454b75da111d535b8dacd"),
            (["NoSuchName"], [], None),
            (None, [], None),
        ]
        for names, expected_names, expected_md5 in cases:
            with self.subTest(names=names):
                kwargs = {"QueueUrl": url, "WaitTimeSeconds": 5, "VisibilityTimeout": 0}
                if names is not None:
                    kwargs["MessageAttributeNames"] = names
                msgs = self.sqs.receive_message(**kwargs).get("Messages", [])
                self.assertEqual(len(msgs), 1)
                m = msgs[0]
                got = m.get("MessageAttributes", {})
                self.assertEqual(sorted(got), expected_names)
                for k in expected_names:
                    self.assertEqual(got[k], attrs[k])
                if expected_md5 is None:
                    self.assertNotIn("MD5OfMessageAttributes", m)
                else:
                    self.assertEqual(m.get("MD5OfMessageAttributes"), expected_md5)
                    self.assertEqual(md5_of_message_attributes(got), expected_md5)

    def test_invalid_attributes(self):
        _, url = self.new_queue("badattr")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="x",
                                  MessageAttributes={"ErrorDetails": s("")})
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type "
            "'String'.")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="x",
                                  MessageAttributes={"n": s("not-a-number", "Number")})
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Can't cast the value of message (user) attribute 'n' to a number.")
        bad = [
            {"AWS.reserved": s("v")},
            {"amazon.reserved": s("v")},
            {".leading": s("v")},
            {"trailing.": s("v")},
            {"double..dot": s("v")},
            {"bad!name": s("v")},
            {"x" * 257: s("v")},
            {"t": s("v", "Invalid")},
            {"ctl": s("a\x08b")},
            {"many%d" % i: s("v") for i in range(11)},
        ]
        for attrs in bad:
            with self.subTest(attrs=sorted(attrs)[:2]):
                with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
                    self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attrs)
                self.assertClientError(ctx, "InvalidParameterValue", 400)
        self.assertEqual(self.queue_attrs(url, "ApproximateNumberOfMessages"),
                         {"ApproximateNumberOfMessages": "0"})


class StandardQueueGroupAndDedupTest(WharfTestCase):

    def test_message_group_id_on_standard_queue(self):
        _, url = self.new_queue("fair")
        self.sqs.send_message(QueueUrl=url, MessageBody="tenant", MessageGroupId="tenant-1")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2,
                                     AttributeNames=["All"])["Messages"][0]
        self.assertEqual(m["Attributes"].get("MessageGroupId"), "tenant-1")
        self.assertNotIn("SequenceNumber", m["Attributes"])

    def test_deduplication_id_on_standard_queue_is_rejected(self):
        _, url = self.new_queue("nodedup")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d1")
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Value d1 for parameter MessageDeduplicationId is invalid. Reason: The request "
            "include parameter that is not valid for this queue type.")

    def test_bad_message_group_id(self):
        _, url = self.new_queue("badgroup")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="has space")
        self.assertClientError(
            ctx, "InvalidParameterValue", 400,
            "Value has space for parameter MessageGroupId is invalid. Reason: MessageGroupId can "
            "only include alphanumeric and punctuation characters. 1 to 128 in length.")

class SystemAttributesTest(WharfTestCase):

    def test_receive_system_attributes(self):
        _, url = self.new_queue("sys")
        t0 = int(time.time() * 1000)
        self.sqs.send_message(QueueUrl=url, MessageBody="sys attrs")
        t1 = int(time.time() * 1000)
        time.sleep(0.3)
        r0 = int(time.time() * 1000)
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, VisibilityTimeout=0,
                                     AttributeNames=["All"])["Messages"][0]
        r1 = int(time.time() * 1000)
        a = m["Attributes"]
        self.assertEqual(set(a), {"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount",
                                  "SenderId", "SentTimestamp"})
        self.assertEqual(a["ApproximateReceiveCount"], "1")
        self.assertTrue(a["SenderId"])
        self.assertRegex(a["SentTimestamp"], r"^\d{13}$", "SentTimestamp must be epoch ms")
        self.assertRegex(a["ApproximateFirstReceiveTimestamp"], r"^\d{13}$")
        sent_ts = int(a["SentTimestamp"])
        first_ts = int(a["ApproximateFirstReceiveTimestamp"])
        self.assertGreaterEqual(sent_ts, t0 - 2000)
        self.assertLessEqual(sent_ts, t1 + 2000)
        self.assertGreaterEqual(first_ts, r0 - 2000)
        self.assertLessEqual(first_ts, r1 + 2000)
        self.assertGreaterEqual(first_ts, sent_ts)

        # Second receive: count 2, first-receive timestamp unchanged.
        m2 = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                      AttributeNames=["All"])["Messages"][0]
        self.assertEqual(m2["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(m2["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         a["ApproximateFirstReceiveTimestamp"])
        self.assertEqual(m2["Attributes"]["SentTimestamp"], a["SentTimestamp"])
        self.assertNotEqual(m2["ReceiptHandle"], m["ReceiptHandle"])

    def test_single_system_attribute_requested(self):
        _, url = self.new_queue("sys1")
        self.sqs.send_message(QueueUrl=url, MessageBody="x")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, VisibilityTimeout=0,
                                     AttributeNames=["SenderId"])["Messages"][0]
        self.assertEqual(set(m.get("Attributes", {})), {"SenderId"})
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, VisibilityTimeout=0,
                                     AttributeNames=["SequenceNumber"])["Messages"][0]
        self.assertEqual(m.get("Attributes", {}), {},
                         "SequenceNumber does not apply to a standard queue")
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2, AttributeNames=[
            "ApproximateReceiveCount", "SentTimestamp"])["Messages"][0]
        self.assertEqual(set(m["Attributes"]), {"ApproximateReceiveCount", "SentTimestamp"})
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "3")


if __name__ == "__main__":
    unittest.main()

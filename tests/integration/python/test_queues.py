"""Queue lifecycle, attributes and tags through boto3 (AWS Query protocol, botocore 1.29)."""

import json
import re
import time
import unittest
import urllib.parse

from wharf_helpers import ACCOUNT, REGION, WharfTestCase, endpoint, error_of, unique_name

DEFAULT_STANDARD_ALL = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "DelaySeconds",
    "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod", "QueueArn",
    "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout",
}


class QueueLifecycleTest(WharfTestCase):

    def test_create_queue_returns_url_of_expected_shape(self):
        name, url = self.new_queue("shape")
        ep = urllib.parse.urlsplit(endpoint())
        # The scheme the client used: https:// on the TLS listener (security.md 5.2).
        self.assertRegex(url, r"^%s://[^/:]+:\d+/%s/%s$" % (ep.scheme, ACCOUNT, re.escape(name)))
        self.assertEqual(urllib.parse.urlsplit(url).netloc, ep.netloc,
                         "queue URL should use the host:port the client used")
        self.assertEqual(url, "%s/%s/%s" % (endpoint(), ACCOUNT, name))

    def test_create_is_idempotent_and_get_queue_url_matches(self):
        name, url = self.new_queue("idem", attributes={"VisibilityTimeout": "45"})
        again = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.assertEqual(again, url)
        same = self.sqs.create_queue(QueueName=name,
                                     Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
        self.assertEqual(same, url)
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)

    def test_create_with_differing_attribute_is_queue_already_exists(self):
        name, _ = self.new_queue("differ", attributes={"VisibilityTimeout": "45"})
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "46"})
        self.assertClientError(
            ctx, "QueueAlreadyExists", 400,
            "A queue already exists with the same name and a different value for attribute "
            "VisibilityTimeout")
        self.assertIsInstance(ctx.exception, self.sqs.exceptions.QueueNameExists)

    def test_create_compares_against_current_attribute_values(self):
        name, url = self.new_queue("current")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
        self.assertEqual(self.sqs.create_queue(QueueName=name,
                                               Attributes={"DelaySeconds": "5"})["QueueUrl"], url)
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "0"})
        self.assertClientError(ctx, "QueueAlreadyExists", 400)

    def test_get_queue_url_of_missing_queue(self):
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as ctx:
            self.sqs.get_queue_url(QueueName=unique_name("missing"))
        self.assertClientError(ctx, "AWS.SimpleQueueService.NonExistentQueue", 400,
                               "The specified queue does not exist for this wsdl version.")

    def test_actions_on_missing_queue_url(self):
        url = "%s/%s/%s" % (endpoint(), ACCOUNT, unique_name("missing"))
        for call in (lambda: self.sqs.send_message(QueueUrl=url, MessageBody="x"),
                     lambda: self.sqs.receive_message(QueueUrl=url),
                     lambda: self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]),
                     lambda: self.sqs.delete_queue(QueueUrl=url)):
            with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as ctx:
                call()
            self.assertClientError(ctx, "AWS.SimpleQueueService.NonExistentQueue", 400)

    def test_invalid_queue_name(self):
        for bad in ("has space", "slash/name", "x" * 81, "dot.name"):
            with self.subTest(name=bad):
                with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
                    self.sqs.create_queue(QueueName=bad)
                self.assertClientError(ctx, "InvalidParameterValue", 400)

    def test_fifo_queue_attribute_on_standard_queue_is_rejected(self):
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=unique_name("notfifo"),
                                  Attributes={"FifoQueue": "false"})
        self.assertClientError(ctx, "InvalidAttributeName", 400, "Unknown Attribute FifoQueue.")

    def test_list_queues_with_prefix(self):
        prefix = unique_name("lst")
        urls = []
        for i in range(3):
            url = self.sqs.create_queue(QueueName="%s-%d" % (prefix, i))["QueueUrl"]
            self._queues.append(url)
            urls.append(url)
        other, _ = self.new_queue("other")
        resp = self.sqs.list_queues(QueueNamePrefix=prefix)
        self.assertEqual(sorted(resp.get("QueueUrls", [])), sorted(urls))
        self.assertNotIn("NextToken", resp)
        # A prefix matching nothing: QueueUrls omitted (or empty).
        resp = self.sqs.list_queues(QueueNamePrefix=unique_name("nomatch"))
        self.assertEqual(resp.get("QueueUrls", []), [])
        # Unfiltered listing contains our queues.
        all_urls = self.sqs.list_queues().get("QueueUrls", [])
        for url in urls:
            self.assertIn(url, all_urls)

    def test_list_queues_paging(self):
        prefix = unique_name("page")
        urls = []
        for i in range(5):
            url = self.sqs.create_queue(QueueName="%s-%d" % (prefix, i))["QueueUrl"]
            self._queues.append(url)
            urls.append(url)
        seen = []
        pages = []
        token = None
        for _ in range(10):
            kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            resp = self.sqs.list_queues(**kwargs)
            page = resp.get("QueueUrls", [])
            pages.append(len(page))
            seen.extend(page)
            token = resp.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, [2, 2, 1])
        self.assertEqual(sorted(seen), sorted(urls))
        self.assertEqual(len(set(seen)), 5)
        # MaxResults larger than what remains after the first page: no token on the last page.
        first = self.sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
        rest = self.sqs.list_queues(QueueNamePrefix=prefix, MaxResults=10,
                                    NextToken=first["NextToken"])
        self.assertEqual(len(rest.get("QueueUrls", [])), 3)
        self.assertNotIn("NextToken", rest)
        self.assertEqual(sorted(first["QueueUrls"] + rest["QueueUrls"]), sorted(urls))

    def test_delete_queue_and_recreate_too_soon(self):
        name, url = self.new_queue("del")
        self.sqs.send_message(QueueUrl=url, MessageBody="gone")
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as ctx:
            self.sqs.get_queue_url(QueueName=name)
        self.assertClientError(ctx, "AWS.SimpleQueueService.NonExistentQueue", 400)
        self.assertNotIn(url, self.sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []))
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=name)
        self.assertClientError(
            ctx, "AWS.SimpleQueueService.QueueDeletedRecently", 400,
            "You must wait 60 seconds after deleting a queue before you can create another "
            "with the same name.")
        self.assertIsInstance(ctx.exception, self.sqs.exceptions.QueueDeletedRecently)


class QueueAttributesTest(WharfTestCase):

    def test_get_all_defaults_of_standard_queue(self):
        before = int(time.time())
        name, url = self.new_queue("attrs")
        after = int(time.time())
        attrs = self.queue_attrs(url, "All")
        self.assertEqual(set(attrs), DEFAULT_STANDARD_ALL)
        for k, v in attrs.items():
            self.assertIsInstance(v, str, k)
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesDelayed"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")
        self.assertEqual(attrs["DelaySeconds"], "0")
        self.assertEqual(attrs["MaximumMessageSize"], "1048576")
        self.assertEqual(attrs["MessageRetentionPeriod"], "345600")
        self.assertEqual(attrs["ReceiveMessageWaitTimeSeconds"], "0")
        self.assertEqual(attrs["VisibilityTimeout"], "30")
        self.assertEqual(attrs["SqsManagedSseEnabled"], "true")
        self.assertEqual(attrs["QueueArn"], "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, name))
        for ts in ("CreatedTimestamp", "LastModifiedTimestamp"):
            self.assertRegex(attrs[ts], r"^\d{10}$", "%s must be epoch seconds" % ts)
            self.assertGreaterEqual(int(attrs[ts]), before - 5)
            self.assertLessEqual(int(attrs[ts]), after + 5)

    def test_get_selected_attributes_only(self):
        _, url = self.new_queue("sel")
        attrs = self.queue_attrs(url, "VisibilityTimeout", "DelaySeconds")
        self.assertEqual(attrs, {"VisibilityTimeout": "30", "DelaySeconds": "0"})
        # Policy is not set: simply omitted.
        self.assertEqual(self.queue_attrs(url, "Policy"), {})
        # No names: empty result, not an error.
        resp = self.sqs.get_queue_attributes(QueueUrl=url)
        self.assertEqual(resp.get("Attributes", {}), {})

    def test_create_with_attributes_and_set_round_trip(self):
        _, url = self.new_queue("rt", attributes={"VisibilityTimeout": "45",
                                                  "MaximumMessageSize": "2048"})
        attrs = self.queue_attrs(url, "All")
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(attrs["MaximumMessageSize"], "2048")
        created = int(attrs["CreatedTimestamp"])
        time.sleep(1.1)
        new = {"VisibilityTimeout": "60", "DelaySeconds": "3", "MessageRetentionPeriod": "600",
               "ReceiveMessageWaitTimeSeconds": "4", "MaximumMessageSize": "1024"}
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes=new)
        attrs = self.queue_attrs(url, "All")
        for k, v in new.items():
            self.assertEqual(attrs[k], v, k)
        self.assertEqual(int(attrs["CreatedTimestamp"]), created)
        self.assertGreater(int(attrs["LastModifiedTimestamp"]), created,
                           "SetQueueAttributes must update LastModifiedTimestamp")

    def test_policy_attribute_round_trip_and_removal(self):
        name, url = self.new_queue("pol")
        arn = self.queue_attrs(url, "QueueArn")["QueueArn"]
        policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                  '"Principal":{"AWS":"arn:aws:iam::000000000000:root"},'
                  '"Action":"sqs:SendMessage","Resource":"%s"}]}' % arn)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        got = self.queue_attrs(url, "Policy")
        self.assertIn("Policy", got)
        self.assertEqual(json.loads(got["Policy"]), json.loads(policy))
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        self.assertNotIn("Policy", self.queue_attrs(url, "All"))

    def test_unknown_attribute_name(self):
        _, url = self.new_queue("unk")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["NoSuchAttribute"])
        self.assertClientError(ctx, "InvalidAttributeName", 400,
                               "Unknown Attribute NoSuchAttribute.")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"NoSuchAttribute": "1"})
        self.assertClientError(ctx, "InvalidAttributeName", 400,
                               "Unknown Attribute NoSuchAttribute.")
        with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
            self.sqs.create_queue(QueueName=unique_name("unk"),
                                  Attributes={"NoSuchAttribute": "1"})
        self.assertClientError(ctx, "InvalidAttributeName", 400,
                               "Unknown Attribute NoSuchAttribute.")

    def test_out_of_range_attribute_value(self):
        _, url = self.new_queue("range")
        for name, value in (("VisibilityTimeout", "43201"), ("DelaySeconds", "901"),
                            ("MaximumMessageSize", "1023"), ("MessageRetentionPeriod", "59"),
                            ("ReceiveMessageWaitTimeSeconds", "21"),
                            ("VisibilityTimeout", "abc")):
            with self.subTest(name=name, value=value):
                with self.assertRaises(self.sqs.exceptions.ClientError) as ctx:
                    self.sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
                self.assertClientError(ctx, "InvalidAttributeValue", 400)
        self.assertEqual(self.queue_attrs(url, "VisibilityTimeout"), {"VisibilityTimeout": "30"})


class QueueTagsTest(WharfTestCase):

    def test_tags_round_trip(self):
        _, url = self.new_queue("tags", tags={"env": "dev", "team": "core"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"),
                         {"env": "dev", "team": "core"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "Env": "x", "empty": ""})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"),
                         {"env": "prod", "Env": "x", "team": "core", "empty": ""})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "no-such-key"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags"),
                         {"env": "prod", "Env": "x", "empty": ""})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env", "Env", "empty"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url).get("Tags", {}), {})

    def test_tags_on_missing_queue(self):
        url = "%s/%s/%s" % (endpoint(), ACCOUNT, unique_name("missing"))
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as ctx:
            self.sqs.list_queue_tags(QueueUrl=url)
        self.assertClientError(ctx, "AWS.SimpleQueueService.NonExistentQueue", 400)


if __name__ == "__main__":
    unittest.main()

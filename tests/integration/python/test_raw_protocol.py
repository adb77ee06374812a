"""Wire-level checks with urllib (requests SigV4-signed by botocore): Query XML and JSON 1.0."""

import datetime
import email.utils
import os
import unittest
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from wharf_helpers import (ACCOUNT, XMLNS, WharfTestCase, endpoint, json_request, md5_hex,
                           query_get, query_post, raw_request, ssl_context, unique_name, xml_find,
                           xml_findall)

RFC7231_RE = (r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
              r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$")
UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class RawProtocolTest(WharfTestCase):

    def assertCommonHeaders(self, resp):
        rid = resp.headers.get("x-amzn-RequestId")
        self.assertTrue(rid, "x-amzn-RequestId header missing (status %d)" % resp.status)
        date = resp.headers.get("Date")
        self.assertTrue(date, "Date header missing")
        self.assertRegex(date, RFC7231_RE)
        parsed = email.utils.parsedate_to_datetime(date)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((parsed - now).total_seconds()), 60, "Date header must be accurate")
        return rid

    def assertQueryError(self, resp, status, code, message=None):
        self.assertEqual(resp.status, status, resp.text)
        self.assertTrue(resp.headers.get("Content-Type", "").startswith("text/xml"),
                        resp.headers.get("Content-Type"))
        rid = self.assertCommonHeaders(resp)
        root = ET.fromstring(resp.body)
        self.assertEqual(root.tag, "{%s}ErrorResponse" % XMLNS)
        err = xml_find(root, "Error")
        self.assertIsNotNone(err, "<Error> missing")
        self.assertEqual(xml_find(err, "Type").text, "Sender")
        self.assertEqual(xml_find(err, "Code").text, code)
        if message is not None:
            self.assertEqual(xml_find(err, "Message").text, message)
        else:
            self.assertTrue(xml_find(err, "Message").text)
        detail = xml_find(err, "Detail")
        self.assertIsNotNone(detail, "<Detail/> missing")
        self.assertFalse((detail.text or "").strip())
        self.assertEqual(len(list(detail)), 0)
        req_id = xml_find(root, "RequestId")
        self.assertIsNotNone(req_id, "<RequestId> must be a direct child of <ErrorResponse>")
        self.assertEqual(req_id.text, rid)
        return root

    # --- Query protocol -----------------------------------------------------------------

    def test_query_get_on_queue_url_path(self):
        name, url = self.new_queue("rawget")
        resp = query_get("/%s/%s" % (ACCOUNT, name),
                         {"Action": "SendMessage", "MessageBody": "x"})
        self.assertEqual(resp.status, 200, resp.text)
        self.assertTrue(resp.headers.get("Content-Type", "").startswith("text/xml"))
        rid = self.assertCommonHeaders(resp)
        root = ET.fromstring(resp.body)
        self.assertEqual(root.tag, "{%s}SendMessageResponse" % XMLNS)
        self.assertEqual(xml_find(root, "SendMessageResult/MD5OfMessageBody").text, md5_hex("x"))
        mid = xml_find(root, "SendMessageResult/MessageId").text
        self.assertEqual(xml_find(root, "ResponseMetadata/RequestId").text, rid)
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.assertEqual(m["Body"], "x")
        self.assertEqual(m["MessageId"], mid)

    def test_query_post_without_version_and_with_space_encodings(self):
        name, url = self.new_queue("rawpost")
        body = "Action=SendMessage&QueueUrl=%s&MessageBody=a+b%%20c%%2Bd" % (
            url.replace(":", "%3A").replace("/", "%2F"))
        resp = raw_request("POST", "/", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        self.assertEqual(resp.status, 200, resp.text)
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.assertEqual(m["Body"], "a b c+d")

    def test_query_presigned_get(self):
        name, url = self.new_queue("rawpresign")
        full = "%s/%s/%s?%s" % (endpoint(), ACCOUNT, name, urllib.parse.urlencode(
            {"Action": "SendMessage", "MessageBody": "presigned body", "Version": "2012-11-05"}))
        req = AWSRequest(method="GET", url=full)
        SigV4QueryAuth(Credentials(os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                                   os.environ.get("AWS_SECRET_ACCESS_KEY", "test")),
                       "sqs", "us-east-1", expires=300).add_auth(req)
        self.assertIn("X-Amz-Signature=", req.url)
        with urllib.request.urlopen(req.url, timeout=30, context=ssl_context()) as r:
            self.assertEqual(r.status, 200)
            root = ET.fromstring(r.read())
        self.assertEqual(xml_find(root, "SendMessageResult/MD5OfMessageBody").text,
                         md5_hex("presigned body"))
        m = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]
        self.assertEqual(m["Body"], "presigned body")

    def test_query_queue_url_parameter_overrides_path(self):
        name1, url1 = self.new_queue("rawpath1")
        name2, url2 = self.new_queue("rawpath2")
        resp = query_post({"Action": "SendMessage", "QueueUrl": url2, "MessageBody": "to two",
                           "Version": "2012-11-05"}, path="/%s/%s" % (ACCOUNT, name1))
        self.assertEqual(resp.status, 200, resp.text)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url1))
        m = self.sqs.receive_message(QueueUrl=url2, WaitTimeSeconds=2)["Messages"][0]
        self.assertEqual(m["Body"], "to two")

    def test_query_unknown_action(self):
        resp = query_post({"Action": "FooBar", "Version": "2012-11-05"})
        self.assertQueryError(resp, 400, "InvalidAction",
                              "The action FooBar is not valid for this endpoint.")

    def test_query_create_queue_on_queue_url_path_is_invalid_action(self):
        name, _ = self.new_queue("rawcq")
        resp = query_post({"Action": "CreateQueue", "QueueName": unique_name("nope"),
                           "Version": "2012-11-05"}, path="/%s/%s" % (ACCOUNT, name))
        self.assertQueryError(resp, 400, "InvalidAction",
                              "The action CreateQueue is not valid for this endpoint.")

    def test_query_error_for_missing_queue(self):
        resp = query_post({"Action": "GetQueueUrl", "QueueName": unique_name("missing"),
                           "Version": "2012-11-05"})
        self.assertQueryError(resp, 400, "AWS.SimpleQueueService.NonExistentQueue",
                              "The specified queue does not exist for this wsdl version.")
        self.assertIsNone(resp.headers.get("x-amzn-query-error"))

    def test_query_empty_receive_keeps_result_element(self):
        _, url = self.new_queue("rawempty")
        resp = query_post({"Action": "ReceiveMessage", "QueueUrl": url, "Version": "2012-11-05"})
        self.assertEqual(resp.status, 200, resp.text)
        root = ET.fromstring(resp.body)
        self.assertEqual(root.tag, "{%s}ReceiveMessageResponse" % XMLNS)
        result = xml_find(root, "ReceiveMessageResult")
        self.assertIsNotNone(result, "<ReceiveMessageResult/> must be present even when empty")
        self.assertEqual(len(list(result)), 0)
        self.assertIsNotNone(xml_find(root, "ResponseMetadata/RequestId"))

    def test_query_xml_escapes_carriage_return_and_quotes(self):
        _, url = self.new_queue("rawcr")
        body = 'a\r\nb "q" & <x>'
        self.sqs.send_message(QueueUrl=url, MessageBody=body)
        resp = query_post({"Action": "ReceiveMessage", "QueueUrl": url, "WaitTimeSeconds": "2",
                           "Version": "2012-11-05"})
        self.assertEqual(resp.status, 200, resp.text)
        text = resp.text
        self.assertNotIn("\r", text, "a literal CR in XML text is normalised away by parsers")
        self.assertIn("a&#xD;\nb &quot;q&quot; &amp; &lt;x&gt;</Body>", text)
        root = ET.fromstring(resp.body)
        msg = xml_find(root, "ReceiveMessageResult/Message")
        self.assertEqual(xml_find(msg, "Body").text, body)
        self.assertEqual(xml_find(msg, "MD5OfBody").text, "7a5e9ae9ce811a18c63b710d659d1492")

    def test_query_bare_request_on_queue_url_without_action(self):
        name, _ = self.new_queue("rawbare")
        resp = raw_request("GET", "/%s/%s" % (ACCOUNT, name))
        self.assertEqual(resp.status, 404, resp.text)
        self.assertIn("<UnknownOperationException/>", resp.text)

    def test_query_list_queues_xml_shape(self):
        prefix = unique_name("rawlist")
        urls = sorted(self.sqs.create_queue(QueueName="%s-%d" % (prefix, i))["QueueUrl"]
                      for i in range(2))
        self._queues.extend(urls)
        resp = query_post({"Action": "ListQueues", "QueueNamePrefix": prefix,
                           "Version": "2012-11-05"})
        self.assertEqual(resp.status, 200, resp.text)
        root = ET.fromstring(resp.body)
        found = sorted(e.text for e in xml_findall(root, "ListQueuesResult/QueueUrl"))
        self.assertEqual(found, urls)

    # --- JSON protocol ------------------------------------------------------------------

    def test_json_missing_queue_error(self):
        resp = json_request("GetQueueUrl", {"QueueName": unique_name("missing")})
        self.assertEqual(resp.status, 400, resp.text)
        self.assertCommonHeaders(resp)
        self.assertEqual(resp.headers.get("x-amzn-query-error"),
                         "AWS.SimpleQueueService.NonExistentQueue;Sender")
        self.assertTrue(resp.headers.get("Content-Type", "").startswith(
            "application/x-amz-json-1.0"), resp.headers.get("Content-Type"))
        self.assertEqual(resp.json(), {"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                                       "message": "The specified queue does not exist."})

    def test_json_success_round_trip(self):
        name, url = self.new_queue("rawjson")
        resp = json_request("GetQueueUrl", {"QueueName": name})
        self.assertEqual(resp.status, 200, resp.text)
        self.assertCommonHeaders(resp)
        self.assertEqual(resp.json(), {"QueueUrl": url})

        body = 'json a\r\nb "q" & <x> \U0001F600'
        attrs = {"Hello": {"DataType": "String", "StringValue": "There"}}
        resp = json_request("SendMessage", {"QueueUrl": url, "MessageBody": body,
                                            "MessageAttributes": attrs})
        self.assertEqual(resp.status, 200, resp.text)
        sent = resp.json()
        self.assertEqual(sent["MD5OfMessageBody"], md5_hex(body))
        self.assertEqual(sent["MD5OfMessageAttributes"], "a311262e065454b75da111d535b8dacd")

        resp = json_request("ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 2,
                                               "MessageAttributeNames": ["All"],
                                               "AttributeNames": ["ApproximateReceiveCount"]})
        self.assertEqual(resp.status, 200, resp.text)
        msgs = resp.json()["Messages"]
        self.assertEqual(len(msgs), 1)
        m = msgs[0]
        self.assertEqual(m["Body"], body)
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["MD5OfBody"], md5_hex(body))
        self.assertEqual(m["Attributes"], {"ApproximateReceiveCount": "1"})
        self.assertEqual(m["MessageAttributes"], attrs)

        # Empty receive: {} (Messages omitted).
        resp = json_request("ReceiveMessage", {"QueueUrl": url})
        self.assertEqual(resp.status, 200, resp.text)
        self.assertEqual(resp.json(), {})

    def test_json_invalid_parameter_value_error(self):
        _, url = self.new_queue("rawjsonerr")
        resp = json_request("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 11})
        self.assertEqual(resp.status, 400, resp.text)
        self.assertEqual(resp.headers.get("x-amzn-query-error"), "InvalidParameterValue;Sender")
        data = resp.json()
        self.assertEqual(data["__type"].split("#")[-1], "InvalidParameterValueException")
        self.assertEqual(data["message"],
                         "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                         "between 1 and 10, if provided.")

    # --- Misc ---------------------------------------------------------------------------

    def test_every_response_has_request_id_and_date(self):
        name, url = self.new_queue("rawhdr")
        responses = [
            query_post({"Action": "GetQueueUrl", "QueueName": name, "Version": "2012-11-05"}),
            query_post({"Action": "GetQueueUrl", "QueueName": unique_name("missing"),
                        "Version": "2012-11-05"}),
            query_post({"Action": "FooBar"}),
            json_request("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["All"]}),
            json_request("GetQueueUrl", {"QueueName": unique_name("missing")}),
        ]
        ids = set()
        for resp in responses:
            ids.add(self.assertCommonHeaders(resp))
        self.assertEqual(len(ids), len(responses), "request ids must be unique")
        for rid in ids:
            self.assertRegex(rid, UUID_RE)
        # boto3 exposes the same request id.
        meta = self.sqs.get_queue_url(QueueName=name)["ResponseMetadata"]
        self.assertRegex(meta["RequestId"], UUID_RE)
        self.assertIn("date", meta["HTTPHeaders"])

    def test_health(self):
        resp = raw_request("GET", "/health", sign=False)
        self.assertEqual(resp.status, 200, resp.text)


if __name__ == "__main__":
    unittest.main()

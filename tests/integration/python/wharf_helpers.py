"""Shared helpers for the boto3 integration tests (Python standard library + boto3/botocore only).

Environment (set by tests/integration/run.sh):
  WHARF_ENDPOINT        e.g. http://127.0.0.1:9324, or https://127.0.0.1:9325
  AWS_CA_BUNDLE         the CA that signed the server's certificate (https only); boto3 reads it
                        itself, raw requests below use it too
  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION
"""

import hashlib
import json
import os
import ssl
import struct
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCOUNT = "000000000000"
REGION = "us-east-1"
XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"


def endpoint():
    ep = os.environ.get("WHARF_ENDPOINT")
    if not ep:
        raise unittest.SkipTest("WHARF_ENDPOINT is not set")
    return ep.rstrip("/")


def ssl_context():
    """For urllib on an https endpoint: trust the CA in AWS_CA_BUNDLE (None for http)."""
    if not endpoint().startswith("https://"):
        return None
    return ssl.create_default_context(cafile=os.environ.get("AWS_CA_BUNDLE"))


def make_client():
    """Exactly what a user would write."""
    return boto3.client("sqs", endpoint_url=endpoint(), region_name=REGION)


def unique_name(prefix="t"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:20])


def md5_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.md5(data).hexdigest()


def md5_of_message_attributes(attrs):
    """MD5OfMessageAttributes per sqs-api.md section 4.6.

    `attrs` uses boto3's shape: {name: {"DataType": str, "StringValue": str} or
    {"DataType": str, "BinaryValue": bytes}}.  Returns lower-case hex.
    """
    buf = bytearray()

    def put(b):
        buf.extend(struct.pack(">I", len(b)))
        buf.extend(b)

    for name in sorted(attrs, key=lambda n: n.encode("utf-8")):
        a = attrs[name]
        dtype = a["DataType"]
        put(name.encode("utf-8"))
        put(dtype.encode("utf-8"))
        if dtype.startswith("Binary"):
            buf.append(2)
            value = a["BinaryValue"]
            if isinstance(value, str):
                value = value.encode("utf-8")
            put(bytes(value))
        else:
            buf.append(1)
            put(a["StringValue"].encode("utf-8"))
    return hashlib.md5(bytes(buf)).hexdigest()


def error_of(ctx):
    """(code, message, http_status) of a ClientError captured by assertRaises."""
    err = ctx.exception
    return (err.response["Error"].get("Code"), err.response["Error"].get("Message"),
            err.response["ResponseMetadata"]["HTTPStatusCode"])


class WharfTestCase(unittest.TestCase):
    """Base class: a client per class, queue clean-up after each test."""

    @classmethod
    def setUpClass(cls):
        cls.sqs = make_client()

    @classmethod
    def tearDownClass(cls):
        cls.sqs.close()

    def setUp(self):
        self._queues = []

    def tearDown(self):
        for url in self._queues:
            try:
                self.sqs.delete_queue(QueueUrl=url)
            except Exception:
                pass

    def new_queue(self, prefix="q", attributes=None, tags=None):
        name = unique_name(prefix)
        kwargs = {"QueueName": name}
        if attributes:
            kwargs["Attributes"] = attributes
        if tags:
            kwargs["tags"] = tags
        url = self.sqs.create_queue(**kwargs)["QueueUrl"]
        self._queues.append(url)
        return name, url

    def assertClientError(self, ctx, code, status=None, message=None):
        got_code, got_msg, got_status = error_of(ctx)
        self.assertEqual(got_code, code, "error code (message was %r)" % (got_msg,))
        if status is not None:
            if isinstance(status, (tuple, list)):
                self.assertIn(got_status, status, "HTTP status for %s" % code)
            else:
                self.assertEqual(got_status, status, "HTTP status for %s" % code)
        if message is not None:
            self.assertEqual(got_msg, message, "error message for %s" % code)

    def queue_attrs(self, url, *names):
        return self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=list(names) or ["All"]).get("Attributes", {})

    def receive_all(self, url, expected, timeout=10.0, **kwargs):
        """Receive until `expected` messages are collected or timeout passes."""
        msgs = []
        deadline = time.monotonic() + timeout
        while len(msgs) < expected and time.monotonic() < deadline:
            r = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         WaitTimeSeconds=1, **kwargs)
            msgs.extend(r.get("Messages", []))
        return msgs


# --------------------------------------------------------------------------------------------
# Raw HTTP helpers (SigV4-signed with botocore, sent with urllib).

class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # email.message.Message: case-insensitive get()
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def _credentials():
    return Credentials(os.environ.get("AWS_ACCESS_KEY_ID", "test"),
                       os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))


def raw_request(method, path, body=None, headers=None, sign=True, timeout=30):
    """Send a (signed) request to WHARF_ENDPOINT + path; returns RawResponse (also for 4xx/5xx)."""
    url = endpoint() + path
    headers = dict(headers or {})
    if isinstance(body, str):
        body = body.encode("utf-8")
    if sign:
        req = AWSRequest(method=method, url=url, data=body or b"", headers=headers)
        SigV4Auth(_credentials(), "sqs", REGION).add_auth(req)
        headers = {k: v for k, v in req.headers.items()}
    ureq = urllib.request.Request(url, data=body if body else None, method=method,
                                  headers=headers)
    try:
        with urllib.request.urlopen(ureq, timeout=timeout, context=ssl_context()) as resp:
            return RawResponse(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as e:
        return RawResponse(e.code, e.headers, e.read())


def query_post(params, path="/"):
    body = urllib.parse.urlencode(params)
    return raw_request("POST", path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


def query_get(path, params):
    return raw_request("GET", path + "?" + urllib.parse.urlencode(params))


def json_request(operation, payload):
    return raw_request("POST", "/", body=json.dumps(payload), headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AmazonSQS." + operation,
        "x-amzn-query-mode": "true",
    })


def xml_find(root, path):
    """ElementTree find with the SQS namespace applied to each step of a '/'-separated path."""
    steps = ["{%s}%s" % (XMLNS, s) if s not in (".", "..") else s for s in path.split("/")]
    return root.find("/".join(steps))


def xml_findall(root, path):
    steps = ["{%s}%s" % (XMLNS, s) if s not in (".", "..") else s for s in path.split("/")]
    return root.findall("/".join(steps))

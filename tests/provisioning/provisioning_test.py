#!/usr/bin/env python3
"""Provisioning from wharf.toml, end to end (tests/provisioning/run.sh; docs/provisioning.md).

Starts `wharf serve --config wharf.toml` (the port and data directory come from the file too),
then checks with boto3 that what the file provisions exists as described: queues with attributes,
tags and a dead-letter queue, a FIFO queue, a topic whose subscription delivers into a queue
(allow_topics wrote the queue policy), and a user whose fixed keys work within its policy.
auto_create_queues = "on" creates a queue on the first SendMessage. The server is restarted twice
on the same data directory: nothing is created twice and the log says everything is unchanged.
Finally a bad setting and a provisioning error each stop the start with exit status 2 and a
message naming the culprit.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

ACCOUNT = "000000000000"
REGION = "us-east-1"
APP_KEY = "AKIAPROVISIONEDAPP"
APP_SECRET = "app-secret-for-tests"

APP_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
        "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
    }],
})

CONFIG = """
port = {port}
data_dir = "{data_dir}"
durability = "strict"
auto_create_queues = "on"

[[queues]]
name = "orders"
attributes = {{ VisibilityTimeout = 45, DelaySeconds = "0" }}
tags = {{ team = "shop", env = "dev" }}
dead_letter = {{ queue = "orders-dlq", max_receive_count = 3 }}
allow_topics = ["events"]

[[queues]]
name = "orders-dlq"
attributes = {{ MessageRetentionPeriod = "1209600" }}

[[queues]]
name = "jobs.fifo"
attributes = {{ FifoQueue = true, ContentBasedDeduplication = true }}

[[topics]]
name = "events"
tags = {{ team = "shop" }}

[[subscriptions]]
topic = "events"
queue = "orders"
attributes = {{ RawMessageDelivery = true }}

[[users]]
name = "app"
policies = [{{ name = "send-orders", document = '{policy}' }}]
access_keys = [{{ id = "{key}", secret = "{secret}" }}]
"""


class Failed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failed(what)
    print(f"  ok: {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, wharf, config, log_path):
        self.wharf, self.config, self.log_path = wharf, config, log_path
        self.proc = None

    def start(self, port):
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen([self.wharf, "serve", "--config", self.config],
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Failed(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise Failed("server did not become healthy: " + self.log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def log(self):
        with open(self.log_path) as f:
            return f.read()


def clients(port, key="test", secret="test"):
    cfg = botocore.config.Config(retries={"max_attempts": 1})
    args = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION,
                aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)
    return (boto3.client("sqs", **args), boto3.client("sns", **args),
            boto3.client("iam", **args), boto3.client("sts", **args))


def error_code(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


def queue_url(port, name):
    return f"http://127.0.0.1:{port}/{ACCOUNT}/{name}"


def check_provisioned(port):
    sqs, sns, iam, _ = clients(port)
    urls = sorted(sqs.list_queues().get("QueueUrls", []))
    names = [u.rsplit("/", 1)[1] for u in urls]
    check({"orders", "orders-dlq", "jobs.fifo"} <= set(names), f"queues provisioned: {names}")

    attrs = sqs.get_queue_attributes(QueueUrl=queue_url(port, "orders"),
                                     AttributeNames=["All"])["Attributes"]
    check(attrs["VisibilityTimeout"] == "45", "orders: VisibilityTimeout 45")
    redrive = json.loads(attrs["RedrivePolicy"])
    check(redrive == {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-dlq",
                      "maxReceiveCount": 3}, f"orders: RedrivePolicy {redrive}")
    tags = sqs.list_queue_tags(QueueUrl=queue_url(port, "orders")).get("Tags", {})
    check(tags == {"team": "shop", "env": "dev"}, f"orders: tags {tags}")
    sources = sqs.list_dead_letter_source_queues(QueueUrl=queue_url(port, "orders-dlq"))
    check(sources.get("queueUrls", []) and sources["queueUrls"][0].endswith("/orders"),
          "orders-dlq is the dead-letter queue of orders")
    dlq = sqs.get_queue_attributes(QueueUrl=queue_url(port, "orders-dlq"),
                                   AttributeNames=["MessageRetentionPeriod"])["Attributes"]
    check(dlq["MessageRetentionPeriod"] == "1209600", "orders-dlq: MessageRetentionPeriod")
    fifo = sqs.get_queue_attributes(QueueUrl=queue_url(port, "jobs.fifo"),
                                    AttributeNames=["All"])["Attributes"]
    check(fifo.get("FifoQueue") == "true" and fifo.get("ContentBasedDeduplication") == "true",
          "jobs.fifo: FIFO with content-based deduplication")

    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:events"
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    check(topics == [topic_arn], f"topics: {topics}")
    subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    check(len(subs) == 1 and subs[0]["Endpoint"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
          "events has one subscription, to orders")
    sub_attrs = sns.get_subscription_attributes(
        SubscriptionArn=subs[0]["SubscriptionArn"])["Attributes"]
    check(sub_attrs.get("RawMessageDelivery") == "true", "subscription: RawMessageDelivery")

    users = [u["UserName"] for u in iam.list_users()["Users"]]
    check(users == ["app"], f"users: {users}")
    policies = iam.list_user_policies(UserName="app")["PolicyNames"]
    check(policies == ["send-orders"], f"app's policies: {policies}")
    keys = [k["AccessKeyId"] for k in iam.list_access_keys(UserName="app")["AccessKeyMetadata"]]
    check(keys == [APP_KEY], f"app's keys: {keys}")
    return len(urls)


def check_behaviour(port):
    sqs, sns, _, _ = clients(port)
    # The subscription delivers: allow_topics wrote a queue policy that admits the topic.
    sns.publish(TopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:events", Message="order-created")
    got = sqs.receive_message(QueueUrl=queue_url(port, "orders"), WaitTimeSeconds=5)
    bodies = [m["Body"] for m in got.get("Messages", [])]
    check(bodies == ["order-created"], f"publish to events arrives raw in orders: {bodies}")
    for m in got.get("Messages", []):
        sqs.delete_message(QueueUrl=queue_url(port, "orders"), ReceiptHandle=m["ReceiptHandle"])

    app_sqs, _, _, app_sts = clients(port, APP_KEY, APP_SECRET)
    who = app_sts.get_caller_identity()
    check(who["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/app", f"fixed key signs as {who['Arn']}")
    sent = app_sqs.send_message(QueueUrl=queue_url(port, "orders"), MessageBody="from app")
    check("MessageId" in sent, "app may send to orders")
    code = error_code(lambda: app_sqs.send_message(QueueUrl=queue_url(port, "jobs.fifo"),
                                                   MessageBody="x", MessageGroupId="g"))
    check(code == "AccessDenied", f"app may not send to jobs.fifo ({code})")
    # app may not sqs:CreateQueue, so auto-creation does not apply to it.
    code = error_code(lambda: app_sqs.send_message(QueueUrl=queue_url(port, "app-scratch"),
                                                   MessageBody="x"))
    # (the Query protocol's code for QueueDoesNotExist, and the JSON protocol's)
    check(code in ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"),
          f"app's first use of a missing queue does not create it ({code})")

    # auto_create_queues: the root's first SendMessage creates the queue.
    code = error_code(lambda: sqs.send_message(QueueUrl=queue_url(port, "scratch"),
                                               MessageBody="first"))
    check(code is None, "SendMessage to a missing queue succeeds (auto-created)")
    got = sqs.receive_message(QueueUrl=queue_url(port, "scratch"), WaitTimeSeconds=1)
    check([m["Body"] for m in got.get("Messages", [])] == ["first"], "the message is in it")
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url(port, "scratch"),
                                     AttributeNames=["VisibilityTimeout"])["Attributes"]
    check(attrs["VisibilityTimeout"] == "30", "with default attributes")
    sent = sqs.send_message(QueueUrl=queue_url(port, "scratch-jobs.fifo"), MessageBody="x",
                            MessageGroupId="g", MessageDeduplicationId="d")
    fifo = sqs.get_queue_attributes(QueueUrl=queue_url(port, "scratch-jobs.fifo"),
                                    AttributeNames=["FifoQueue"])["Attributes"]
    check(fifo.get("FifoQueue") == "true", "a .fifo name is auto-created as a FIFO queue")


def check_refused(wharf, work, text, expected):
    path = os.path.join(work, "bad.toml")
    with open(path, "w") as f:
        f.write(text)
    proc = subprocess.run([wharf, "serve", "--config", path], capture_output=True, text=True,
                          timeout=30)
    check(proc.returncode == 2 and expected in proc.stderr,
          f"start refused: {proc.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wharf", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="wharf-provisioning-")
    port = free_port()
    config = os.path.join(work, "wharf.toml")
    with open(config, "w") as f:
        f.write(CONFIG.format(port=port, data_dir=os.path.join(work, "data"), policy=APP_POLICY,
                              key=APP_KEY, secret=APP_SECRET))
    server = Server(args.wharf, config, os.path.join(work, "server.log"))
    started = time.time()
    try:
        print("first start")
        server.start(port)
        check("provisioned" in server.log() and "queues 3 created" in server.log(),
              "log: " + [l for l in server.log().splitlines() if "provisioned" in l][0])
        check_provisioned(port)
        check_behaviour(port)
        server.stop()
        for restart in (1, 2):
            print(f"restart {restart}")
            server.start(port)
            line = [l for l in server.log().splitlines() if "provisioned" in l][0]
            check("queues 0 created, 0 updated, 3 unchanged; topics 0 created, 0 updated, 1 "
                  "unchanged; subscriptions 0 created, 0 updated, 1 unchanged; users 0 created, "
                  "0 updated, 1 unchanged" in line, "log: " + line)
            count = check_provisioned(port)
            check(count == 5, f"ListQueues: the 3 provisioned and 2 auto-created queues ({count})")
            server.stop()
        print("refused starts")
        check_refused(args.wharf, work, "port = 70000\n", "port: 70000 is not in 1..65535")
        check_refused(args.wharf, work,
                      f'data_dir = "{work}/data2"\n[[queues]]\nname = "bad.fifo"\n'
                      'attributes = { FifoQueue = "true", VisibilityTimeout = "99999" }\n',
                      "queues[0] (bad.fifo): InvalidAttributeValue")
    except Failed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        print(server.log()[-3000:], file=sys.stderr)
        server.stop()
        return 1
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"provisioning test passed in {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/ (README.md). The seeds are checked in; rerun
this after editing it. Each seed is small and either valid or one mistake away from valid."""

import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------
# policy_document_fuzz: one policy document per file.

POLICIES = {
    # security.md §2.8: what AddPermission writes (LocalStack snapshot of real AWS).
    "add_permission": """{
  "Version": "2008-10-17",
  "Id": "arn:aws:sqs:us-east-1:123456789012:orders/SQSDefaultPolicy",
  "Statement": [
    {
      "Sid": "crossaccountpermission",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::123456789012:root"]},
      "Action": "SQS:ReceiveMessage",
      "Resource": "arn:aws:sqs:us-east-1:123456789012:orders"
    }
  ]
}""",
    # AddPermission with several actions and a plain account id, appended to an existing policy.
    "add_permission_two_statements": """{"Version":"2008-10-17","Id":"arn:aws:sqs:us-east-1:123456789012:orders/SQSDefaultPolicy","Statement":[{"Sid":"first","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["SQS:SendMessage","SQS:DeleteMessage","SQS:ChangeMessageVisibility"],"Resource":"arn:aws:sqs:us-east-1:123456789012:orders"},{"Sid":"second","Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"SQS:*","Resource":"arn:aws:sqs:us-east-1:123456789012:orders"}]}""",
    # The AWS docs' SNS → SQS queue policy ("Subscribing an Amazon SQS queue to an SNS topic").
    "sns_to_sqs": """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Service": "sns.amazonaws.com"},
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:us-east-1:123456789012:orders",
      "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:orders-topic"}}
    }
  ]
}""",
    # security.md §2.1's example.
    "documented_example": """{
  "Version": "2012-10-17",
  "Id": "optional-id",
  "Statement": [
    {
      "Sid": "optional",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]},
      "Action": ["sqs:SendMessage", "sqs:Get*"],
      "Resource": "arn:aws:sqs:us-east-1:123456789012:orders",
      "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}
    }
  ]
}""",
    # An identity policy with policy variables and a Deny.
    "identity_variables": """{"Version":"2012-10-17","Statement":[{"Sid":"Own","Effect":"Allow","Action":["sqs:*"],"Resource":"arn:aws:sqs:*:${aws:PrincipalAccount}:${aws:username}-*"},{"Sid":"NoPurge","Effect":"Deny","Action":"sqs:PurgeQueue","Resource":"*"},{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*","Condition":{"StringLike":{"aws:userid":"${aws:userid, 'nobody'}*"}}}]}""",
    # Every operator family, qualifiers and IfExists.
    "conditions": """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Condition":{
"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]},
"NotIpAddress":{"wharf:Mapped":"10.0.0.0/8"},
"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
"DateGreaterThanEquals":{"aws:EpochTime":1700000000},
"Bool":{"aws:SecureTransport":false},
"NumericLessThanEquals":{"wharf:Number":[-1.5e4,"12"]},
"ForAllValues:StringLike":{"aws:TagKeys":["team","Cost-*"]},
"ForAnyValue:StringEqualsIgnoreCase":{"aws:TagKeys":"TEAM"},
"StringNotEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"},
"Null":{"aws:username":"false"},
"BinaryEquals":{"wharf:Binary":"aGVsbG8"},
"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}}]}""",
    # NotAction / NotResource / NotPrincipal.
    "negations": """{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::123456789012:user/team/alice","arn:aws:sts::123456789012:assumed-role/worker/session-1"]},"NotAction":["sqs:Receive*","sqs:Get?ueue*"],"NotResource":"arn:aws:sqs:us-west-2:*:*"}}""",
    # A role trust policy.
    "trust": """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app/worker","Service":["sqs.amazonaws.com"],"Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}""",
    # Near-valid: each is refused for one reason.
    "bad_duplicate_key": """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"sqs:*","Resource":"*"}]}""",
    "bad_trailing_comma": """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*",}]}""",
    "bad_version": """{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}""",
    "bad_operator": """{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Condition":{"NullIfExists":{"a:b":"true"}}}]}""",
    "bad_duplicate_sid": """{"Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sqs:*"},{"Sid":"a","Effect":"Deny","Principal":{"AWS":"*"},"Action":"sqs:*"}]}""",
    "bad_empty_action_list": """{"Statement":[{"Effect":"Allow","Principal":"*","Action":[],"Resource":"*"}]}""",
}

# Just over SQS's 8,192-byte limit (and so also IAM's 6,144 characters): it lets libFuzzer grow
# inputs past both size limits, whose default -max_len would otherwise be 4,096 bytes.
def over_size_limits():
    statements = []
    while True:
        i = len(statements)
        statements.append({"Sid": f"s{i}", "Effect": "Allow", "Principal": {"AWS": "111122223333"},
                           "Action": "sqs:SendMessage",
                           "Resource": f"arn:aws:sqs:us-east-1:123456789012:q{i:0300d}"})
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=1)
        if len(text) > 8192:
            return text


POLICIES["over_size_limits"] = over_size_limits()

# ---------------------------------------------------------------------------------------------
# sigv4_fuzz: flags byte, then authorization \n x-amz-date \n query \n path \n extra \n body.
POST, CONTENT_SHA, STS, SECOND_HOST, SESSION_TOKEN, LOWER = 1, 2, 16, 32, 64, 128
CLOCK_AT_DATE, CLOCK_LATE, CLOCK_EARLY, CLOCK_EXAMPLE = 0, 4, 8, 12

A_BODY = '{"QueueUrl":"http://localhost:9324/000000000000/orders","MessageBody":"hello world"}'
A_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
          "Signature=8ea028b1d615618858d4835e003acdb339c0a3ee299882cb7998d4e97db5e5cc")
A_AUTH_JS = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20250115/us-east-1/sqs/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
             "Signature=76d13844a11bb0dd05458b2e0154499ca73145250843af319c9f5953c30d392c")
A_SHA = "x-amz-content-sha256:43d1f5e567974cbacf91e6a4d451776fb9ac733dc39a5dcaf2ae3a1216dddd6e"
B_AUTH = ("AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20250115/us-east-1/sts/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
          "Signature=20728a02446ede3b2bb398b2f74c43454212ed5194ececea1afd95a592013359")
C_QUERY = ("Action=GetQueueAttributes&AttributeName.1=All&Version=2012-11-05&X-Amz-Algorithm="
           "AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250115%2Fus-east-1%2Fsqs"
           "%2Faws4_request&X-Amz-Date=20250115T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host"
           "&X-Amz-Signature=2ac0321af185e05399c8d11b5b4d9c7160c0b8cd50603f9242ddfa9901d09607")
D_AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
          "SignedHeaders=host;x-amz-date, "
          "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
DATE_A = "20250115T120000Z"


def request(flags, authorization="", date="", query="", path="/", extra="", body=""):
    return bytes([flags]) + "\n".join([authorization, date, query, path, extra, body]).encode()


REQUESTS = {
    # Verify: security.md Example A, its JS-signer variant, and Example C.
    "example_a": request(POST | CLOCK_EXAMPLE, A_AUTH, DATE_A, body=A_BODY),
    "example_a_js_content_sha": request(POST, A_AUTH_JS, DATE_A, extra=A_SHA, body=A_BODY),
    "example_c_presigned": request(CLOCK_EXAMPLE, query=C_QUERY, path="/000000000000/orders"),
    # Parse fully, then fail on the key (B: a session key; D: another account's key).
    "example_b_sts_token": request(POST | STS | SESSION_TOKEN, B_AUTH, DATE_A,
                                   extra="X-Amz-Security-Token:FwoGZXIvYXdzEJr//////////wEaDE+test/token==",
                                   body="Action=GetCallerIdentity&Version=2011-06-15"),
    "example_d_get_vanilla": request(LOWER, D_AUTH, "20150830T123600Z"),
    # Near-valid.
    "a_expired": request(POST | CLOCK_LATE, A_AUTH, DATE_A, body=A_BODY),
    "a_not_yet_current": request(POST | CLOCK_EARLY, A_AUTH, DATE_A, body=A_BODY),
    "a_tampered_body": request(POST, A_AUTH, DATE_A, body=A_BODY.replace("hello", "HELLO")),
    "a_second_host": request(POST | SECOND_HOST | CONTENT_SHA, A_AUTH, DATE_A, body=A_BODY),
    "a_date_scope_mismatch": request(POST, A_AUTH, "20250116T000000Z", body=A_BODY),
    "a_bad_date": request(POST, A_AUTH, "2025-01-15T12:00:00Z", body=A_BODY),
    # Found by a CI run: a leap second on 9999-12-31 rolled over into a year of five digits.
    "a_date_past_9999": request(POST, A_AUTH, "99991231T235960Z", body=A_BODY),
    "a_missing_signature": request(POST, A_AUTH.split(", Signature=")[0], DATE_A, body=A_BODY),
    "a_unsigned_payload": request(POST, A_AUTH, DATE_A, extra="x-amz-content-sha256:UNSIGNED-PAYLOAD",
                                  body=A_BODY),
    "both_header_and_query": request(0, A_AUTH, DATE_A, query=C_QUERY),
    "c_expires_zero": request(CLOCK_EXAMPLE, query=C_QUERY.replace("X-Amz-Expires=300", "X-Amz-Expires=0"),
                              path="/000000000000/orders"),
    "c_wrong_algorithm": request(0, query=C_QUERY.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")),
    "c_scope_four_parts": request(0, query=C_QUERY.replace("%2Faws4_request", "")),
    "path_dot_segments": request(0, A_AUTH, DATE_A, query="b=2&a=1&a=%2b+%zz&=&&c",
                                 path="/a/./b/../%7Ec//d%2F/"),
    "lowercase_algorithm": request(POST, A_AUTH.lower(), DATE_A, body=A_BODY),
}

# ---------------------------------------------------------------------------------------------
# filter_policy_fuzz: a filter policy, a NUL byte, then the message: used whole as the body, and
# read as attributes one per line, "name|type|value".


def filter_input(policy, message=""):
    return policy.encode() + b"\0" + message.encode()


FILTER_INPUTS = {
    # sns-fanout.md §5.2 and the SNS guide's examples, attribute scope.
    "attributes_exact": filter_input(
        '{"store":["example_corp","other"],"event":[{"anything-but":"order_cancelled"}]}',
        "store|String|example_corp\nevent|String|order_placed"),
    "attributes_numeric": filter_input(
        '{"price_usd":[{"numeric":[">",0,"<=",150]}],"n":[{"numeric":["=",301.5]}]}',
        "price_usd|Number|99.5\nn|Number.float|3.015e2"),
    "attributes_string_array": filter_input(
        '{"customer_interests":["rugby",{"prefix":"bas"},{"suffix":"ball"}],'
        '"x":[{"equals-ignore-case":"ABC"}]}',
        'customer_interests|String.Array|["football","basketball",1,true,null]\nx|String|abc'),
    "attributes_exists_binary": filter_input(
        '{"store":[{"exists":true}],"b":[{"exists":false}],"c":[null]}',
        "store|Number|1\nb|Binary|aGVsbG8="),
    "attributes_or": filter_input(
        '{"source":["aws.cloudwatch","aws.events","aws.test"],"$or":['
        '{"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},'
        '{"metricType":["MetricType","TestType","TestType2","TestType3"],'
        '"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]}',
        "source|String|aws.test\nmetricType|String|TestType2\nspaceId|Number|7"),
    "attributes_anything_but": filter_input(
        '{"a":[{"anything-but":{"prefix":"test-"}}],"b":[{"anything-but":[100,500]}],'
        '"c":[{"anything-but":["x","y"]}],"ip":[{"cidr":"10.0.0.0/24"},{"cidr":"2001:db8::/32"}]}',
        "a|String|prod-1\nb|Number|101\nc|String|z\nip|String|10.0.0.7"),
    # Body scope: nested and dotted keys, arrays of objects, $or inside an object.
    "body_s3_records": filter_input(
        '{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},'
        '"eventName":[{"prefix":"ObjectCreated:"}]}}',
        '{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":[[{"key":"auto-1.xml"}]]}},'
        '{"eventName":"ObjectRemoved:Delete","s3":{"object":{"key":"home-1.xml"}}}]}'),
    "body_dotted_or": filter_input(
        '{"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}],'
        '"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},'
        '{"type":["CloudWatch Alarm State Change"]}]},"object.nested":[{"exists":false}]}',
        '{"namespace":"AWS/EC2","detail":{"scope":"Service","type":"CloudWatch Alarm State Change"}}'),
    "body_typed_values": filter_input(
        '{"count":[3],"flag":[true],"x":[null],"price":[{"numeric":[">=",10,"<",20]}]}',
        '{"count":3.0,"flag":true,"x":null,"price":[5,19.99],"a.b":{"c":1}}'),
    # Near misses: each refused for one reason.
    "bad_nested_in_attributes": filter_input('{"object":{"key":[{"prefix":"auto-"}]}}', "key|String|auto-1"),
    "bad_numeric_range": filter_input('{"key":[{"numeric":[">",3,"<",1]}]}', "key|Number|2"),
    "bad_anything_but_suffix": filter_input('{"key":[{"anything-but":{"suffix":"test"}}]}'),
    "bad_too_complex": filter_input(
        '{"key":[' + ",".join('"v%d"' % i for i in range(151)) + "]}"),
    "bad_six_keys": filter_input('{"a":[1],"b":[2],"c":[3],"d":[4],"e":[5],"f":[6]}'),
    "bad_empty_array": filter_input('{"Amount":[]}'),
    "bad_cidr": filter_input('{"ip":[{"cidr":"10.0.0/33"}]}', "ip|String|10.0.0.1"),
}


# ---------------------------------------------------------------------------------------------
# protocol_decode_fuzz: byte 0 = action (its row in api/action.h), byte 1 = shape (bit 0 JSON,
# bit 1 parameters in the URL, bit 2 queue-URL path, bit 3 a non-form Content-Type), then the
# JSON body or the Query parameters after "Action=<name>&".

ACTION_H = HERE.parent.parent / "src" / "api" / "action.h"


def action_index(name):
    text = ACTION_H.read_text()
    body = text[text.index("enum class Action"):]
    body = body[body.index("{") + 1:body.index("};")]
    names = [line.strip().rstrip(",") for line in body.splitlines()
             if line.strip().startswith("k")]
    return names.index("k" + name)


JSON, IN_URL, QUEUE_PATH, ODD_TYPE = 1, 2, 4, 8


def decode_input(action, shape, text):
    return bytes([action_index(action), shape]) + text.encode()


DECODE_INPUTS = {
    "send_json": decode_input("SendMessage", JSON,
        '{"QueueUrl":"http://localhost:9324/000000000000/q","MessageBody":"hi \\u00e9",'
        '"DelaySeconds":5,"MessageAttributes":{"a":{"DataType":"String","StringValue":"v"},'
        '"b":{"DataType":"Binary","BinaryValue":"AAEC"}},'
        '"MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"t"}}}'),
    "send_query": decode_input("SendMessage", 0,
        "QueueUrl=http%3A%2F%2Flocalhost%3A9324%2F000000000000%2Fq&MessageBody=hi+there"
        "&DelaySeconds=5&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
        "&MessageAttribute.1.Value.StringValue=v&MessageAttribute.2.Name=b"
        "&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAEC"),
    "send_batch_query": decode_input("SendMessageBatch", QUEUE_PATH,
        "SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
        "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=y"
        "&SendMessageBatchRequestEntry.2.MessageGroupId=g"
        "&SendMessageBatchRequestEntry.2.MessageDeduplicationId=d"),
    "send_batch_json": decode_input("SendMessageBatch", JSON,
        '{"QueueUrl":"q","Entries":[{"Id":"a","MessageBody":"x"},'
        '{"Id":"b","MessageBody":"y","DelaySeconds":"3","MessageGroupId":"g"}]}'),
    "receive_url": decode_input("ReceiveMessage", IN_URL,
        "QueueUrl=q&MaxNumberOfMessages=10&WaitTimeSeconds=20&AttributeName.1=All"
        "&MessageAttributeName.1=All&MessageSystemAttributeName.1=SentTimestamp"
        "&ReceiveRequestAttemptId=r"),
    "receive_json": decode_input("ReceiveMessage", JSON,
        '{"QueueUrl":"q","MaxNumberOfMessages":10,"VisibilityTimeout":30,'
        '"AttributeNames":["All"],"MessageAttributeNames":[".*"]}'),
    "create_query": decode_input("CreateQueue", 0,
        "QueueName=q.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
        "&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60&Tag.1.Key=team&Tag.1.Value=a"),
    "create_json": decode_input("CreateQueue", JSON,
        '{"QueueName":"q","Attributes":{"DelaySeconds":"5"},"tags":{"team":"a"}}'),
    "delete_batch_json": decode_input("DeleteMessageBatch", JSON,
        '{"QueueUrl":"q","Entries":[{"Id":"1","ReceiptHandle":"AQ=="}]}'),
    "change_visibility_batch_query": decode_input("ChangeMessageVisibilityBatch", 0,
        "QueueUrl=q&ChangeMessageVisibilityBatchRequestEntry.1.Id=1"
        "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h"
        "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=0"),
    "set_attributes_json": decode_input("SetQueueAttributes", JSON,
        '{"QueueUrl":"q","Attributes":{"Policy":"{\\"Version\\":\\"2012-10-17\\"}"}}'),
    "add_permission_query": decode_input("AddPermission", 0,
        "QueueUrl=q&Label=l&AWSAccountId.1=111122223333&ActionName.1=SendMessage"),
    "tag_json": decode_input("TagQueue", JSON, '{"QueueUrl":"q","Tags":{"a":"1","b":""}}'),
    "assume_role": decode_input("AssumeRole", 0,
        "RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr&RoleSessionName=s"
        "&DurationSeconds=900&Tags.member.1.Key=k&Tags.member.1.Value=v"
        "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FP"),
    "create_role": decode_input("CreateRole", 0,
        "RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k&Tags.member.1.Value=v"),
    "sns_create_topic": decode_input("CreateTopic", 0,
        "Name=t.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true"
        "&Attributes.entry.2.key=DisplayName&Attributes.entry.2.value=Orders"
        "&Tags.member.1.Key=team&Tags.member.1.Value=a"),
    "sns_subscribe": decode_input("Subscribe", 0,
        "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Protocol=sqs"
        "&Endpoint=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aq&ReturnSubscriptionArn=true"
        "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=%7B%22a%22%3A%5B%22b%22%5D%7D"
        "&Attributes.entry.2.key=RawMessageDelivery&Attributes.entry.2.value=true"),
    "sns_publish": decode_input("Publish", IN_URL,
        "TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Message=hi&Subject=s"
        "&MessageAttributes.entry.1.Name=price&MessageAttributes.entry.1.Value.DataType=Number"
        "&MessageAttributes.entry.1.Value.StringValue=12.5"
        "&MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Binary"
        "&MessageAttributes.entry.2.Value.BinaryValue=AAEC&MessageGroupId=g"),
    "sns_publish_batch": decode_input("PublishBatch", 0,
        "TopicArn=t&PublishBatchRequestEntries.member.1.Id=a"
        "&PublishBatchRequestEntries.member.1.Message=x"
        "&PublishBatchRequestEntries.member.2.Id=b&PublishBatchRequestEntries.member.2.Message=y"
        "&PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Name=k"
        "&PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.DataType=String"
        "&PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.StringValue=v"),
    "sns_set_subscription_attributes": decode_input("SetSubscriptionAttributes", 0,
        "SubscriptionArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At%3Aid"
        "&AttributeName=FilterPolicyScope&AttributeValue=MessageBody"),
    "sns_untag": decode_input("SnsUntagResource", 0, "ResourceArn=t&TagKeys.member.1=team"),
    "bad_escape": decode_input("SendMessage", 0, "QueueUrl=%zz&MessageBody=%"),
    "bad_json_type": decode_input("SendMessage", JSON, '{"QueueUrl":["q"],"DelaySeconds":{}}'),
    "bad_json": decode_input("ListQueues", JSON, '{"QueueNamePrefix":"a"'),
    "bad_int": decode_input("ReceiveMessage", 0, "QueueUrl=q&MaxNumberOfMessages=ten"),
}

# ---------------------------------------------------------------------------------------------
# records_fuzz: byte 0 = record kind (bits 0-1: queue, message, state, dedup) and mode (bit 2:
# build a record from the rest and round-trip it; clear: decode the rest as a stored payload).


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def signed(v):
    return varint((v << 1) ^ (v >> 63) if v >= 0 else ((-v - 1) << 1) | 1)


def text(s):
    s = s.encode()
    return varint(len(s)) + s


def optional(s):
    return b"\0" if s is None else b"\1" + text(s)


QUEUE, MESSAGE, STATE, DEDUP, BUILD = 0, 1, 2, 3, 4
NOW = 1_700_000_000_000

RECORDS = {
    # Decoding: payloads as docs/storage-format.md lays them out (version 1).
    "state_in_flight": bytes([STATE, 1, 2]) + signed(NOW + 30_000) + signed(NOW) + varint(1)
        + varint(0xDEADBEEF) + signed(NOW) + signed(0) + optional(None),
    "state_dead_letter": bytes([STATE, 1, 1]) + signed(0) + signed(NOW) + varint(4)
        + varint(7) + signed(NOW - 1000) + signed(NOW) + optional("arn:aws:sqs:us-east-1:0:src"),
    "dedup": bytes([DEDUP, 1]) + text("6f1c-id") + varint(1_700_000_000_000_000)
        + signed(NOW + 300_000),
    "message": bytes([MESSAGE, 1]) + text("id-1") + signed(NOW) + signed(0) + text("AIDA")
        + optional(None) + optional(None) + optional("g") + optional("d") + text("5d41402a")
        + optional("md5a") + varint(1) + text("attr") + optional("String") + optional("v")
        + optional(None) + text("hello"),
    "queue": bytes([QUEUE, 1]) + text("000000000000") + text("orders") + b"\0\0"
        + signed(0) + signed(262144) + signed(345600) + signed(0) + signed(30) + optional(None)
        + b"\0" + optional(None) + optional(None) + signed(300) + b"\1\0" + text("queue")
        + text("perQueue") + signed(1_700_000_000) + signed(1_700_000_000) + varint(1)
        + text("team") + text("a"),
    "bad_version": bytes([STATE, 2, 2]) + signed(0) * 2 + varint(1) * 2 + signed(0) * 2 + b"\0",
    "bad_overlong_varint": bytes([DEDUP, 1]) + text("id") + b"\x80\x00" + signed(0),
    "bad_bool": bytes([STATE, 1, 2]) + signed(0) * 2 + varint(1) * 2 + signed(0) * 2 + b"\2",
    # Building: FuzzedDataProvider reads field values from the rest (and the damage to do).
    "build_queue": bytes([BUILD | QUEUE]) + bytes(range(64)),
    "build_message": bytes([BUILD | MESSAGE]) + b"body of a message " * 4 + bytes(range(255, 0, -3)),
    "build_state": bytes([BUILD | STATE]) + bytes([0xFF] * 40),
    "build_dedup": bytes([BUILD | DEDUP]) + b"\x07dedup-id" + bytes(16),
}

# ---------------------------------------------------------------------------------------------
# encoder_roundtrip_fuzz: FuzzedDataProvider bytes (the choice of output is read from the end).
ENCODER_INPUTS = {
    "ascii": b"Hello <world> & \"friends\"\r\n\t" * 3 + bytes([1, 8]),
    "utf8_and_broken": "héllo → 😀 \ufffd".encode() + b"\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80"
        + b"\x00\x0b\x1f" + bytes([2, 8]),
    "receive_messages": bytes(range(0, 256, 5)) * 3 + bytes([3, 8]),
    "error": b"Value <script> for parameter \x01 is invalid" + bytes([0, 0]),
}

# ---------------------------------------------------------------------------------------------
# http_request_fuzz: byte 0 = bytes per read (bits 0-6) and a 64-byte body limit (bit 7), then
# what a client sends on one connection.
SEND_JSON = (b'{"QueueUrl":"http://localhost:9324/000000000000/q","MessageBody":"hi"}')
HTTP_INPUTS = {
    "json_send": b"\x7f" + b"POST / HTTP/1.1\r\nHost: localhost:9324\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
        b"Content-Length: " + str(len(SEND_JSON)).encode() + b"\r\n\r\n" + SEND_JSON,
    "query_pipelined": b"\x03" + b"GET /000000000000/q?Action=ReceiveMessage&WaitTimeSeconds=0 "
        b"HTTP/1.1\r\nHost: h\r\n\r\nPOST / HTTP/1.1\r\nHost: h\r\nContent-Type: "
        b"application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nAction=ListQueues&Version=1"
        b"HEAD /health HTTP/1.1\r\nConnection: close\r\n\r\n",
    "chunked": b"\x10" + b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        b"b\r\nAction=List\r\n7;ext=1\r\nQueues&\r\n0\r\nTrailer: x\r\n\r\n",
    "expect_continue": b"\x40" + b"POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
        b"Content-Length: 17\r\n\r\nAction=ListQueues",
    "too_large": b"\x80" + b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n" + b"x" * 65,
    "too_large_chunked": b"\x81" + b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"40\r\n" + b"y" * 64 + b"\r\n1\r\nz\r\n0\r\n\r\n",
    "http10_keepalive": b"\x20" + b"GET /?Action=ListQueues HTTP/1.0\r\nConnection: keep-alive\r\n"
        b"X-Amz-Target: \r\n\r\nGET / HTTP/1.0\r\n\r\n",
    "bad_header": b"\x05" + b"POST / HTTP/1.1\r\nHo st: h\r\nContent-Length: -1\r\n\r\n",
    "bad_two_lengths": b"\x7f" + b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
}


def main():
    for name, text in POLICIES.items():
        if not name.startswith("bad_"):
            json.loads(text)  # the valid ones must at least be JSON
        out = HERE / "corpus" / "policy_document_fuzz" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n" if not text.endswith("\n") else text)
    for name, data in REQUESTS.items():
        out = HERE / "corpus" / "sigv4_fuzz" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    for name, data in FILTER_INPUTS.items():
        if not name.startswith("bad_"):
            json.loads(data.split(b"\0")[0])  # the valid ones must at least be JSON
        out = HERE / "corpus" / "filter_policy_fuzz" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    for target, inputs in (("protocol_decode_fuzz", DECODE_INPUTS), ("records_fuzz", RECORDS),
                           ("encoder_roundtrip_fuzz", ENCODER_INPUTS),
                           ("http_request_fuzz", HTTP_INPUTS)):
        for name, data in inputs.items():
            out = HERE / "corpus" / target / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# AWS CLI (Debian's /usr/bin/aws 2.9.19, AWS Query protocol) against a running Wharf.
# Needs WHARF_ENDPOINT and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_DEFAULT_REGION.
# Counts failures and exits non-zero if any check failed.
set -u

AWS=/usr/bin/aws
PY=/usr/bin/python3
: "${WHARF_ENDPOINT:?WHARF_ENDPOINT must be set}"
export AWS_PAGER=""
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
ACCOUNT=000000000000

PASSES=0
FAILURES=0
CURRENT=""
QUEUES=()
TMPD=$(mktemp -d)
trap 'for u in "${QUEUES[@]+"${QUEUES[@]}"}"; do "$AWS" --endpoint-url "$WHARF_ENDPOINT" sqs delete-queue --queue-url "$u" >/dev/null 2>&1; done; rm -rf "$TMPD"' EXIT

section() { CURRENT=$1; echo "== $1"; }
pass() { PASSES=$((PASSES + 1)); }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL [$CURRENT] $*" >&2; }

# check <what> <actual> <expected>
check() {
  if [[ "$2" == "$3" ]]; then pass; else fail "$1: expected [$3], got [$2]"; fi
}
# check_contains <what> <haystack> <needle>
check_contains() {
  if [[ "$2" == *"$3"* ]]; then pass; else fail "$1: [$3] not found in [$2]"; fi
}

# aws_sqs <args...>: runs the CLI, sets OUT, ERR, RC.
aws_sqs() {
  OUT=$("$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json sqs "$@" 2>"$TMPD/stderr")
  RC=$?
  ERR=$(cat "$TMPD/stderr")
}
# expect_ok <what>: the last aws_sqs call succeeded.
expect_ok() {
  if [[ $RC -eq 0 ]]; then pass; else fail "$1: exit code $RC, stderr: $ERR"; fi
}
# jget <python-expression over d>: evaluates against the JSON in $OUT, prints the result.
jget() {
  printf '%s' "$OUT" | "$PY" -c "
import json, sys
try:
    d = json.loads(sys.stdin.read() or '{}')
    v = ($1)
except Exception as e:
    v = '<error: %s: %s>' % (type(e).__name__, e)
sys.stdout.write(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
"
}
md5() { printf '%s' "$1" | "$PY" -c "import hashlib,sys; print(hashlib.md5(sys.stdin.buffer.read()).hexdigest())"; }
uniq_name() { echo "cli-$1-$("$PY" -c 'import uuid; print(uuid.uuid4().hex[:16])')"; }
qattr() { # qattr <url> <name>: prints one queue attribute value
  aws_sqs get-queue-attributes --queue-url "$1" --attribute-names "$2"
  jget "d.get('Attributes', {}).get('$2', '<absent>')"
}

# ----------------------------------------------------------------------------------------
section "create-queue / get-queue-url / list-queues"
Q=$(uniq_name main)
aws_sqs create-queue --queue-name "$Q"
expect_ok "create-queue"
URL=$(jget "d['QueueUrl']")
QUEUES+=("$URL")
check "queue url" "$URL" "${WHARF_ENDPOINT%/}/$ACCOUNT/$Q"
aws_sqs create-queue --queue-name "$Q"
expect_ok "create-queue again (idempotent)"
check "idempotent url" "$(jget "d['QueueUrl']")" "$URL"
aws_sqs get-queue-url --queue-name "$Q"
expect_ok "get-queue-url"
check "get-queue-url" "$(jget "d['QueueUrl']")" "$URL"
aws_sqs list-queues --queue-name-prefix "$Q"
expect_ok "list-queues"
check "list-queues with prefix" "$(jget "d.get('QueueUrls')")" "[\"$URL\"]"
aws_sqs list-queues --queue-name-prefix "$(uniq_name nomatch)"
expect_ok "list-queues no match"
check "list-queues no match" "$(jget "d.get('QueueUrls', [])")" "[]"

section "create-queue with a differing attribute"
aws_sqs create-queue --queue-name "$Q" --attributes VisibilityTimeout=99
check "exit code" "$RC" "254"
check_contains "stderr" "$ERR" "QueueAlreadyExists"

section "get-queue-attributes All"
aws_sqs get-queue-attributes --queue-url "$URL" --attribute-names All
expect_ok "get-queue-attributes"
check "attribute names" "$(jget "sorted(d['Attributes'])")" \
  '["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "DelaySeconds", "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod", "QueueArn", "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "VisibilityTimeout"]'
check "VisibilityTimeout" "$(jget "d['Attributes']['VisibilityTimeout']")" "30"
check "MaximumMessageSize" "$(jget "d['Attributes']['MaximumMessageSize']")" "1048576"
check "MessageRetentionPeriod" "$(jget "d['Attributes']['MessageRetentionPeriod']")" "345600"
check "DelaySeconds" "$(jget "d['Attributes']['DelaySeconds']")" "0"
check "ApproximateNumberOfMessages" "$(jget "d['Attributes']['ApproximateNumberOfMessages']")" "0"
check "QueueArn" "$(jget "d['Attributes']['QueueArn']")" "arn:aws:sqs:us-east-1:$ACCOUNT:$Q"
check "CreatedTimestamp is epoch seconds" \
  "$(jget "str(abs(int(d['Attributes']['CreatedTimestamp']) - __import__('time').time()) < 120)")" "True"

section "set-queue-attributes"
aws_sqs set-queue-attributes --queue-url "$URL" --attributes VisibilityTimeout=60,MaximumMessageSize=2048
expect_ok "set-queue-attributes"
check "OUT empty" "$OUT" ""
aws_sqs get-queue-attributes --queue-url "$URL" --attribute-names VisibilityTimeout MaximumMessageSize
expect_ok "get-queue-attributes selected"
check "selected attributes" "$(jget "d['Attributes']")" '{"MaximumMessageSize": "2048", "VisibilityTimeout": "60"}'
aws_sqs set-queue-attributes --queue-url "$URL" --attributes NoSuchAttribute=1
check "unknown attribute exit code" "$RC" "254"
check_contains "unknown attribute stderr" "$ERR" "InvalidAttributeName"
aws_sqs set-queue-attributes --queue-url "$URL" --attributes VisibilityTimeout=30,MaximumMessageSize=1048576
expect_ok "set-queue-attributes back"

section "send-message / receive-message / delete-message"
BODY='hello from the cli & <friends> "quoted"'
aws_sqs send-message --queue-url "$URL" --message-body "$BODY" \
  --message-attributes '{"Hello":{"DataType":"String","StringValue":"There"},"Bin":{"DataType":"Binary.gif","BinaryValue":"AQID"},"Num":{"DataType":"Number.float","StringValue":"3.14"}}'
expect_ok "send-message"
MID=$(jget "d['MessageId']")
check "MD5OfMessageBody" "$(jget "d['MD5OfMessageBody']")" "$(md5 "$BODY")"
EXPECTED_ATTR_MD5=$("$PY" - <<'EOF'
import hashlib, struct
attrs = {"Hello": ("String", b"There"), "Bin": ("Binary.gif", b"\x01\x02\x03"), "Num": ("Number.float", b"3.14")}
buf = b""
for name in sorted(attrs):
    t, v = attrs[name]
    buf += struct.pack(">I", len(name)) + name.encode() + struct.pack(">I", len(t)) + t.encode()
    buf += (b"\x02" if t.startswith("Binary") else b"\x01") + struct.pack(">I", len(v)) + v
print(hashlib.md5(buf).hexdigest())
EOF
)
check "MD5OfMessageAttributes (send)" "$(jget "d.get('MD5OfMessageAttributes')")" "$EXPECTED_ATTR_MD5"

aws_sqs receive-message --queue-url "$URL" --wait-time-seconds 2 --attribute-names All --message-attribute-names All
expect_ok "receive-message"
check "one message" "$(jget "str(len(d.get('Messages', [])))")" "1"
check "MessageId" "$(jget "d['Messages'][0]['MessageId']")" "$MID"
check "Body" "$(jget "d['Messages'][0]['Body']")" "$BODY"
check "MD5OfBody" "$(jget "d['Messages'][0]['MD5OfBody']")" "$(md5 "$BODY")"
check "MD5OfMessageAttributes (receive)" "$(jget "d['Messages'][0].get('MD5OfMessageAttributes')")" "$EXPECTED_ATTR_MD5"
check "MessageAttributes" "$(jget "d['Messages'][0].get('MessageAttributes')")" \
  '{"Bin": {"BinaryValue": "AQID", "DataType": "Binary.gif"}, "Hello": {"DataType": "String", "StringValue": "There"}, "Num": {"DataType": "Number.float", "StringValue": "3.14"}}'
check "system attribute names" "$(jget "sorted(d['Messages'][0].get('Attributes', {}))")" \
  '["ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"]'
check "ApproximateReceiveCount" "$(jget "d['Messages'][0]['Attributes']['ApproximateReceiveCount']")" "1"
check "SentTimestamp is epoch ms" \
  "$(jget "str(abs(int(d['Messages'][0]['Attributes']['SentTimestamp']) - __import__('time').time() * 1000) < 120000)")" "True"
RH=$(jget "d['Messages'][0]['ReceiptHandle']")
check "in flight" "$(qattr "$URL" ApproximateNumberOfMessagesNotVisible)" "1"
aws_sqs delete-message --queue-url "$URL" --receipt-handle "$RH"
expect_ok "delete-message"
check "not visible after delete" "$(qattr "$URL" ApproximateNumberOfMessagesNotVisible)" "0"
check "visible after delete" "$(qattr "$URL" ApproximateNumberOfMessages)" "0"
aws_sqs delete-message --queue-url "$URL" --receipt-handle garbage
check "garbage handle exit code" "$RC" "254"
check_contains "garbage handle stderr" "$ERR" "ReceiptHandleIsInvalid"

section "CR/LF and non-BMP body round trip"
BODY2=$'line1\r\nline2\r"quote" \xf0\x9f\x98\x80 end'
aws_sqs send-message --queue-url "$URL" --message-body "$BODY2"
expect_ok "send-message crlf"
check "MD5OfMessageBody crlf" "$(jget "d['MD5OfMessageBody']")" "$(md5 "$BODY2")"
aws_sqs receive-message --queue-url "$URL" --wait-time-seconds 2
expect_ok "receive crlf"
check "crlf body byte-exact" "$(jget "d['Messages'][0]['Body'].encode('utf-8').hex()")" \
  "$(printf '%s' "$BODY2" | od -An -tx1 | tr -d ' \n')"
check "MD5OfBody crlf" "$(jget "d['Messages'][0]['MD5OfBody']")" "$(md5 "$BODY2")"
RH=$(jget "d['Messages'][0]['ReceiptHandle']")
aws_sqs delete-message --queue-url "$URL" --receipt-handle "$RH"
expect_ok "delete crlf message"

section "send-message-batch"
aws_sqs send-message-batch --queue-url "$URL" --entries \
  '[{"Id":"a","MessageBody":"batch one"},{"Id":"b","MessageBody":"batch two"},{"Id":"c","MessageBody":"batch three","MessageAttributes":{"Hello":{"DataType":"String","StringValue":"There"}}}]'
expect_ok "send-message-batch"
check "successful ids" "$(jget "sorted(e['Id'] for e in d.get('Successful', []))")" '["a", "b", "c"]'
check "no failures" "$(jget "d.get('Failed', [])")" "[]"
check "batch MD5 a" "$(jget "[e['MD5OfMessageBody'] for e in d['Successful'] if e['Id'] == 'a'][0]")" "$(md5 'batch one')"
check "batch MD5 attrs c" "$(jget "[e.get('MD5OfMessageAttributes') for e in d['Successful'] if e['Id'] == 'c'][0]")" \
  "a311262e065454b75da111d535b8dacd"
check "three visible" "$(qattr "$URL" ApproximateNumberOfMessages)" "3"
aws_sqs receive-message --queue-url "$URL" --wait-time-seconds 2 --max-number-of-messages 10 --visibility-timeout 0
expect_ok "receive batch"
check "batch bodies" "$(jget "sorted(m['Body'] for m in d.get('Messages', []))")" \
  '["batch one", "batch three", "batch two"]'
aws_sqs send-message-batch --queue-url "$URL" --entries \
  "$("$PY" -c 'import json; print(json.dumps([{"Id": "e%d" % i, "MessageBody": "x"} for i in range(11)]))')"
check "11 entries exit code" "$RC" "254"
check_contains "11 entries stderr" "$ERR" "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"

section "tag-queue / list-queue-tags / untag-queue"
aws_sqs tag-queue --queue-url "$URL" --tags env=dev,team=core
expect_ok "tag-queue"
aws_sqs list-queue-tags --queue-url "$URL"
expect_ok "list-queue-tags"
check "tags" "$(jget "d.get('Tags')")" '{"env": "dev", "team": "core"}'
aws_sqs untag-queue --queue-url "$URL" --tag-keys team
expect_ok "untag-queue"
aws_sqs list-queue-tags --queue-url "$URL"
check "tags after untag" "$(jget "d.get('Tags')")" '{"env": "dev"}'

section "purge-queue"
aws_sqs purge-queue --queue-url "$URL"
expect_ok "purge-queue"
check "empty after purge" "$(qattr "$URL" ApproximateNumberOfMessages)" "0"
aws_sqs receive-message --queue-url "$URL" --wait-time-seconds 1
expect_ok "receive after purge"
check "no messages after purge" "$(jget "str(len(d.get('Messages', [])))")" "0"
aws_sqs purge-queue --queue-url "$URL"
check "second purge exit code" "$RC" "254"
check_contains "second purge stderr" "$ERR" "AWS.SimpleQueueService.PurgeQueueInProgress"

section "delete-queue"
aws_sqs delete-queue --queue-url "$URL"
expect_ok "delete-queue"
aws_sqs get-queue-url --queue-name "$Q"
check "deleted queue exit code" "$RC" "254"
check_contains "deleted queue stderr" "$ERR" "AWS.SimpleQueueService.NonExistentQueue"

section "error: get-queue-url of a missing queue"
aws_sqs get-queue-url --queue-name "$(uniq_name missing)"
if [[ $RC -eq 254 || $RC -eq 255 ]]; then pass; else fail "exit code: expected 254/255, got $RC"; fi
check_contains "stderr" "$ERR" "AWS.SimpleQueueService.NonExistentQueue"
check_contains "stderr operation" "$ERR" "GetQueueUrl"
check "stdout empty" "$OUT" ""

section "dead-letter queue: redrive policy, dead-lettering, list-dead-letter-source-queues"
DLQ_NAME=$(uniq_name dlq)
aws_sqs create-queue --queue-name "$DLQ_NAME"
expect_ok "create DLQ"
DLQ_URL=$(jget "d['QueueUrl']")
QUEUES+=("$DLQ_URL")
DLQ_ARN=$(qattr "$DLQ_URL" QueueArn)
SRC_NAME=$(uniq_name src)
POLICY="{\"deadLetterTargetArn\":\"$DLQ_ARN\",\"maxReceiveCount\":1}"
ATTRS=$("$PY" -c 'import json,sys; print(json.dumps({"RedrivePolicy": sys.argv[1], "VisibilityTimeout": "0"}))' "$POLICY")
aws_sqs create-queue --queue-name "$SRC_NAME" --attributes "$ATTRS"
expect_ok "create source with RedrivePolicy"
SRC_URL=$(jget "d['QueueUrl']")
QUEUES+=("$SRC_URL")
check "RedrivePolicy as AWS formats it" "$(qattr "$SRC_URL" RedrivePolicy)" "$POLICY"
aws_sqs send-message --queue-url "$SRC_URL" --message-body "poison"
expect_ok "send poison message"
aws_sqs receive-message --queue-url "$SRC_URL"
check "first receive delivers it" "$(jget "d['Messages'][0]['Body']")" "poison"
aws_sqs receive-message --queue-url "$SRC_URL"
check "second receive moves it to the DLQ" "$(jget "str(len(d.get('Messages', [])))")" "0"
aws_sqs receive-message --queue-url "$DLQ_URL" --attribute-names All --wait-time-seconds 2
check "DLQ has it" "$(jget "d['Messages'][0]['Body']")" "poison"
check "DeadLetterQueueSourceArn" "$(jget "d['Messages'][0]['Attributes']['DeadLetterQueueSourceArn']")" \
  "arn:aws:sqs:${AWS_DEFAULT_REGION}:${ACCOUNT}:${SRC_NAME}"
check "receive count carried over" "$(jget "d['Messages'][0]['Attributes']['ApproximateReceiveCount']")" "2"
aws_sqs list-dead-letter-source-queues --queue-url "$DLQ_URL"
expect_ok "list-dead-letter-source-queues"
check "source listed" "$(jget "d.get('queueUrls')")" "[\"$SRC_URL\"]"

section "signatures and cross-account access (security.md §1.10, §2.7-2.8)"
# as_second <args...>: aws_sqs signed with the second account's root key (run.sh declares it).
as_second() {
  AWS_ACCESS_KEY_ID="$WHARF_SECOND_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$WHARF_SECOND_SECRET_KEY" aws_sqs "$@"
}
AWS_SECRET_ACCESS_KEY=wrong-secret aws_sqs list-queues
check_contains "wrong secret" "$ERR" "(SignatureDoesNotMatch)"
AWS_ACCESS_KEY_ID=AKIANOSUCHKEY000 aws_sqs list-queues
check_contains "unknown key" "$ERR" "(InvalidClientTokenId)"
SHARED_NAME=$(uniq_name shared)
aws_sqs create-queue --queue-name "$SHARED_NAME"
expect_ok "create shared queue"
SHARED_URL=$(jget "d['QueueUrl']")
QUEUES+=("$SHARED_URL")
as_second send-message --queue-url "$SHARED_URL" --message-body "before"
check_contains "second account without a grant" "$ERR" "(AccessDenied)"
check_contains "IAM wording" "$ERR" "User: arn:aws:iam::${WHARF_SECOND_ACCOUNT}:root is not authorized to perform: sqs:sendmessage"
aws_sqs add-permission --queue-url "$SHARED_URL" --label cli-grant \
  --aws-account-ids "$WHARF_SECOND_ACCOUNT" --actions SendMessage ReceiveMessage
expect_ok "add-permission"
as_second send-message --queue-url "$SHARED_URL" --message-body "granted"
expect_ok "second account sends after add-permission"
as_second receive-message --queue-url "$SHARED_URL" --wait-time-seconds 2
check "second account receives after add-permission" "$(jget "d['Messages'][0]['Body']")" "granted"
as_second delete-queue --queue-url "$SHARED_URL"
check_contains "delete-queue stays with the owner" "$ERR" "(AccessDenied)"
aws_sqs remove-permission --queue-url "$SHARED_URL" --label cli-grant
expect_ok "remove-permission"
check "Policy gone with its last statement" "$(qattr "$SHARED_URL" Policy)" "<absent>"
as_second send-message --queue-url "$SHARED_URL" --message-body "after"
check_contains "second account after remove-permission" "$ERR" "(AccessDenied)"

echo "cli: $PASSES checks passed, $FAILURES failed"
[[ $FAILURES -eq 0 ]]

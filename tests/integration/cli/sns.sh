#!/usr/bin/env bash
# SNS fan-out with the AWS CLI (Debian's /usr/bin/aws 2.9.19, AWS Query) against a running Wharf
# (shared/docs/sns-fanout.md): topics, subscriptions, one publish reaching two queues, the signed
# envelope checked against the served certificate, raw delivery with attributes and their MD5,
# a queue without the SNS policy receiving nothing, FIFO order, and SNS's errors with their HTTP
# statuses. Needs WHARF_ENDPOINT and the root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
# Counts failures and exits non-zero if any check failed.
set -u

AWS=/usr/bin/aws
PY=/usr/bin/python3
: "${WHARF_ENDPOINT:?WHARF_ENDPOINT must be set}"
export AWS_PAGER=""
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
ACCOUNT=000000000000
REGION=$AWS_DEFAULT_REGION

PASSES=0
FAILURES=0
CURRENT=""
TMPD=$(mktemp -d)
SUFFIX=$("$PY" -c 'import uuid; print(uuid.uuid4().hex[:10])')
TOPICS=()
QUEUES=()
cleanup() {
  for t in "${TOPICS[@]+"${TOPICS[@]}"}"; do "$AWS" --endpoint-url "$WHARF_ENDPOINT" sns delete-topic --topic-arn "$t" >/dev/null 2>&1; done
  for u in "${QUEUES[@]+"${QUEUES[@]}"}"; do "$AWS" --endpoint-url "$WHARF_ENDPOINT" sqs delete-queue --queue-url "$u" >/dev/null 2>&1; done
  rm -rf "$TMPD"
}
trap cleanup EXIT

section() { CURRENT=$1; echo "== $1"; }
pass() { PASSES=$((PASSES + 1)); }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL [$CURRENT] $*" >&2; }
check() { if [[ "$2" == "$3" ]]; then pass; else fail "$1: expected [$3], got [$2]"; fi; }
check_contains() { if [[ "$2" == *"$3"* ]]; then pass; else fail "$1: [$3] not found in [$2]"; fi; }

# aws_cli <service> <args...>: runs the CLI (with --debug, for the HTTP status), sets OUT, ERR,
# RC and STATUS (the last HTTP status of the call).
aws_cli() {
  OUT=$("$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json --debug "$@" 2>"$TMPD/stderr")
  RC=$?
  ERR=$(grep -v '^[0-9-]* [0-9:,]* - ' "$TMPD/stderr" | grep -v '^$' | tail -n 3)
  STATUS=$(grep -o '"POST / HTTP/1.1" [0-9]*' "$TMPD/stderr" | grep -o '[0-9]*$' | tail -n 1)
}
expect_ok() { if [[ $RC -eq 0 ]]; then pass; else fail "$1: exit code $RC, stderr: $ERR"; fi; }
# expect_error <what> <code> <http status> [<exact message>]
expect_error() {
  if [[ $RC -ne 0 ]]; then pass; else fail "$1: succeeded, expected $2"; fi
  check_contains "$1 error code" "$ERR" "($2)"
  check "$1 HTTP status" "$STATUS" "$3"
  if [[ $# -ge 4 ]]; then check_contains "$1 message" "$ERR" "operation: $4"; fi
}
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
queue_arn() { echo "arn:aws:sqs:$REGION:$ACCOUNT:$1"; }
# new_queue <name> [<topic arn allowed to deliver>] [fifo]: creates it, prints its URL.
new_queue() {
  local name=$1 topic=${2:-} fifo=${3:-}
  "$PY" - "$name" "$topic" "$fifo" "$(queue_arn "$1")" >"$TMPD/attrs.json" <<'PYEOF'
import json, sys
name, topic, fifo, arn = sys.argv[1:5]
attrs = {}
if fifo:
    attrs["FifoQueue"] = "true"
if topic:
    attrs["Policy"] = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})
print(json.dumps(attrs))
PYEOF
  local url
  url=$("$AWS" --endpoint-url "$WHARF_ENDPOINT" --output text sqs create-queue --queue-name "$name" \
    --attributes "file://$TMPD/attrs.json" --query QueueUrl)
  QUEUES+=("$url")
  echo "$url"
}
# receive_all <url> <count>: receives until <count> messages arrived (or 10 s), prints them as JSON.
receive_all() {
  local url=$1 want=$2 deadline=$((SECONDS + 10)) all="[]"
  while :; do
    local got
    got=$("$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json sqs receive-message --queue-url "$url" \
      --max-number-of-messages 10 --wait-time-seconds 1 --message-attribute-names All \
      --attribute-names All)
    all=$(printf '%s\n%s' "$all" "$got" | "$PY" -c "
import json, sys
text = sys.stdin.read().split('\n', 1)
acc = json.loads(text[0])
more = json.loads(text[1] or '{}').get('Messages', [])
print(json.dumps(acc + more))")
    local n
    n=$(printf '%s' "$all" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
    if [[ $n -ge $want || $SECONDS -ge $deadline ]]; then break; fi
  done
  printf '%s' "$all"
}

# ----------------------------------------------------------------------------------------
section "create-topic / get-topic-attributes / list-topics"
TOPIC_NAME="cli-sns-$SUFFIX"
TOPIC="arn:aws:sns:$REGION:$ACCOUNT:$TOPIC_NAME"
aws_cli sns create-topic --name "$TOPIC_NAME" --attributes DisplayName=Orders --tags Key=team,Value=billing
expect_ok "create-topic"
check "TopicArn" "$(jget "d['TopicArn']")" "$TOPIC"
TOPICS+=("$TOPIC")
aws_cli sns create-topic --name "$TOPIC_NAME" --attributes DisplayName=Orders
expect_ok "create-topic again with the same attributes"
check "idempotent" "$(jget "d['TopicArn']")" "$TOPIC"
aws_cli sns get-topic-attributes --topic-arn "$TOPIC"
expect_ok "get-topic-attributes"
check "DisplayName" "$(jget "d['Attributes']['DisplayName']")" "Orders"
check "Owner" "$(jget "d['Attributes']['Owner']")" "$ACCOUNT"
check "SignatureVersion" "$(jget "d['Attributes']['SignatureVersion']")" "1"
aws_cli sns list-topics
expect_ok "list-topics"
check "listed" "$(jget "str('$TOPIC' in [t['TopicArn'] for t in d['Topics']])")" "True"
aws_cli sns list-tags-for-resource --resource-arn "$TOPIC"
check "tags" "$(jget "d['Tags']")" '[{"Key": "team", "Value": "billing"}]'

section "one publish reaches two queues; the envelope verifies against the served certificate"
QA=$(new_queue "cli-sns-a-$SUFFIX" "$TOPIC")
QB=$(new_queue "cli-sns-b-$SUFFIX" "$TOPIC")
aws_cli sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$(queue_arn "cli-sns-a-$SUFFIX")"
expect_ok "subscribe a"
SUB_A=$(jget "d['SubscriptionArn']")
check_contains "subscription ARN" "$SUB_A" "$TOPIC:"
aws_cli sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$(queue_arn "cli-sns-b-$SUFFIX")"
expect_ok "subscribe b"
aws_cli sns list-subscriptions-by-topic --topic-arn "$TOPIC"
check "two subscriptions" "$(jget "len(d['Subscriptions'])")" "2"
aws_cli sns publish --topic-arn "$TOPIC" --subject "Order placed" --message "line1
line2 \"quoted\" ü" --message-attributes '{"store":{"DataType":"String","StringValue":"example_corp"}}'
expect_ok "publish"
MID=$(jget "d['MessageId']")
OUT=$(receive_all "$QA" 1)
check "queue a got one" "$(jget "len(d)")" "1"
BODY_A=$(jget "d[0]['Body']")
OUT=$(receive_all "$QB" 1)
check "queue b got one" "$(jget "len(d)")" "1"
check "same MessageId in b" "$(jget "json.loads(d[0]['Body'])['MessageId']")" "$MID"
OUT=$BODY_A
check "key order" "$(jget "','.join(d.keys())")" \
  "Type,MessageId,TopicArn,Subject,Message,Timestamp,SignatureVersion,Signature,SigningCertURL,UnsubscribeURL,MessageAttributes"
check "MessageId" "$(jget "d['MessageId']")" "$MID"
check "Message" "$(jget "d['Message']")" "line1
line2 \"quoted\" ü"
check "UnsubscribeURL" "$(jget "d['UnsubscribeURL']")" "$WHARF_ENDPOINT/?Action=Unsubscribe&SubscriptionArn=$SUB_A"
check "attributes in the envelope" "$(jget "d['MessageAttributes']")" '{"store": {"Type": "String", "Value": "example_corp"}}'
CERT_URL=$(jget "d['SigningCertURL']")
curl -sf "$CERT_URL" -o "$TMPD/cert.pem"
check "certificate served without credentials" "$?" "0"
printf '%s' "$BODY_A" >"$TMPD/envelope.json"
VERIFY=$("$PY" - "$TMPD/envelope.json" "$TMPD/cert.pem" <<'PYEOF'
import base64, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
env = json.load(open(sys.argv[1]))
cert = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
def string_to_sign(e):
    keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    return "".join(f"{k}\n{e[k]}\n" for k in keys if k in e).encode()
def verifies(e):
    digest = hashes.SHA256() if e["SignatureVersion"] == "2" else hashes.SHA1()
    try:
        cert.public_key().verify(base64.b64decode(e["Signature"]), string_to_sign(e),
                                 padding.PKCS1v15(), digest)
        return True
    except Exception:
        return False
tampered = dict(env, Message=env["Message"] + " ")
print(f"{verifies(env)} {verifies(tampered)}")
PYEOF
)
check "signature verifies; a changed message does not" "$VERIFY" "True False"

section "raw delivery: attributes become SQS attributes with a correct MD5"
RAW_QUEUE="cli-sns-raw-$SUFFIX"
QR=$(new_queue "$RAW_QUEUE" "$TOPIC")
aws_cli sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$(queue_arn "$RAW_QUEUE")" \
  --attributes RawMessageDelivery=true
expect_ok "subscribe raw"
aws_cli sns publish --topic-arn "$TOPIC" --message "raw body" \
  --message-attributes '{"price":{"DataType":"Number","StringValue":"12.5"},"blob":{"DataType":"Binary","BinaryValue":"AAE="}}'
expect_ok "publish with attributes"
OUT=$(receive_all "$QR" 1)
check "raw body" "$(jget "d[0]['Body']")" "raw body"
check "raw attributes" "$(jget "sorted(d[0]['MessageAttributes'])")" '["blob", "price"]'
check "binary stays binary" "$(jget "d[0]['MessageAttributes']['blob']['BinaryValue']")" "AAE="
EXPECTED_MD5=$("$PY" - <<'PYEOF'
import base64, hashlib, struct
attrs = {"blob": ("Binary", base64.b64decode("AAE=")), "price": ("Number", b"12.5")}
md5 = hashlib.md5()
for name in sorted(attrs):
    kind, value = attrs[name]
    for part in (name.encode(), kind.encode()):
        md5.update(struct.pack(">I", len(part)) + part)
    md5.update(bytes([2 if kind.startswith("Binary") else 1]))
    md5.update(struct.pack(">I", len(value)) + value)
print(md5.hexdigest())
PYEOF
)
check "MD5OfMessageAttributes" "$(jget "d[0]['MD5OfMessageAttributes']")" "$EXPECTED_MD5"

section "a queue without the SNS policy receives nothing"
CLOSED="cli-sns-closed-$SUFFIX"
QC=$(new_queue "$CLOSED")
aws_cli sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "$(queue_arn "$CLOSED")"
expect_ok "subscribe the closed queue"
aws_cli sns publish --topic-arn "$TOPIC" --message "not for the closed queue"
expect_ok "publish still succeeds"
OUT=$(receive_all "$QA" 2)  # the raw section's message is still there too
check "the open queue got it" "$(jget "sum(m['Body'].count('not for the closed queue') for m in d)")" "1"
sleep 0.5
OUT=$("$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json sqs receive-message --queue-url "$QC" --wait-time-seconds 1)
check "the closed queue got nothing" "$(jget "len(d.get('Messages', []))")" "0"

section "a filter policy lets only matching messages through"
FILTER_TOPIC_NAME="cli-sns-filter-$SUFFIX"
FILTER_TOPIC="arn:aws:sns:$REGION:$ACCOUNT:$FILTER_TOPIC_NAME"
aws_cli sns create-topic --name "$FILTER_TOPIC_NAME"
expect_ok "create filter topic"
TOPICS+=("$FILTER_TOPIC")
QALL=$(new_queue "cli-sns-fall-$SUFFIX" "$FILTER_TOPIC")
QSOME=$(new_queue "cli-sns-fsome-$SUFFIX" "$FILTER_TOPIC")
aws_cli sns subscribe --topic-arn "$FILTER_TOPIC" --protocol sqs \
  --notification-endpoint "$(queue_arn "cli-sns-fall-$SUFFIX")" --attributes RawMessageDelivery=true
expect_ok "subscribe unfiltered"
cat >"$TMPD/filter.json" <<'JSONEOF'
{"RawMessageDelivery": "true", "FilterPolicy": "{\"event\": [{\"prefix\": \"order-\"}], \"amount\": [{\"numeric\": [\">\", 10]}]}"}
JSONEOF
aws_cli sns subscribe --topic-arn "$FILTER_TOPIC" --protocol sqs \
  --notification-endpoint "$(queue_arn "cli-sns-fsome-$SUFFIX")" --attributes "file://$TMPD/filter.json"
expect_ok "subscribe filtered"
FILTERED_SUB=$(jget "d['SubscriptionArn']")
publish_event() {
  aws_cli sns publish --topic-arn "$FILTER_TOPIC" --message "$1" --message-attributes \
    "{\"event\":{\"DataType\":\"String\",\"StringValue\":\"$2\"},\"amount\":{\"DataType\":\"Number\",\"StringValue\":\"$3\"}}"
  expect_ok "publish $1"
}
publish_event match order-created 50
publish_event small order-created 5
publish_event other refund-issued 50
OUT=$(receive_all "$QALL" 3)
check "the unfiltered queue got all three" "$(jget "','.join(sorted(m['Body'] for m in d))")" "match,other,small"
OUT=$(receive_all "$QSOME" 2)
check "the filtered queue got only the match" "$(jget "','.join(m['Body'] for m in d)")" "match"
aws_cli sns set-subscription-attributes --subscription-arn "$FILTERED_SUB" \
  --attribute-name FilterPolicy --attribute-value '{"amount":[{"numeric":["<"]}]}'
expect_error "an invalid filter policy" InvalidParameter 400

section "FIFO topic → FIFO queue keeps order"
FIFO_NAME="cli-sns-$SUFFIX.fifo"
FIFO_TOPIC="arn:aws:sns:$REGION:$ACCOUNT:$FIFO_NAME"
aws_cli sns create-topic --name "$FIFO_NAME" --attributes FifoTopic=true,ContentBasedDeduplication=true
expect_ok "create FIFO topic"
TOPICS+=("$FIFO_TOPIC")
QF=$(new_queue "cli-sns-q-$SUFFIX.fifo" "$FIFO_TOPIC" fifo)
aws_cli sns subscribe --topic-arn "$FIFO_TOPIC" --protocol sqs --notification-endpoint "$(queue_arn "cli-sns-q-$SUFFIX.fifo")"
expect_ok "subscribe FIFO queue"
for i in 1 2 3 4 5; do
  aws_cli sns publish --topic-arn "$FIFO_TOPIC" --message "m$i" --message-group-id g
  expect_ok "publish m$i"
done
check "SequenceNumber" "$(jget "len(d['SequenceNumber'])")" "20"
sleep 1  # deliveries follow the acknowledgements; let all five arrive before the group is read
OUT=$(receive_all "$QF" 5)
check "order" "$(jget "','.join(json.loads(m['Body'])['Message'] for m in d)")" "m1,m2,m3,m4,m5"
check "group forwarded" "$(jget "d[0]['Attributes']['MessageGroupId']")" "g"

section "errors: SNS codes, messages and HTTP statuses"
aws_cli sns publish --topic-arn "arn:aws:sns:$REGION:$ACCOUNT:cli-no-such-$SUFFIX" --message x
expect_error "publish to an unknown topic" NotFound 404 "Topic does not exist"
aws_cli sns create-topic --name "bad name"
expect_error "bad topic name" InvalidParameter 400 "Invalid parameter: Topic Name"
aws_cli sns get-topic-attributes --topic-arn "arn:aws:sns:$REGION:$ACCOUNT"
expect_error "malformed ARN" InvalidParameter 400 \
  "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"
aws_cli sns subscribe --topic-arn "$TOPIC" --protocol sqs --notification-endpoint "arn:aws:sqs:$REGION:$ACCOUNT:x.fifo"
expect_error "FIFO queue on a standard topic" InvalidParameter 400 \
  "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
aws_cli sns unsubscribe --subscription-arn "$TOPIC:00000000-0000-4000-8000-000000000000"
expect_error "unknown subscription" NotFound 404 "Subscription does not exist"
aws_cli sns publish --topic-arn "$FIFO_TOPIC" --message x
expect_error "FIFO publish without a group" InvalidParameter 400 \
  "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
aws_cli sns list-tags-for-resource --resource-arn "arn:aws:sns:$REGION:$ACCOUNT:cli-no-such-$SUFFIX"
expect_error "tags of an unknown topic" ResourceNotFound 404

section "unsubscribe / delete-topic"
aws_cli sns unsubscribe --subscription-arn "$SUB_A"
expect_ok "unsubscribe"
aws_cli sns delete-topic --topic-arn "$TOPIC"
expect_ok "delete-topic"
aws_cli sns list-subscriptions
check "the topic's subscriptions went with it" "$(jget "[s for s in d['Subscriptions'] if s['TopicArn'] == '$TOPIC']")" "[]"

echo "cli-sns: $PASSES checks passed, $FAILURES failed"
[[ $FAILURES -eq 0 ]]

#!/usr/bin/env bash
# IAM and STS with the AWS CLI (Debian's /usr/bin/aws 2.9.19, AWS Query) against a running Wharf
# (security.md §3): users, access keys, inline policies, roles, AssumeRole and temporary
# credentials. Needs WHARF_ENDPOINT and the root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
# Counts failures and exits non-zero if any check failed.
set -u

AWS=/usr/bin/aws
PY=/usr/bin/python3
: "${WHARF_ENDPOINT:?WHARF_ENDPOINT must be set}"
export AWS_PAGER=""
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
ACCOUNT=000000000000
ROOT_KEY=$AWS_ACCESS_KEY_ID
ROOT_SECRET=$AWS_SECRET_ACCESS_KEY

PASSES=0
FAILURES=0
CURRENT=""
TMPD=$(mktemp -d)
SUFFIX=$("$PY" -c 'import uuid; print(uuid.uuid4().hex[:10])')
USER_NAME="cli-user-$SUFFIX"
ROLE_NAME="cli-role-$SUFFIX"
USER_KEY=""
USER_SECRET=""

section() { CURRENT=$1; echo "== $1"; }
pass() { PASSES=$((PASSES + 1)); }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL [$CURRENT] $*" >&2; }
check() { if [[ "$2" == "$3" ]]; then pass; else fail "$1: expected [$3], got [$2]"; fi; }
check_contains() { if [[ "$2" == *"$3"* ]]; then pass; else fail "$1: [$3] not found in [$2]"; fi; }

# aws_as <key> <secret> <token|""> <service> <args...>: runs the CLI with those credentials.
aws_as() {
  local key=$1 secret=$2 token=$3
  shift 3
  if [[ -n "$token" ]]; then
    OUT=$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
      "$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json "$@" 2>"$TMPD/stderr")
  else
    OUT=$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret env -u AWS_SESSION_TOKEN \
      "$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json "$@" 2>"$TMPD/stderr")
  fi
  RC=$?
  ERR=$(cat "$TMPD/stderr")
}
aws_root() { aws_as "$ROOT_KEY" "$ROOT_SECRET" "" "$@"; }
expect_ok() { if [[ $RC -eq 0 ]]; then pass; else fail "$1: exit code $RC, stderr: $ERR"; fi; }
expect_error() { # expect_error <what> <code>
  if [[ $RC -ne 0 ]]; then pass; else fail "$1: succeeded, expected $2"; fi
  check_contains "$1 error code" "$ERR" "($2)"
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

SQS_URL=""
cleanup() {
  if [[ -n "$SQS_URL" ]]; then aws_root sqs delete-queue --queue-url "$SQS_URL"; fi
  aws_root iam delete-role-policy --role-name "$ROLE_NAME" --policy-name send-only
  aws_root iam delete-role --role-name "$ROLE_NAME"
  aws_root iam delete-user-policy --user-name "$USER_NAME" --policy-name send-only
  if [[ -n "$USER_KEY" ]]; then
    aws_root iam delete-access-key --user-name "$USER_NAME" --access-key-id "$USER_KEY"
  fi
  aws_root iam delete-user --user-name "$USER_NAME"
  rm -rf "$TMPD"
}
trap cleanup EXIT

SEND_ONLY='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}'

# ----------------------------------------------------------------------------------------
section "sts get-caller-identity as the account root"
aws_root sts get-caller-identity
expect_ok "get-caller-identity"
check "root Arn" "$(jget "d['Arn']")" "arn:aws:iam::$ACCOUNT:root"
check "root UserId" "$(jget "d['UserId']")" "$ACCOUNT"
check "root Account" "$(jget "d['Account']")" "$ACCOUNT"

section "iam get-user as the account root describes the root"
aws_root iam get-user
expect_ok "get-user without a name as root"
check "root Arn" "$(jget "d['User']['Arn']")" "arn:aws:iam::$ACCOUNT:root"
check "root UserId" "$(jget "d['User']['UserId']")" "$ACCOUNT"

section "iam create-user / get-user / list-users"
aws_root iam create-user --user-name "$USER_NAME"
expect_ok "create-user"
check "user Arn" "$(jget "d['User']['Arn']")" "arn:aws:iam::$ACCOUNT:user/$USER_NAME"
check "user Path" "$(jget "d['User']['Path']")" "/"
USER_ID=$(jget "d['User']['UserId']")
check "UserId prefix" "${USER_ID:0:4}" "AIDA"
check "UserId length" "${#USER_ID}" "21"
aws_root iam create-user --user-name "$USER_NAME"
expect_error "create-user twice" "EntityAlreadyExists"
aws_root iam get-user --user-name "$USER_NAME"
expect_ok "get-user"
check "get-user UserId" "$(jget "d['User']['UserId']")" "$USER_ID"
aws_root iam get-user --user-name "missing-$SUFFIX"
expect_error "get-user of a missing user" "NoSuchEntity"
check_contains "NoSuchEntity message" "$ERR" "The user with name missing-$SUFFIX cannot be found."
aws_root iam list-users
expect_ok "list-users"
check "listed" "$(jget "str('$USER_NAME' in [u['UserName'] for u in d['Users']])")" "True"

section "iam create-access-key / list-access-keys"
aws_root iam create-access-key --user-name "$USER_NAME"
expect_ok "create-access-key"
USER_KEY=$(jget "d['AccessKey']['AccessKeyId']")
USER_SECRET=$(jget "d['AccessKey']['SecretAccessKey']")
check "key prefix" "${USER_KEY:0:4}" "AKIA"
check "key length" "${#USER_KEY}" "20"
check "secret length" "${#USER_SECRET}" "40"
check "key status" "$(jget "d['AccessKey']['Status']")" "Active"
aws_root iam list-access-keys --user-name "$USER_NAME"
expect_ok "list-access-keys"
check "listed key" "$(jget "[k['AccessKeyId'] for k in d['AccessKeyMetadata']]")" "[\"$USER_KEY\"]"
check "no secret in the listing" "$(jget "str('SecretAccessKey' in d['AccessKeyMetadata'][0])")" "False"

section "iam put-user-policy / get-user-policy (send only)"
aws_root iam put-user-policy --user-name "$USER_NAME" --policy-name send-only --policy-document "$SEND_ONLY"
expect_ok "put-user-policy"
aws_root iam get-user-policy --user-name "$USER_NAME" --policy-name send-only
expect_ok "get-user-policy"
check "document (URL-decoded by the CLI)" "$(jget "d['PolicyDocument']['Statement'][0]['Action']")" "sqs:SendMessage"
aws_root iam list-user-policies --user-name "$USER_NAME"
check "list-user-policies" "$(jget "d['PolicyNames']")" '["send-only"]'
aws_root iam put-user-policy --user-name "$USER_NAME" --policy-name bad --policy-document '{"Statement":'
expect_error "malformed policy" "MalformedPolicyDocument"
aws_root iam delete-user --user-name "$USER_NAME"
expect_error "delete-user with keys and policies" "DeleteConflict"

section "the user calls with its own key"
aws_as "$USER_KEY" "$USER_SECRET" "" sts get-caller-identity
expect_ok "get-caller-identity as the user"
check "user Arn" "$(jget "d['Arn']")" "arn:aws:iam::$ACCOUNT:user/$USER_NAME"
check "user UserId" "$(jget "d['UserId']")" "$USER_ID"
aws_as "$USER_KEY" "$USER_SECRET" "" iam list-users
expect_error "iam without permission" "AccessDenied"
check_contains "AccessDenied message" "$ERR" "is not authorized to perform: iam:ListUsers"
aws_as "$USER_KEY" "wrong$USER_SECRET" "" sts get-caller-identity
expect_error "wrong secret" "SignatureDoesNotMatch"

section "a send-only user on SQS (security.md §2.7)"
aws_root sqs create-queue --queue-name "cli-iam-$SUFFIX"
expect_ok "create queue as root"
SQS_URL=$(jget "d['QueueUrl']")
aws_as "$USER_KEY" "$USER_SECRET" "" sqs send-message --queue-url "$SQS_URL" --message-body "from a user"
expect_ok "the send-only user sends"
aws_as "$USER_KEY" "$USER_SECRET" "" sqs receive-message --queue-url "$SQS_URL"
expect_error "the send-only user may not receive" "AccessDenied"
check_contains "denied with the user's ARN" "$ERR" \
  "User: arn:aws:iam::$ACCOUNT:user/$USER_NAME is not authorized to perform: sqs:receivemessage"
aws_as "$USER_KEY" "$USER_SECRET" "" sqs delete-queue --queue-url "$SQS_URL"
expect_error "the send-only user may not delete the queue" "AccessDenied"
aws_root sqs receive-message --queue-url "$SQS_URL" --attribute-names SenderId
check "root receives the user's message" "$(jget "d['Messages'][0]['Body']")" "from a user"
check "SenderId is the user's id" "$(jget "d['Messages'][0]['Attributes']['SenderId']")" "$USER_ID"

section "inactive key"
aws_root iam update-access-key --user-name "$USER_NAME" --access-key-id "$USER_KEY" --status Inactive
expect_ok "update-access-key Inactive"
aws_as "$USER_KEY" "$USER_SECRET" "" sts get-caller-identity
expect_error "inactive key" "InvalidClientTokenId"
aws_root iam update-access-key --user-name "$USER_NAME" --access-key-id "$USER_KEY" --status Active
expect_ok "update-access-key Active"

section "iam create-role with a trust policy naming the user"
TRUST="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$ACCOUNT:user/$USER_NAME\"},\"Action\":\"sts:AssumeRole\"}]}"
aws_root iam create-role --role-name "$ROLE_NAME" --assume-role-policy-document "$TRUST"
expect_ok "create-role"
ROLE_ARN=$(jget "d['Role']['Arn']")
check "role Arn" "$ROLE_ARN" "arn:aws:iam::$ACCOUNT:role/$ROLE_NAME"
ROLE_ID=$(jget "d['Role']['RoleId']")
check "RoleId prefix" "${ROLE_ID:0:4}" "AROA"
check "MaxSessionDuration" "$(jget "d['Role']['MaxSessionDuration']")" "3600"
check "trust policy (URL-decoded by the CLI)" "$(jget "d['Role']['AssumeRolePolicyDocument']['Statement'][0]['Principal']['AWS']")" \
  "arn:aws:iam::$ACCOUNT:user/$USER_NAME"
aws_root iam put-role-policy --role-name "$ROLE_NAME" --policy-name send-only --policy-document "$SEND_ONLY"
expect_ok "put-role-policy"

section "sts assume-role and the temporary credentials"
aws_root sts assume-role --role-arn "$ROLE_ARN" --role-session-name worker-1
expect_error "root may not assume roles" "AccessDenied"
aws_as "$USER_KEY" "$USER_SECRET" "" sts assume-role --role-arn "$ROLE_ARN" --role-session-name worker-1 --duration-seconds 7200
expect_error "duration above MaxSessionDuration" "ValidationError"
aws_as "$USER_KEY" "$USER_SECRET" "" sts assume-role --role-arn "arn:aws:iam::$ACCOUNT:role/missing-$SUFFIX" --role-session-name worker-1
expect_error "unknown role" "AccessDenied"
aws_as "$USER_KEY" "$USER_SECRET" "" sts assume-role --role-arn "$ROLE_ARN" --role-session-name worker-1
expect_ok "assume-role"
TMP_KEY=$(jget "d['Credentials']['AccessKeyId']")
TMP_SECRET=$(jget "d['Credentials']['SecretAccessKey']")
TMP_TOKEN=$(jget "d['Credentials']['SessionToken']")
check "temporary key prefix" "${TMP_KEY:0:4}" "ASIA"
check "AssumedRoleUser Arn" "$(jget "d['AssumedRoleUser']['Arn']")" "arn:aws:sts::$ACCOUNT:assumed-role/$ROLE_NAME/worker-1"
check "AssumedRoleId" "$(jget "d['AssumedRoleUser']['AssumedRoleId']")" "$ROLE_ID:worker-1"
check "Expiration about an hour away" \
  "$(jget "str(abs(__import__('datetime').datetime.fromisoformat(d['Credentials']['Expiration'].replace('Z', '+00:00')).timestamp() - __import__('time').time() - 3600) < 120)")" "True"
aws_as "$TMP_KEY" "$TMP_SECRET" "$TMP_TOKEN" sts get-caller-identity
expect_ok "get-caller-identity with the session"
check "session Arn" "$(jget "d['Arn']")" "arn:aws:sts::$ACCOUNT:assumed-role/$ROLE_NAME/worker-1"
check "session UserId" "$(jget "d['UserId']")" "$ROLE_ID:worker-1"
aws_as "$TMP_KEY" "$TMP_SECRET" "${TMP_TOKEN}tampered" sts get-caller-identity
expect_error "tampered session token" "InvalidClientTokenId"
aws_as "$TMP_KEY" "$TMP_SECRET" "" sts get-caller-identity
expect_error "temporary key without its token" "InvalidClientTokenId"
aws_as "$TMP_KEY" "$TMP_SECRET" "$TMP_TOKEN" sqs send-message --queue-url "$SQS_URL" --message-body "from a role"
expect_ok "the role session sends (its role's send-only policy)"
aws_as "$TMP_KEY" "$TMP_SECRET" "$TMP_TOKEN" sqs receive-message --queue-url "$SQS_URL"
expect_error "the role session may not receive" "AccessDenied"
aws_as "$TMP_KEY" "$TMP_SECRET" "$TMP_TOKEN" iam list-users
expect_error "the role may not use IAM" "AccessDenied"
check_contains "denied session ARN" "$ERR" "arn:aws:sts::$ACCOUNT:assumed-role/$ROLE_NAME/worker-1"

section "sts get-session-token"
aws_as "$USER_KEY" "$USER_SECRET" "" sts get-session-token --duration-seconds 900
expect_ok "get-session-token"
S_KEY=$(jget "d['Credentials']['AccessKeyId']")
S_SECRET=$(jget "d['Credentials']['SecretAccessKey']")
S_TOKEN=$(jget "d['Credentials']['SessionToken']")
aws_as "$S_KEY" "$S_SECRET" "$S_TOKEN" sts get-caller-identity
expect_ok "get-caller-identity with the session token"
check "session of the user" "$(jget "d['Arn']")" "arn:aws:iam::$ACCOUNT:user/$USER_NAME"

section "routing: unknown IAM action"
aws_root iam list-saml-providers
expect_error "unimplemented IAM action" "InvalidAction"

section "assumed-role credentials work until they expire (server in --test-mode)"
aws_as "$USER_KEY" "$USER_SECRET" "" sts assume-role --role-arn "$ROLE_ARN" --role-session-name short \
  --duration-seconds 900
expect_ok "assume-role for 900 s"
E_KEY=$(jget "d['Credentials']['AccessKeyId']")
E_SECRET=$(jget "d['Credentials']['SecretAccessKey']")
E_TOKEN=$(jget "d['Credentials']['SessionToken']")
aws_as "$E_KEY" "$E_SECRET" "$E_TOKEN" sqs send-message --queue-url "$SQS_URL" --message-body "in time"
expect_ok "the session sends while valid"
# Move the clock of STS sessions 780 s forward: still valid (real time also passes while the CLI
# runs, hence the 2-minute margin); then 240 s more: expired whatever the real time did.
curl -sf -X POST "$WHARF_ENDPOINT/_wharf/test/clock?advance_seconds=780" >/dev/null
check "advance the session clock 780 s" "$?" "0"
aws_as "$E_KEY" "$E_SECRET" "$E_TOKEN" sqs send-message --queue-url "$SQS_URL" --message-body "still in time"
expect_ok "the session still sends 2 minutes before its expiry"
curl -sf -X POST "$WHARF_ENDPOINT/_wharf/test/clock?advance_seconds=240" >/dev/null
aws_as "$E_KEY" "$E_SECRET" "$E_TOKEN" sqs send-message --queue-url "$SQS_URL" --message-body "too late"
expect_error "the session after its expiry" "ExpiredToken"
aws_as "$E_KEY" "$E_SECRET" "$E_TOKEN" sts get-caller-identity
expect_error "get-caller-identity after expiry" "ExpiredToken"

echo "cli iam/sts: $PASSES checks passed, $FAILURES failed"
[[ $FAILURES -eq 0 ]]

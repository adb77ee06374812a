#!/usr/bin/env bash
# KMS with the AWS CLI (Debian's /usr/bin/aws 2.9.19, AWS JSON 1.1) against a running Wharf
# (security.md §4.4–4.6): keys and aliases, listing with pagination, encryption with a context,
# data keys, key states, an IAM user with and without permissions, bad inputs.
# Needs WHARF_ENDPOINT and the root's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
# Counts failures and exits non-zero if any check failed.
set -u

AWS=/usr/bin/aws
PY=/usr/bin/python3
: "${WHARF_ENDPOINT:?WHARF_ENDPOINT must be set}"
export AWS_PAGER=""
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
REGION=$AWS_DEFAULT_REGION
ACCOUNT=000000000000
ROOT_KEY=$AWS_ACCESS_KEY_ID
ROOT_SECRET=$AWS_SECRET_ACCESS_KEY

PASSES=0
FAILURES=0
CURRENT=""
TMPD=$(mktemp -d)
SUFFIX=$("$PY" -c 'import uuid; print(uuid.uuid4().hex[:10])')
ALIAS="alias/cli-kms-$SUFFIX"
USER_NAME="cli-kms-user-$SUFFIX"
USER_KEY=""
USER_SECRET=""
KEYS=()

section() { CURRENT=$1; echo "== $1"; }
pass() { PASSES=$((PASSES + 1)); }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL [$CURRENT] $*" >&2; }
check() { if [[ "$2" == "$3" ]]; then pass; else fail "$1: expected [$3], got [$2]"; fi; }
check_contains() { if [[ "$2" == *"$3"* ]]; then pass; else fail "$1: [$3] not found in [$2]"; fi; }

# aws_as <key> <secret> <args...>: runs the CLI with those credentials; sets OUT, ERR, RC.
aws_as() {
  local key=$1 secret=$2
  shift 2
  OUT=$(AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret env -u AWS_SESSION_TOKEN \
    "$AWS" --endpoint-url "$WHARF_ENDPOINT" --output json "$@" 2>"$TMPD/stderr")
  RC=$?
  ERR=$(cat "$TMPD/stderr")
}
aws_root() { aws_as "$ROOT_KEY" "$ROOT_SECRET" "$@"; }
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
# b64file <base64> <path>: writes the decoded bytes (for fileb:// arguments).
b64file() { printf '%s' "$1" | base64 -d >"$2"; }

cleanup() {
  aws_root kms delete-alias --alias-name "$ALIAS"
  for k in "${KEYS[@]+"${KEYS[@]}"}"; do
    aws_root kms schedule-key-deletion --key-id "$k" --pending-window-in-days 7
  done
  aws_root iam delete-user-policy --user-name "$USER_NAME" --policy-name kms
  if [[ -n "$USER_KEY" ]]; then
    aws_root iam delete-access-key --user-name "$USER_NAME" --access-key-id "$USER_KEY"
  fi
  aws_root iam delete-user --user-name "$USER_NAME"
  rm -rf "$TMPD"
}
trap cleanup EXIT

# ----------------------------------------------------------------------------------------
section "create-key / create-alias / describe-key"
aws_root kms create-key --description "cli integration" --tags TagKey=suite,TagValue=cli
expect_ok "create-key"
KEY_ID=$(jget "d['KeyMetadata']['KeyId']")
KEY_ARN=$(jget "d['KeyMetadata']['Arn']")
KEYS+=("$KEY_ID")
check "key ARN" "$KEY_ARN" "arn:aws:kms:$REGION:$ACCOUNT:key/$KEY_ID"
check "state" "$(jget "d['KeyMetadata']['KeyState']")" "Enabled"
check "manager" "$(jget "d['KeyMetadata']['KeyManager']")" "CUSTOMER"
check "spec" "$(jget "d['KeyMetadata']['KeySpec']")" "SYMMETRIC_DEFAULT"
aws_root kms create-alias --alias-name "$ALIAS" --target-key-id "$KEY_ID"
expect_ok "create-alias"
for ref in "$KEY_ID" "$KEY_ARN" "$ALIAS" "arn:aws:kms:$REGION:$ACCOUNT:$ALIAS"; do
  aws_root kms describe-key --key-id "$ref"
  expect_ok "describe-key $ref"
  check "describe-key $ref" "$(jget "d['KeyMetadata']['KeyId']")" "$KEY_ID"
done
aws_root kms list-resource-tags --key-id "$KEY_ID"
check "tags" "$(jget "d['Tags']")" '[{"TagKey": "suite", "TagValue": "cli"}]'
aws_root kms get-key-policy --key-id "$KEY_ID" --policy-name default
expect_ok "get-key-policy"
check "default key policy delegates to the account" \
  "$(jget "json.loads(d['Policy'])['Statement'][0]['Principal']['AWS']")" "arn:aws:iam::$ACCOUNT:root"

section "list-keys / list-aliases with pagination"
for i in 1 2; do
  aws_root kms create-key --description "page $i"
  KEYS+=("$(jget "d['KeyMetadata']['KeyId']")")
done
aws_root kms list-keys --no-paginate --limit 1
expect_ok "list-keys one page"
check "one key" "$(jget "len(d['Keys'])")" "1"
check "truncated" "$(jget "d['Truncated']")" "true"
MARKER=$(jget "d['NextMarker']")
aws_root kms list-keys --no-paginate --limit 1 --marker "$MARKER"
expect_ok "list-keys next page"
check "the next page moves on" "$(jget "d['Keys'][0]['KeyId'] > '$MARKER'")" "true"
aws_root kms list-keys --page-size 1
expect_ok "list-keys, every page through the CLI's paginator"
check "all three keys" "$(jget "all(k in [x['KeyId'] for x in d['Keys']] for k in '${KEYS[*]}'.split())")" "true"
check "no duplicates" "$(jget "len(d['Keys']) == len(set(x['KeyId'] for x in d['Keys']))")" "true"
aws_root kms list-aliases --key-id "$KEY_ID"
expect_ok "list-aliases"
check "alias listed" "$(jget "[a['AliasName'] for a in d['Aliases']]")" "[\"$ALIAS\"]"
check "target is the bare key id" "$(jget "d['Aliases'][0]['TargetKeyId']")" "$KEY_ID"

section "encrypt / decrypt with an encryption context"
printf 'attack at dawn' >"$TMPD/plain"
aws_root kms encrypt --key-id "$ALIAS" --plaintext "fileb://$TMPD/plain" --encryption-context purpose=cli,order=42
expect_ok "encrypt"
check "KeyId is the key ARN" "$(jget "d['KeyId']")" "$KEY_ARN"
b64file "$(jget "d['CiphertextBlob']")" "$TMPD/blob"
aws_root kms decrypt --ciphertext-blob "fileb://$TMPD/blob" --encryption-context purpose=cli,order=42
expect_ok "decrypt"
check "round trip" "$(jget "__import__('base64').b64decode(d['Plaintext']).decode()")" "attack at dawn"
check "decrypt KeyId" "$(jget "d['KeyId']")" "$KEY_ARN"
aws_root kms decrypt --ciphertext-blob "fileb://$TMPD/blob" --encryption-context purpose=other
expect_error "wrong context" "InvalidCiphertextException"
aws_root kms decrypt --ciphertext-blob "fileb://$TMPD/blob"
expect_error "missing context" "InvalidCiphertextException"

section "generate-data-key"
aws_root kms generate-data-key --key-id "$ALIAS" --key-spec AES_256 --encryption-context purpose=dk
expect_ok "generate-data-key"
DK_PLAIN=$(jget "d['Plaintext']")
check "32 bytes" "$(jget "len(__import__('base64').b64decode(d['Plaintext']))")" "32"
b64file "$(jget "d['CiphertextBlob']")" "$TMPD/dk"
aws_root kms decrypt --ciphertext-blob "fileb://$TMPD/dk" --encryption-context purpose=dk
check "the blob decrypts to the data key" "$(jget "d['Plaintext']")" "$DK_PLAIN"
aws_root kms generate-data-key --key-id "$KEY_ID" --number-of-bytes 1025
expect_error "1025 bytes" "ValidationException"
check_contains "1025 bytes message" "$ERR" \
  "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
aws_root kms generate-data-key --key-id "$KEY_ID"
expect_error "neither size" "ValidationException"
check_contains "neither size message" "$ERR" "NumberOfBytes is required."

section "disable-key / enable-key"
aws_root kms disable-key --key-id "$KEY_ID"
expect_ok "disable-key"
aws_root kms encrypt --key-id "$KEY_ID" --plaintext "fileb://$TMPD/plain"
expect_error "encrypt with a disabled key" "DisabledException"
check_contains "disabled message" "$ERR" "$KEY_ARN is disabled."
aws_root kms enable-key --key-id "$KEY_ID"
expect_ok "enable-key"
aws_root kms encrypt --key-id "$KEY_ID" --plaintext "fileb://$TMPD/plain"
expect_ok "encrypt after enable-key"

section "schedule-key-deletion / cancel-key-deletion"
DOOMED=${KEYS[1]}
aws_root kms schedule-key-deletion --key-id "$DOOMED" --pending-window-in-days 7
expect_ok "schedule-key-deletion"
check "state" "$(jget "d['KeyState']")" "PendingDeletion"
check "window" "$(jget "d['PendingWindowInDays']")" "7"
aws_root kms encrypt --key-id "$DOOMED" --plaintext "fileb://$TMPD/plain"
expect_error "encrypt while pending deletion" "KMSInvalidStateException"
aws_root kms cancel-key-deletion --key-id "$DOOMED"
expect_ok "cancel-key-deletion"
aws_root kms describe-key --key-id "$DOOMED"
check "cancelled key is Disabled" "$(jget "d['KeyMetadata']['KeyState']")" "Disabled"
aws_root kms schedule-key-deletion --key-id "$DOOMED" --pending-window-in-days 31
expect_error "window of 31 days" "ValidationException"

section "IAM users: no permission, then an identity policy on a delegating key"
aws_root iam create-user --user-name "$USER_NAME"
expect_ok "create-user"
aws_root iam create-access-key --user-name "$USER_NAME"
expect_ok "create-access-key"
USER_KEY=$(jget "d['AccessKey']['AccessKeyId']")
USER_SECRET=$(jget "d['AccessKey']['SecretAccessKey']")
aws_as "$USER_KEY" "$USER_SECRET" kms encrypt --key-id "$KEY_ID" --plaintext "fileb://$TMPD/plain"
expect_error "user without kms permissions" "AccessDeniedException"
check_contains "IAM wording" "$ERR" \
  "User: arn:aws:iam::$ACCOUNT:user/$USER_NAME is not authorized to perform: kms:Encrypt on resource: $KEY_ARN because no identity-based policy allows the kms:Encrypt action"
aws_root iam put-user-policy --user-name "$USER_NAME" --policy-name kms --policy-document \
  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\"],\"Resource\":\"$KEY_ARN\"}]}"
expect_ok "put-user-policy"
aws_as "$USER_KEY" "$USER_SECRET" kms encrypt --key-id "$ALIAS" --plaintext "fileb://$TMPD/plain"
expect_ok "user with an identity policy encrypts"
aws_as "$USER_KEY" "$USER_SECRET" kms disable-key --key-id "$KEY_ID"
expect_error "the policy does not cover disable-key" "AccessDeniedException"

section "bad inputs"
aws_root kms create-alias --alias-name "cli-no-prefix-$SUFFIX" --target-key-id "$KEY_ID"
expect_error "alias without prefix" "ValidationException"
check_contains "prefix message" "$ERR" 'Alias must start with the prefix "alias/".'
aws_root kms create-alias --alias-name "alias/aws/cli-$SUFFIX" --target-key-id "$KEY_ID"
expect_error "reserved alias prefix" "InvalidAliasNameException"
aws_root kms describe-key --key-id 11111111-2222-3333-4444-555555555555
expect_error "unknown key" "NotFoundException"
check_contains "unknown key message" "$ERR" \
  "Key 'arn:aws:kms:$REGION:$ACCOUNT:key/11111111-2222-3333-4444-555555555555' does not exist"
aws_root kms encrypt --key-id "alias/missing-$SUFFIX" --plaintext "fileb://$TMPD/plain"
expect_error "unknown alias" "NotFoundException"
aws_root kms create-key --policy '{"Version":"2012-10-17","Statement":[}'
expect_error "malformed key policy" "MalformedPolicyDocumentException"
aws_root kms disable-key --key-id "$ALIAS"
expect_error "management operations take no alias" "NotFoundException"

echo "cli kms: $PASSES checks passed, $FAILURES failed"
[[ $FAILURES -eq 0 ]]

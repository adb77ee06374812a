#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup functions are invoked from traps
# Wharf at-rest test (issue 8): nothing a client stored is on disk in clear.
#
#   tests/at-rest/run.sh <path-to-wharf-binary>
#
# Two rounds, each on a fresh data directory:
#   1. root key file (created by the server next to the data directory), stopped with SIGTERM;
#   2. root key from a passphrase (WHARF_ROOT_PASSPHRASE), stopped with kill -9 right after the
#      last acknowledged write, so the WAL is checked as a crash leaves it.
# Each round starts the server, writes queues (plain, SSE-SQS, FIFO, SSE-KMS with alias/aws/sqs
# unless AT_REST_KMS=0), a queue policy, tags, messages with attributes and an IAM user policy
# carrying distinctive strings (at_rest.mjs), stops the server, greps every file under the data
# directory in binary mode for every distinctive string (fails if any is found), restarts it and
# reads everything back exactly, then checks that another root key (or passphrase) is refused at
# start with a clear message and leaves the data readable. Round 1 then rotates the root key with
# `wharf rekey` and reads everything back under the new key. With AT_REST_OLD_WHARF=<binary from
# before sealing>, a third round writes with that binary and checks that the binary under test
# seals the data directory in place at its first start and reads everything back.
set -u

if [ "$#" -lt 1 ]; then
  echo "usage: $0 <path-to-wharf-binary>" >&2
  exit 2
fi
BIN_ARG=$1
if [ ! -f "$BIN_ARG" ] || [ ! -x "$BIN_ARG" ]; then
  echo "run.sh: '$BIN_ARG' is not an executable file" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
for tool in curl node grep; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: '$tool' is required" >&2; exit 2; }
done
if [ ! -d "$ROOT/tests/integration/node_modules/@aws-sdk/client-sqs" ]; then
  (cd "$ROOT/tests/integration" && npm ci --no-audit --no-fund >/dev/null) ||
    { echo "run.sh: npm ci in tests/integration failed" >&2; exit 2; }
fi

export NODE_NO_WARNINGS=1  # the SDK warns about Node 20 on every run
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wharf-at-rest.XXXXXX")
SERVER_PID=""
FAILED=0
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "run.sh: FAIL: $*" >&2
  FAILED=1
}

free_port() {
  node -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });'
}

# start <data dir> <log>: starts the server with --body-memory-mb 1 (large bodies then stay on
# disk only, and are read back through the store) and waits until it is healthy.
start() {
  PORT=$(free_port)
  "$BIN" serve --port "$PORT" --data-dir "$1" --body-memory-mb 1 >>"$2" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
      ENDPOINT="http://127.0.0.1:$PORT"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: the server did not start; its log:" >&2
  tail -n 40 "$2" >&2
  SERVER_PID=""
  return 1
}

stop() {  # stop <signal>
  kill "-$1" "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

# refused <data dir> <log> <expected text>: the server must exit at start, saying why.
refused() {
  : >"$2"
  "$BIN" serve --port "$(free_port)" --data-dir "$1" >"$2" 2>&1 &
  local pid=$! exited=0
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then exited=1; break; fi
    sleep 0.1
  done
  if [ "$exited" != 1 ]; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    fail "the server started with the wrong key"
    return
  fi
  wait "$pid" 2>/dev/null
  local rc=$?
  [ "$rc" != 0 ] || fail "the server refused the wrong key but exited with 0"
  grep -qF "$3" "$2" || { fail "no '$3' in the refusal:"; cat "$2" >&2; }
}

# round <name> <stop signal>: the whole scenario on a fresh data directory, with the root key
# mode the caller set up in the environment.
round() {
  local name=$1 signal=$2
  local dir="$WORK/$name" id
  id="$name$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')"
  mkdir -p "$dir"
  local data="$dir/data" log="$dir/server.log" expected="$dir/expected.json"
  echo "run.sh: round $name: writing (stop with SIG$signal)"
  start "$data" "$log" || { fail "$name: start"; return; }
  if ! node "$HERE/at_rest.mjs" write "$ENDPOINT" "$id" "$expected"; then
    fail "$name: writing"
    stop KILL
    return
  fi
  stop "$signal"

  local needles found=0 count=0 control="$dir/control.bin"
  needles=$(node "$HERE/at_rest.mjs" needles "$expected") || { fail "$name: needles"; return; }
  # The search works: a binary file (outside the data directory) with every needle between NUL
  # bytes yields each of them.
  while IFS= read -r needle; do printf '\0\1%s\0\377' "$needle"; done <<<"$needles" >"$control"
  while IFS= read -r needle; do
    count=$((count + 1))
    grep -q -a -F -- "$needle" "$control" || fail "$name: the search cannot find '$needle' even in $control"
    if grep -r -l -a -F -- "$needle" "$data" >/dev/null 2>&1; then
      fail "$name: '$needle' is on disk in clear: $(grep -r -l -a -F -- "$needle" "$data" | tr '\n' ' ')"
      found=1
    fi
  done <<<"$needles"
  [ "$found" = 0 ] && echo "run.sh: round $name: none of $count distinctive strings in $(find "$data" -type f | wc -l) files under the data directory"

  echo "run.sh: round $name: restarting and reading back"
  start "$data" "$log" || { fail "$name: restart"; return; }
  node "$HERE/at_rest.mjs" verify "$ENDPOINT" "$expected" || fail "$name: reading back"
  stop TERM
  ROUND_DATA=$data
}

# --- round 1: key file next to the data directory, SIGTERM --------------------------------------
unset WHARF_ROOT_KEY WHARF_ROOT_PASSPHRASE WHARF_ROOT_KEY_FILE WHARF_ROOT_PASSPHRASE_FILE
ROUND_DATA=""
round keyfile TERM
if [ -n "$ROUND_DATA" ]; then
  key_file="$WORK/keyfile/wharf-root.key"
  if [ ! -f "$key_file" ]; then
    fail "keyfile: no root key file at $key_file"
  else
    [ "$(stat -c %a "$key_file")" = 600 ] || fail "keyfile: $key_file has mode $(stat -c %a "$key_file")"
    # Another key: refused, and the refusal changes nothing.
    mv "$key_file" "$key_file.kept"
    WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') \
      refused "$ROUND_DATA" "$WORK/keyfile/refused.log" "another root key"
    # No key at all: a new key is not left behind.
    refused "$ROUND_DATA" "$WORK/keyfile/missing.log" "did not exist"
    [ ! -e "$key_file" ] || fail "keyfile: a start without the key left a new key file behind"
    mv "$key_file.kept" "$key_file"
    chmod 644 "$key_file"
    refused "$ROUND_DATA" "$WORK/keyfile/mode.log" "chmod 600"
    chmod 600 "$key_file"
    # Rotation: wharf rekey to a new key file; the old key is refused, the new one reads it all.
    new_key="$WORK/keyfile/new-root.key"
    if "$BIN" rekey --data-dir "$ROUND_DATA" --new-root-key-file "$new_key" 2>"$WORK/keyfile/rekey.log"; then
      [ "$(stat -c %a "$new_key")" = 600 ] || fail "rekey: $new_key has mode $(stat -c %a "$new_key")"
      refused "$ROUND_DATA" "$WORK/keyfile/old.log" "another root key"
      mv "$new_key" "$key_file"
      echo "run.sh: round keyfile: reading back after wharf rekey"
      if start "$ROUND_DATA" "$WORK/keyfile/rekeyed.log"; then
        node "$HERE/at_rest.mjs" verify "$ENDPOINT" "$WORK/keyfile/expected.json" ||
          fail "keyfile: reading back after rekey"
        stop TERM
      else
        fail "keyfile: the new key does not open the store after rekey"
      fi
    else
      fail "keyfile: wharf rekey failed: $(cat "$WORK/keyfile/rekey.log")"
    fi
  fi
fi

# --- round 2: passphrase, kill -9 ---------------------------------------------------------------
export WHARF_ROOT_PASSPHRASE="at-rest passphrase $(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
ROUND_DATA=""
round passphrase KILL
if [ -n "$ROUND_DATA" ]; then
  [ -f "$WORK/passphrase/wharf-root.kdf" ] || fail "passphrase: no parameters file wharf-root.kdf"
  [ ! -e "$WORK/passphrase/wharf-root.key" ] || fail "passphrase: a key file was created"
  WHARF_ROOT_PASSPHRASE="not the passphrase" \
    refused "$ROUND_DATA" "$WORK/passphrase/refused.log" "passphrase is not the one"
fi
unset WHARF_ROOT_PASSPHRASE

# --- optional round 3: a data directory written before sealing (AT_REST_OLD_WHARF=<old binary>) ---
# The old binary writes (key file mode), the binary under test seals it in place at its first
# start, and nothing may be left in clear.
if [ -n "${AT_REST_OLD_WHARF:-}" ]; then
  dir="$WORK/upgrade"
  mkdir -p "$dir"
  id="upgrade$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')"
  echo "run.sh: round upgrade: writing with $AT_REST_OLD_WHARF"
  new_bin=$BIN
  BIN=$AT_REST_OLD_WHARF
  if start "$dir/data" "$dir/old.log"; then
    node "$HERE/at_rest.mjs" write "$ENDPOINT" "$id" "$dir/expected.json" || fail "upgrade: writing"
    stop TERM
  else
    fail "upgrade: the old binary did not start"
  fi
  BIN=$new_bin
  if start "$dir/data" "$dir/server.log"; then
    grep -q "sealed in place" "$dir/server.log" || fail "upgrade: no 'sealed in place' in the start-up log"
    node "$HERE/at_rest.mjs" verify "$ENDPOINT" "$dir/expected.json" || fail "upgrade: reading back"
    stop TERM
    while IFS= read -r needle; do
      if grep -r -l -a -F -- "$needle" "$dir/data" >/dev/null 2>&1; then
        fail "upgrade: '$needle' is still on disk in clear: $(grep -r -l -a -F -- "$needle" "$dir/data" | tr '\n' ' ')"
      fi
    done < <(node "$HERE/at_rest.mjs" needles "$dir/expected.json")
    echo "run.sh: round upgrade: sealed in place, read back, nothing left in clear"
  else
    fail "upgrade: the binary under test did not open the old data directory"
  fi
fi

if [ "$FAILED" != 0 ]; then
  echo "run.sh: at-rest test FAILED" >&2
  exit 1
fi
echo "run.sh: at-rest test passed"

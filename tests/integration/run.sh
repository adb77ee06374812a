#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup functions are invoked from traps
# Runs Wharf's integration suites against a freshly started server.
#
#   tests/integration/run.sh <path-to-wharf-binary>
#
# Makes a local CA and a server certificate with `<binary> tls`, starts `<binary> serve` with an
# HTTP and an HTTPS listener on free ports and a temporary data directory, waits for /health on
# both, then runs
#   1. the Node.js suites  (node --test, js/*.test.mjs)
#   2. the Python suites   (python/, if present)
#   3. the CLI suites      (cli/run.sh, cli/iam_sts.sh, cli/kms.sh and cli/sns.sh, if present)
# against WHARF_ENDPOINT: the HTTP listener, or with WHARF_IT_TLS=1 the HTTPS one (the clients
# trust the CA through AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and CURL_CA_BUNDLE, as users would).
# Every suite runs even when an earlier one failed; the exit status is non-zero if any failed.
#
# Optional environment:
#   WHARF_IT_TLS=1           run the suites over HTTPS
#   SUITES="js python cli"   which suites to run (default: all three)
#   JS_TESTS="js/queues.test.mjs ..."   Node test files to run (default: js/*.test.mjs)
#   WHARF_JS_PROTOCOLS=json|query   restrict the Node suites to one client
#   WHARF_SERVE_EXTRA="..."  more flags for `wharf serve` (e.g. the PostgreSQL backend)
set -u

usage() {
  echo "usage: $0 <path-to-wharf-binary>" >&2
  exit 2
}

[ "$#" -ge 1 ] || usage
BIN_ARG=$1
if [ ! -f "$BIN_ARG" ] || [ ! -x "$BIN_ARG" ]; then
  echo "run.sh: '$BIN_ARG' is not an executable file" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITES=${SUITES:-"js python cli"}
TLS_MODE=${WHARF_IT_TLS:-0}

for tool in curl node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: '$tool' is required" >&2; exit 2; }
done

DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wharf-it-data.XXXXXX")
TLS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wharf-it-tls.XXXXXX")
LOG_FILE=$(mktemp "${TMPDIR:-/tmp}/wharf-it-log.XXXXXX")
SERVER_PID=""
FAILED=()
KEEP_LOG=0

print_log() {
  echo "===== wharf server log ($LOG_FILE, last 400 lines) =====" >&2
  tail -n 400 "$LOG_FILE" >&2 || true
  echo "===== end of server log =====" >&2
}

# kill -0 also succeeds for an exited child that has not been reaped yet (a zombie).
server_alive() {
  [ -n "$SERVER_PID" ] || return 1
  kill -0 "$SERVER_PID" 2>/dev/null || return 1
  if [ -r "/proc/$SERVER_PID/status" ] && grep -q '^State:[[:space:]]*Z' "/proc/$SERVER_PID/status" 2>/dev/null; then
    return 1
  fi
  return 0
}

stop_server() {
  if server_alive; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      server_alive || break
      sleep 0.1
    done
    if server_alive; then
      echo "run.sh: server did not stop within 5 s; killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  stop_server
  rm -rf "$DATA_DIR" "$TLS_DIR" "${CONFIG_FILE:-}"
  if [ "$KEEP_LOG" = 0 ]; then rm -f "$LOG_FILE"; else echo "run.sh: server log kept at $LOG_FILE" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e '
    const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });'
}

# --- a local CA and the server's certificate (what README "TLS" tells users to do) -----------
if ! "$BIN" tls create-ca --dir "$TLS_DIR" >/dev/null ||
  ! "$BIN" tls issue --ca-dir "$TLS_DIR" --dns localhost --ip 127.0.0.1 >/dev/null; then
  echo "run.sh: could not create the test CA and certificate" >&2
  exit 1
fi
CA_FILE="$TLS_DIR/ca.pem"

# --- start the server ------------------------------------------------------------------------
PORT=$(free_port) || { echo "run.sh: could not find a free port" >&2; exit 1; }
TLS_PORT=$PORT
while [ "$TLS_PORT" = "$PORT" ]; do
  TLS_PORT=$(free_port) || { echo "run.sh: could not find a free port" >&2; exit 1; }
done
# Whether the server runs on jemalloc (the Release build; sanitizer builds bring their own
# allocator): metrics.test.mjs then expects the allocator gauges, and their absence otherwise.
if ldd "$BIN" 2>/dev/null | grep -q libjemalloc; then
  export WHARF_IT_JEMALLOC=1
else
  export WHARF_IT_JEMALLOC=0
fi
# A second account (with its root key) for the cross-account tests.
# The root key that seals secrets at rest, for this run only.
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY
export WHARF_SECOND_ACCOUNT=111122223333
export WHARF_SECOND_ACCESS_KEY=AKIASECONDACCOUNT
export WHARF_SECOND_SECRET_KEY=second/account+secret
# A workload token bound to a role the workload test creates (container credentials).
WHARF_WORKLOAD_TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
export WHARF_WORKLOAD_TOKEN
export WHARF_WORKLOAD_ROLE=wharf-it-workload
CONFIG_FILE="$DATA_DIR/../$(basename "$DATA_DIR").toml"
cat >"$CONFIG_FILE" <<EOF
[[accounts]]
id = "$WHARF_SECOND_ACCOUNT"
access_key_id = "$WHARF_SECOND_ACCESS_KEY"
secret_access_key = "$WHARF_SECOND_SECRET_KEY"

[[workload_credentials]]
token = "$WHARF_WORKLOAD_TOKEN"
role_arn = "arn:aws:iam::000000000000:role/$WHARF_WORKLOAD_ROLE"
duration_seconds = 900
EOF
SERVE_ARGS=(--port "$PORT" --tls-port "$TLS_PORT" --tls-cert "$TLS_DIR/server.pem"
  --tls-key "$TLS_DIR/server-key.pem" --data-dir "$DATA_DIR" --config "$CONFIG_FILE"
  --audit-log on --test-mode on)
# WHARF_SERVE_EXTRA: more `serve` flags, e.g. "--storage postgres --postgres-url URL" to run the
# suites against the PostgreSQL backend (tests/postgres/sqs_suites.sh).
# shellcheck disable=SC2206 # split on purpose: a list of flags
[ -n "${WHARF_SERVE_EXTRA:-}" ] && SERVE_ARGS+=(${WHARF_SERVE_EXTRA})
echo "run.sh: starting $BIN serve ${SERVE_ARGS[*]}"
"$BIN" serve "${SERVE_ARGS[@]}" >"$LOG_FILE" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 300); do # 30 s
  if ! server_alive; then
    echo "run.sh: the server exited during start-up" >&2
    break
  fi
  if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 &&
    curl -sf --cacert "$CA_FILE" "https://127.0.0.1:$TLS_PORT/health" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "run.sh: the server did not become healthy on ports $PORT and $TLS_PORT within 30 s" >&2
  print_log
  KEEP_LOG=1
  exit 1
fi
echo "run.sh: server ready on ports $PORT (HTTP) and $TLS_PORT (HTTPS) (pid $SERVER_PID)"

# Both listeners, for the tests that compare them (js/secure_transport.test.mjs).
export WHARF_HTTP_ENDPOINT="http://127.0.0.1:$PORT"
# The binary under test, for suites that run its other commands (python/test_bench.py).
export WHARF_BIN="$BIN"
export WHARF_HTTPS_ENDPOINT="https://127.0.0.1:$TLS_PORT"
export NODE_EXTRA_CA_CERTS="$CA_FILE"
if [ "$TLS_MODE" = 1 ]; then
  echo "run.sh: running the suites over HTTPS ($WHARF_HTTPS_ENDPOINT, CA $CA_FILE)"
  export WHARF_ENDPOINT="$WHARF_HTTPS_ENDPOINT"
  export AWS_CA_BUNDLE="$CA_FILE"  # botocore: boto3 and the AWS CLI
  export CURL_CA_BUNDLE="$CA_FILE"
else
  export WHARF_ENDPOINT="$WHARF_HTTP_ENDPOINT"
fi
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1

cd "$HERE" || exit 1

run_suite() { # name, command...
  local name=$1
  shift
  echo
  echo "===== suite: $name ====="
  "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "===== suite $name FAILED (exit $rc) ====="
    FAILED+=("$name")
  else
    echo "===== suite $name passed ====="
  fi
  if ! server_alive; then
    echo "run.sh: the server is no longer running after suite $name" >&2
    FAILED+=("server-died-during-$name")
  fi
}

wants() { case " $SUITES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --- 1. Node.js -------------------------------------------------------------------------------
if wants js; then
  if [ ! -d node_modules/@aws-sdk/client-sqs ] || [ ! -d node_modules/sqs-query ] || [ ! -d node_modules/sqs-consumer ]; then
    echo "run.sh: installing Node dependencies (npm ci)"
    npm ci --no-audit --no-fund || FAILED+=("npm-ci")
  fi
  if [ -n "${JS_TESTS:-}" ]; then
    # shellcheck disable=SC2206 # word splitting intended: a list of files
    js_files=($JS_TESTS)
  else
    js_files=(js/*.test.mjs)
  fi
  run_suite js node --test --test-concurrency=1 "${js_files[@]}"
fi

# --- 2. Python --------------------------------------------------------------------------------
if wants python && [ -d python ]; then
  run_suite python /usr/bin/python3 -m unittest discover -s python -v
fi

# --- 3. AWS CLI -------------------------------------------------------------------------------
if wants cli && [ -f cli/run.sh ]; then
  run_suite cli bash cli/run.sh
fi
if wants cli && [ -f cli/iam_sts.sh ]; then
  run_suite cli-iam-sts bash cli/iam_sts.sh
fi
if wants cli && [ -f cli/kms.sh ]; then
  run_suite cli-kms bash cli/kms.sh
fi
if wants cli && [ -f cli/sns.sh ]; then
  run_suite cli-sns bash cli/sns.sh
fi

# A sanitizer build (ASan/UBSan) reports in the server's log, at the fault or, for leaks, at exit:
# stop the server here so its exit is in the log, and fail on any report.
stop_server
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|ThreadSanitizer' "$LOG_FILE" 2>/dev/null; then
  echo "run.sh: the server's log has a sanitizer report:" >&2
  grep -A30 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|ThreadSanitizer' "$LOG_FILE" | head -60 >&2
  FAILED+=("sanitizer")
fi

echo
if [ "${#FAILED[@]}" -ne 0 ]; then
  echo "run.sh: FAILED suites: ${FAILED[*]}"
  print_log
  exit 1
fi
echo "run.sh: all suites passed"
exit 0

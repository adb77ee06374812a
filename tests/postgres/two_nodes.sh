#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup functions are invoked from traps
# Two Wharf nodes sharing their queues on one PostgreSQL (issue 11), tested with real clients.
#
#   tests/postgres/two_nodes.sh <path-to-wharf-binary>
#
# 1. Starts a private PostgreSQL cluster (pg_cluster.sh) and two `wharf serve --storage postgres`
#    nodes on free ports, with one WHARF_ROOT_KEY (receipt handles are signed under a key derived
#    from it) and a temporary --data-dir each; waits for GET /health on both.
# 2. Runs the Node suites js/*.test.mjs (node --test) with WHARF_NODE1 / WHARF_NODE2 set, both
#    protocols (@aws-sdk/client-sqs = JSON, sqs-query = Query/XML, from tests/integration);
#    js/objects.test.mjs: IAM users/keys, KMS keys and SNS topics made on one node, seen on the other.
#    js/move_tasks.test.mjs also starts a move task for one source on both nodes at the same
#    moment, 5 rounds: exactly one start succeeds, the other gets the one-running-task error.
# 3. kill -9 under load: js/kill9.mjs sends continuously to node 1, SIGKILLs it mid-load, and
#    receives + deletes everything through node 2 (every acknowledged MessageId must come back);
#    then node 1 is restarted on the same port and js/kill9.mjs checks it serves again.
# 4. kill -9 of the node running a message move task: js/move_task_kill9.mjs starts one through
#    node 1, the node holding its lease (table `lease`, read with psql) is SIGKILLed, and the
#    other node must take the task over and finish it, every message moved exactly once; the
#    killed node is restarted.
#    kill -9 of a node owing SNS deliveries: js/sns_kill9.mjs publishes through node 1 to a topic
#    with 8 subscribed queues, SIGKILLs it, and node 2 must deliver every acknowledged
#    publication to every queue once it adopts node 1's outbox; node 1 is restarted.
#    A third node started with another WHARF_ROOT_KEY must refuse to start (with the reason).
# 5. /metrics has wharf_postgres_*; then the cluster is stopped: /health says "degraded",
#    "database":"unreachable", lookups get 503, wharf_postgres_up is 0.
# Everything (servers, cluster, temporary directories) is removed on exit; the servers' logs are
# printed when something failed. Exit status is non-zero if anything failed. About 30-60 s.
#
# Optional environment: JS_TESTS="js/queues.test.mjs ..." (Node files to run),
# WHARF_JS_PROTOCOLS=json|query (one client only), KEEP_LOGS=1 (keep the work directory).
set -u

[ "$#" -ge 1 ] || { echo "usage: $0 <path-to-wharf-binary>" >&2; exit 2; }
if [ ! -f "$1" ] || [ ! -x "$1" ]; then echo "two_nodes.sh: '$1' is not an executable file" >&2; exit 2; fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IT=$HERE/../integration # node_modules and helpers.mjs come from there
for tool in curl node psql; do
  command -v "$tool" >/dev/null 2>&1 || { echo "two_nodes.sh: '$tool' is required" >&2; exit 2; }
done
# js/objects.test.mjs also needs the IAM, STS, KMS and SNS clients (an older install lacks some).
sdks_present() {
  local m
  for m in @aws-sdk/client-sqs sqs-query @aws-sdk/client-iam @aws-sdk/client-sts @aws-sdk/client-kms \
    @aws-sdk/client-sns; do
    [ -d "$IT/node_modules/$m" ] || return 1
  done
}
sdks_present || (cd "$IT" && npm ci --no-audit --no-fund) || exit 1

PG_DIR=$(mktemp -d /tmp/wharf-pg.XXXXXX) # pg_cluster.sh chowns it when run as root
WORK=$(mktemp -d /tmp/wharf-2n.XXXXXX)
PIDS=("" "")
FAILED=()

node_alive() { # index; a zombie (exited, not yet reaped) counts as dead
  local pid=${PIDS[$1]}
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
    ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

stop_node() { # index
  local pid=${PIDS[$1]}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do node_alive "$1" || break; sleep 0.1; done
  node_alive "$1" && { echo "two_nodes.sh: node $(($1 + 1)) ignored SIGTERM; killing it" >&2; kill -KILL "$pid"; }
  wait "$pid" 2>/dev/null
  PIDS[$1]=""
}

print_logs() {
  for f in "$WORK"/node*.log; do
    echo "===== $f (last 200 lines) =====" >&2
    tail -n 200 "$f" >&2
  done
  echo "===== PostgreSQL log (last 50 lines) =====" >&2
  tail -n 50 "$PG_DIR/server.log" >&2
}

cleanup() {
  stop_node 0
  stop_node 1
  "$HERE/pg_cluster.sh" stop "$PG_DIR" || echo "two_nodes.sh: stopping the cluster in $PG_DIR failed" >&2
  rm -rf "$PG_DIR"
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "two_nodes.sh: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });'
}

PG_URL=$("$HERE/pg_cluster.sh" start "$PG_DIR") || exit 1
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY

PORTS=("$(free_port)" "")
while PORTS[1]=$(free_port) && [ "${PORTS[1]}" = "${PORTS[0]}" ]; do :; done

start_node() { # index: starts it on its port, appending to its log, and waits for /health
  local i=$1 n=$(($1 + 1))
  "$BIN" serve --storage postgres --postgres-url "$PG_URL" --postgres-pool-size 4 \
    --data-dir "$WORK/data$n" --port "${PORTS[$i]}" --host 127.0.0.1 >>"$WORK/node$n.log" 2>&1 &
  PIDS[i]=$!
  for _ in $(seq 1 300); do # 30 s
    node_alive "$i" || { echo "two_nodes.sh: node $n exited during start-up" >&2; return 1; }
    curl -sf "http://127.0.0.1:${PORTS[$i]}/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "two_nodes.sh: node $n not healthy on port ${PORTS[$i]} within 30 s" >&2
  return 1
}

if ! start_node 0 || ! start_node 1; then
  print_logs
  exit 1
fi
export WHARF_NODE1="http://127.0.0.1:${PORTS[0]}" WHARF_NODE2="http://127.0.0.1:${PORTS[1]}"
export WHARF_ENDPOINT=$WHARF_NODE1 # tests/integration/js/helpers.mjs wants one
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
echo "two_nodes.sh: PostgreSQL $PG_URL; node 1 $WHARF_NODE1 (pid ${PIDS[0]}), node 2 $WHARF_NODE2 (pid ${PIDS[1]})"

cd "$HERE" || exit 1
step() { # name, command...
  local name=$1 t0=$SECONDS
  shift
  echo
  echo "===== $name ====="
  if "$@"; then echo "===== $name passed ($((SECONDS - t0)) s) ====="; else
    echo "===== $name FAILED ($((SECONDS - t0)) s) ====="
    FAILED+=("$name")
  fi
}

# shellcheck disable=SC2206 # a list of files
js_files=(${JS_TESTS:-js/*.test.mjs})
step "node suites" node --test --test-concurrency=1 "${js_files[@]}"
alive=1
for i in 0 1; do
  if ! node_alive "$i"; then
    wait "${PIDS[$i]}"
    FAILED+=("node $((i + 1)) died during the suites (exit status $?)")
    PIDS[i]=""
    alive=0
  fi
done

if [ "$alive" = 1 ]; then
  step "kill -9 under load" env WHARF_NODE1_PID="${PIDS[0]}" node js/kill9.mjs load
  wait "${PIDS[0]}" 2>/dev/null # reap the killed node
  PIDS[0]=""
  if start_node 0; then
    step "node 1 restarted on port ${PORTS[0]}" node js/kill9.mjs after-restart
  else
    FAILED+=("restart of node 1")
  fi
fi

# A message move task whose runner gets SIGKILL is taken over by the other node once the dead
# runner's lease expires (12 s) and finishes there, each message moved exactly once
# (js/move_task_kill9.mjs). The runner is the holder of the task's row in table `lease`; each
# node logs its id at start-up ("postgres_node"). The killed node is then started again.
move_task_takeover() {
  local state=$WORK/move_task.json holder victim="" survivor i
  node js/move_task_kill9.mjs start "$state" || return 1
  holder=$(psql "$PG_URL" -Atc "SELECT node_id FROM lease WHERE name LIKE 'move-task:%' AND expires_at > now()")
  for i in 0 1; do
    [ -n "$holder" ] && grep -q "$holder" "$WORK/node$((i + 1)).log" && victim=$i
  done
  [ -n "$victim" ] || { echo "no node holds the task's lease (holder '$holder')" >&2; return 1; }
  echo "move task run by node $((victim + 1)) ($holder): kill -9"
  kill -KILL "${PIDS[$victim]}"
  wait "${PIDS[$victim]}" 2>/dev/null
  PIDS[victim]=""
  survivor=$WHARF_NODE1
  [ "$victim" = 0 ] && survivor=$WHARF_NODE2
  WHARF_SURVIVOR=$survivor node js/move_task_kill9.mjs finish "$state" || return 1
  start_node "$victim"
}
if node_alive 0 && node_alive 1; then
  step "kill -9 of a move task's runner: the other node takes over" move_task_takeover
fi

# A node killed while it owes SNS deliveries (publications acknowledged, in its outbox, not yet
# delivered to every subscribed queue): the other node adopts its outbox once its lease expires
# and delivers them (js/sns_kill9.mjs). The killed node is then started again.
sns_outbox_takeover() {
  WHARF_NODE1_PID="${PIDS[0]}" node js/sns_kill9.mjs
  local rc=$?
  node_alive 0 && kill -KILL "${PIDS[0]}" # the script failed before its kill
  wait "${PIDS[0]}" 2>/dev/null
  PIDS[0]=""
  start_node 0 && return $rc
}
if node_alive 0 && node_alive 1; then
  step "kill -9 of a node owing SNS deliveries: the other node delivers them" sns_outbox_takeover
fi

# A node started with another root key must refuse to join: it would sign receipt handles the
# others refuse (ADR 0002 decision 6).
other_key_refused() {
  local out port
  port=$(free_port)
  out=$(WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') timeout 30 "$BIN" serve \
    --storage postgres --postgres-url "$PG_URL" --data-dir "$WORK/data-other" --port "$port" \
    --host 127.0.0.1 2>&1)
  local rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ]; then
    echo "a node with another root key started (exit status $rc)" >&2
    return 1
  fi
  grep -q "belongs to a deployment with another root key" <<<"$out" ||
    { echo "unexpected refusal: $out" >&2; return 1; }
}
step "a node with another root key refuses to start" other_key_refused

# Two nodes started at the same moment on an empty database create one SNS signing key between
# them (its creation is done under a lease, PostgresQueues::RunAlone): both serve the same
# certificate. Without the lease each could create its own and sign differently until restarted.
simultaneous_first_start() {
  local db="wharf_first_start" url p1 p2 pids=() i cert1 cert2 pem1 pem2 ready
  psql "$PG_URL" -qc "CREATE DATABASE $db" || return 1
  url="${PG_URL%/*}/$db"
  p1=$(free_port)
  while p2=$(free_port) && [ "$p2" = "$p1" ]; do :; done
  for i in 1 2; do
    local port=$p1
    [ "$i" = 2 ] && port=$p2
    "$BIN" serve --storage postgres --postgres-url "$url" --postgres-pool-size 2 \
      --data-dir "$WORK/first$i" --port "$port" --host 127.0.0.1 >"$WORK/first$i.log" 2>&1 &
    pids+=($!)
  done
  ready=0
  for _ in $(seq 1 300); do # 30 s
    curl -sf "http://127.0.0.1:$p1/health" >/dev/null 2>&1 &&
      curl -sf "http://127.0.0.1:$p2/health" >/dev/null 2>&1 && { ready=1; break; }
    sleep 0.1
  done
  cert1=$(grep -o 'sns_signing_key certificate=[^ ]*' "$WORK/first1.log" | cut -d= -f2)
  cert2=$(grep -o 'sns_signing_key certificate=[^ ]*' "$WORK/first2.log" | cut -d= -f2)
  pem1=$(curl -sf "http://127.0.0.1:$p1/$cert1")
  pem2=$(curl -sf "http://127.0.0.1:$p2/$cert1")
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  if [ "$ready" != 1 ]; then
    echo "the two nodes were not both healthy within 30 s (ports $p1, $p2); their logs:" >&2
    tail -n 20 "$WORK/first1.log" "$WORK/first2.log" >&2
    return 1
  fi
  [ -n "$cert1" ] && [ "$cert1" = "$cert2" ] ||
    { echo "two SNS signing keys: '$cert1' and '$cert2'" >&2; return 1; }
  [ -n "$pem1" ] && [ "$pem1" = "$pem2" ] ||
    { echo "the nodes do not serve the same certificate at /$cert1" >&2; return 1; }
}
step "two nodes started at once on an empty database share one SNS signing key" \
  simultaneous_first_start

# Last, as it takes the database away: /health turns "degraded" with "database":"unreachable"
# within the health sampling interval (5 s), and a lookup the node cannot serve from its cache
# answers 503 ServiceUnavailable. Nodes stay up; cleanup stops them.
database_down() {
  local metrics
  metrics=$(curl -s "$WHARF_NODE2/metrics")
  grep -qx 'wharf_postgres_up 1' <<<"$metrics" &&
    grep -qx 'wharf_postgres_pool_connections{state="max"} 4' <<<"$metrics" ||
    { echo "/metrics before: $(grep wharf_postgres <<<"$metrics")" >&2; return 1; }
  "$HERE/pg_cluster.sh" stop "$PG_DIR" >/dev/null || return 1
  local body=""
  for _ in $(seq 1 150); do # 15 s
    body=$(curl -s "$WHARF_NODE2/health")
    grep -q '"database":"unreachable"' <<<"$body" && break
    sleep 0.1
  done
  grep -q '"status":"degraded"' <<<"$body" && grep -q '"database":"unreachable"' <<<"$body" ||
    { echo "/health with the database down: $body" >&2; return 1; }
  node js/database_down.mjs || return 1
  grep -qx 'wharf_postgres_up 0' <<<"$(curl -s "$WHARF_NODE2/metrics")" ||
    { echo "/metrics after: wharf_postgres_up is not 0" >&2; return 1; }
}
if node_alive 1; then step "database down: /health degraded, lookups 503" database_down; fi

echo
if [ "${#FAILED[@]}" -ne 0 ]; then
  echo "two_nodes.sh: FAILED: ${FAILED[*]}"
  print_logs
  exit 1
fi
echo "two_nodes.sh: all passed"

#!/usr/bin/env bash
# Throughput of 1, 2, 3 ... Wharf nodes sharing queues on one PostgreSQL (issue 11): for each node
# count, a fresh private cluster (tests/postgres/pg_cluster.sh, default settings plus
# synchronous_commit as given), that many `wharf serve --storage postgres` nodes, and one
# `wharf bench` per node against the same queue at once (--connections split between them).
# Prints one line per node count and scenario: the sum of the generators' msg/s and the worst of
# their p99 latencies.
#
#   bench/postgres_nodes.sh [--nodes "1 2 3"] [--scenarios "send send-batch receive-delete fifo"]
#                           [--duration 10s] [--connections 16] [--pool 8] [--groups 100]
#
# On one machine the nodes, PostgreSQL and the generators share the cores: the figures show the
# cost of each node count on that machine, not the scale-out of nodes on machines of their own.
# Build first: ./scripts/build release --target wharf
set -euo pipefail
cd "$(dirname "$0")/.."
nodes_list="1 2 3" scenarios="send send-batch receive-delete fifo" duration=10s connections=16
pool=8 groups=100
while (($#)); do
  case "$1" in
    --nodes) nodes_list=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --pool) pool=$2; shift 2 ;;
    --groups) groups=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
wharf=$PWD/build/release/src/server/wharf
[[ -x $wharf ]] || { echo "build first: ./scripts/build release --target wharf" >&2; exit 2; }
work=$(mktemp -d /tmp/wharf-pgbench.XXXXXX)
pg_dir=
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  [[ -n $pg_dir ]] && { tests/postgres/pg_cluster.sh stop "$pg_dir" >/dev/null || true; rm -rf "$pg_dir"; }
  pg_dir=
}
trap 'stop_all; rm -rf "$work"' EXIT
export WHARF_ROOT_KEY
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

printf '%-6s %-15s %12s %10s\n' nodes scenario msg/s p99_ms
for n in $nodes_list; do
  for scenario in $scenarios; do
    pg_dir=$(mktemp -d /tmp/wharf-pg.XXXXXX)
    url=$(tests/postgres/pg_cluster.sh start "$pg_dir")
    endpoints=()
    for ((i = 1; i <= n; i++)); do
      port=$(free_port)
      "$wharf" serve --storage postgres --postgres-url "$url" --postgres-pool-size "$pool" \
        --data-dir "$work/data-$n-$scenario-$i" --port "$port" --host 127.0.0.1 \
        >"$work/node-$i.log" 2>&1 &
      pids+=($!)
      for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
        sleep 0.1
      done
      endpoints+=("http://127.0.0.1:$port")
    done
    queue="pgbench-$scenario-$RANDOM"
    [[ $scenario == fifo ]] && queue+=".fifo"
    # The first node creates the queue; the others find it in the database.
    extra=()
    [[ $scenario == fifo ]] && extra=(--groups "$groups")
    "$wharf" bench --endpoint "${endpoints[0]}" --scenario "$scenario" --queue "$queue" \
      --keep-queue --count 10 --no-progress "${extra[@]}" >/dev/null 2>&1 || true
    per=$(((connections + n - 1) / n))
    bench_pids=()
    for ((i = 0; i < n; i++)); do
      "$wharf" bench --endpoint "${endpoints[$i]}" --scenario "$scenario" --queue "$queue" \
        --keep-queue --connections "$per" --duration "$duration" --no-progress --json \
        "${extra[@]}" >"$work/bench-$i.json" 2>"$work/bench-$i.err" &
      bench_pids+=($!)
    done
    for pid in "${bench_pids[@]}"; do wait "$pid" || true; done
    python3 - "$n" "$scenario" "$work" <<'PY'
import json, sys, glob
n, scenario, work = sys.argv[1], sys.argv[2], sys.argv[3]
total, p99, errors = 0.0, 0.0, 0
for path in sorted(glob.glob(f"{work}/bench-*.json")):
    try:
        report = json.load(open(path))
    except ValueError:
        print(f"{n:<6} {scenario:<15} {'failed':>12} (see {path})")
        sys.exit(0)
    total += report["messages_per_s"]
    p99 = max(p99, report["latency_ms"]["p99"])
    errors += report["error_count"]
print(f"{n:<6} {scenario:<15} {total:>12.0f} {p99:>10.1f}" + (f"  errors {errors}" if errors else ""))
PY
    rm -f "$work"/bench-*.json
    stop_all
  done
done

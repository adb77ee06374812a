#!/usr/bin/env bash
# The engine's memory per message: jemalloc's live bytes (wharf_allocator_allocated_bytes on
# /metrics) before and after one `wharf bench` run that leaves its messages in the queue, divided
# by the messages sent. Deterministic to a few bytes, unlike RSS or throughput on a shared machine.
#
#   bench/bytes_per_message.sh [--wharf BIN] [--storage memory|strict|relaxed] -- <wharf bench args>
#   bench/bytes_per_message.sh -- --scenario fifo --groups 100 --count 300000
#
# Needs a Release build (the gauge exists only where jemalloc is linked: not in sanitizer builds).
set -euo pipefail
cd "$(dirname "$0")/.."
wharf=build/release/src/server/wharf
storage=memory
while [[ $# -gt 0 ]]; do
  case $1 in
    --wharf) wharf=$2; shift 2 ;;
    --storage) storage=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $# -gt 0 ]] || set -- --scenario fifo --groups 100 --count 300000

export WHARF_ROOT_KEY=${WHARF_ROOT_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
port=$((20000 + RANDOM % 20000))
data=$(mktemp -d)
if [[ $storage == memory ]]; then mode=(--storage memory); else mode=(--durability "$storage"); fi
"$wharf" serve --port "$port" --data-dir "$data/d" "${mode[@]}" >"$data/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

live() { curl -sf "http://127.0.0.1:$port/metrics" | awk '/^wharf_allocator_allocated_bytes /{print $2}'; }
before=$(live)
[[ -n $before ]] || { echo "no wharf_allocator_allocated_bytes: is $wharf a Release build with jemalloc?" >&2; exit 1; }
messages=$("$wharf" bench --endpoint "http://127.0.0.1:$port" --warmup 0s --keep-queue --json \
  --no-progress "$@" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')
sleep 1
after=$(live)
python3 -c "print('%s, %s: %d messages, %.0f live bytes per message' % ('$storage', '$*', $messages, ($after - $before) / $messages))"

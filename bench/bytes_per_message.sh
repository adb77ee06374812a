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
source bench/one_server.sh
parse_server_options memory --scenario fifo --groups 100 --count 300000 -- "$@"
start_server

live() { curl -sf "http://127.0.0.1:$port/metrics" | awk '/^wharf_allocator_allocated_bytes /{print $2}'; }
before=$(live)
[[ -n $before ]] || { echo "no wharf_allocator_allocated_bytes: is $wharf a Release build with jemalloc?" >&2; exit 1; }
messages=$("$wharf" bench --endpoint "http://127.0.0.1:$port" --warmup 0s --keep-queue --json \
  --no-progress "${bench_args[@]}" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')
sleep 1
after=$(live)
python3 -c "print('%s, %s: %d messages, %.0f live bytes per message' % ('$storage', '${bench_args[*]}', $messages, ($after - $before) / $messages))"

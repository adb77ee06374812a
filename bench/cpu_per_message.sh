#!/usr/bin/env bash
# Server CPU time per message (utime + stime from /proc/<pid>/stat, the store's own threads
# included) under allocator settings given as MALLOC_CONF strings, alternating setting by
# setting so that each sees the same machine. CPU per message moves less than msg/s with the
# moods of this shared machine, and it counts what a durable mode adds (the committer,
# flushes, compactions).
#
#   bench/cpu_per_message.sh [--rounds 3] [--durability "strict relaxed"] [--wharf <binary>]
#                            [--] <MALLOC_CONF>...
#
# An empty string is the binary's own settings (src/server/malloc_conf.cc). Each run is one
# fresh server (`--storage memory` if the durability is "memory") and three phases on it, with
# 16 connections and 256-byte bodies: `fifo` (100 groups, 400,000 messages), `send-batch`
# (600,000 messages into a kept queue), then `receive-delete` of 500,000 of those. Prints per
# phase the server's CPU µs per message, msg/s and the server's RSS growth per message
# (bytes; coarse with huge pages), and the RSS at the end.
# Build first: ./scripts/build release --target wharf
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 durabilities="strict relaxed" wharf=$PWD/build/release/src/server/wharf
confs=()
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --durability) durabilities=$2; shift 2 ;;
    --wharf) wharf=$(realpath "$2"); shift 2 ;;
    --) shift; confs+=("$@"); break ;;
    *) confs+=("$1"); shift ;;
  esac
done
((${#confs[@]})) || confs=("")
tmp=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
phase() {  # phase <name> <bench flags...>: one line of figures
  local name=$1
  shift
  local c0 r0 t0 messages c1 r1 t1
  c0=$(cpu_ticks) r0=$(rss_kib) t0=$(date +%s.%N)
  messages=$("$wharf" bench --endpoint "http://127.0.0.1:$port" --connections 16 --body-size 256 \
    --warmup 0s --json --no-progress "$@" 2>/dev/null |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["messages"])')
  c1=$(cpu_ticks) r1=$(rss_kib) t1=$(date +%s.%N)
  /usr/bin/python3 -c 'import os, sys
c0, c1, r0, r1, t0, t1, m = map(float, sys.argv[2:])
tick = 1e6 / os.sysconf("SC_CLK_TCK")
print("%s %.1f µs/msg %.0f msg/s %+.0f B/msg;" % (sys.argv[1], (c1 - c0) * tick / m, m / (t1 - t0),
      (r1 - r0) * 1024 / m), end=" ")' "$name" "$c0" "$c1" "$r0" "$r1" "$t0" "$t1" "$messages"
}

for round in $(seq "$rounds"); do
  for durability in $durabilities; do
    for conf in "${confs[@]}"; do
      port=$((20000 + RANDOM % 20000))
      rm -rf "$tmp/data"
      mode=(--durability "$durability")
      [[ $durability == memory ]] && mode=(--storage memory)
      MALLOC_CONF=$conf "$wharf" serve --port "$port" --data-dir "$tmp/data" "${mode[@]}" \
        >"$tmp/serve.log" 2>&1 &
      pid=$!
      for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
      echo -n "round $round, $durability, MALLOC_CONF=\"$conf\": "
      phase fifo --scenario fifo --groups 100 --count 400000
      phase send-batch --scenario send-batch --count 600000 --queue kept --keep-queue
      phase receive-delete --scenario receive-delete --prefill 0 --count 500000 --queue kept
      echo "RSS $(($(rss_kib) / 1024)) MiB at the end"
      kill "$pid"
      wait "$pid" 2>/dev/null || true
      pid=
    done
  done
done

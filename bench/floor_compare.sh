#!/usr/bin/env bash
# Issue 6's throughput targets against the floor of this machine, measured in the same minutes:
# for each scenario and round, a fresh endpoint per row, one `wharf bench` run each, rows in
# turn so that the machine's moods fall on all of them alike. Prints one Markdown table per
# scenario: msg/s per round and the p99 of the last round.
#
#   bench/floor_compare.sh [--rounds 2] [--duration 5s]
#                          [--scenarios "send send-batch receive-delete pipeline"]
#                          [--connections 16] [--pipeline-rate 100000] [--data-dir-parent /tmp]
#
# receive-delete prefills 2,000,000 messages into the floor and 1,200,000 into Wharf (enough for
# the warm-up and the run at each one's rate); pipeline produces at --pipeline-rate (issue 6's
# target) and reports the messages consumed per second and the end-to-end p99 instead of the
# requests' p99. fifo (send-batch on a FIFO queue, unique deduplication ids) spreads its
# messages over 100 groups, as issue 6's FIFO target does.
#
# Rows: the floor responder (bench/floor_responder.cc) without sync, with fdatasync inline (one
# write + sync per turn of its loop) and with fdatasync on its sync thread (`--sync-thread on`:
# the loop keeps parsing while a group syncs, the shape of Wharf's committer; the stronger
# synced floor), and Wharf with --storage memory, --durability relaxed and strict (default).
# Not part of ./scripts/test.
# Build first: ./scripts/build release --target wharf wharf_floor_responder
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=2 duration=5s scenarios="send send-batch receive-delete pipeline" connections=16
pipeline_rate=100000 parent=${TMPDIR:-/tmp}
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --pipeline-rate) pipeline_rate=$2; shift 2 ;;
    --data-dir-parent) parent=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
wharf=$PWD/build/release/src/server/wharf
floor=$PWD/build/release/bench/wharf_floor_responder
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY
rows=("floor, --sync none" "floor, --sync fdatasync" "floor, --sync fdatasync --sync-thread on"
      "Wharf, --storage memory" "Wharf, relaxed" "Wharf, strict")
scratch=$(mktemp -d "$parent/floor-compare.XXXXXX")
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

start() {  # start <row> <port>: the endpoint of that row, fresh
  local dir=$scratch/$2
  rm -rf "$dir"
  mkdir -p "$dir"
  local command
  case $1 in
    "floor, --sync none") command=("$floor" --port "$2" --sync none --file "$dir/log") ;;
    "floor, --sync fdatasync") command=("$floor" --port "$2" --sync fdatasync --file "$dir/log") ;;
    "floor, --sync fdatasync --sync-thread on")
      command=("$floor" --port "$2" --sync fdatasync --sync-thread on --file "$dir/log") ;;
    "Wharf, --storage memory") command=("$wharf" serve --port "$2" --data-dir "$dir/d" --storage memory) ;;
    "Wharf, relaxed") command=("$wharf" serve --port "$2" --data-dir "$dir/d" --durability relaxed) ;;
    "Wharf, strict") command=("$wharf" serve --port "$2" --data-dir "$dir/d") ;;
  esac
  # The endpoint itself in the background (not a subshell around it), so that `kill $pid`
  # stops it before the next row starts.
  "${command[@]}" >"$dir.out" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0
    sleep 0.05
  done
  echo "floor_compare.sh: $1 did not start" >&2
  cat "$dir.out" >&2
  exit 1
}

declare -A rate p99
for scenario in $scenarios; do
  for round in $(seq "$rounds"); do
    for row in "${rows[@]}"; do
      port=$((20000 + RANDOM % 20000))
      start "$row" "$port"
      extra=()
      case $scenario in
        receive-delete) [[ $row == floor* ]] && extra=(--prefill 2000000) || extra=(--prefill 1200000) ;;
        pipeline) extra=(--rate "$pipeline_rate") ;;
        fifo) extra=(--groups 100) ;;
      esac
      result=$("$wharf" bench --endpoint "http://127.0.0.1:$port" --scenario "$scenario" \
        --connections "$connections" --duration "$duration" --json --no-progress "${extra[@]}" \
        2>/dev/null)
      kill "$pid"
      wait "$pid" 2>/dev/null || true
      pid=
      read -r r p < <(/usr/bin/python3 -c 'import json, sys
r = json.loads(sys.argv[1])
latency = r.get("end_to_end_latency_ms") or r["latency_ms"]
print("%.0f %.1f" % (r["messages_per_s"], latency["p99"]))' "$result")
      rate[$scenario,$row]+="${rate[$scenario,$row]:+ / }$r"
      p99[$scenario,$row]=$p
    done
  done
  echo
  what="p99 ms (last round)"
  if [[ $scenario == pipeline ]]; then
    what="end-to-end p99 ms (last round)"
    echo "pipeline at $pipeline_rate msg/s offered; msg/s is what was consumed."
  fi
  echo "$scenario, $connections connections, $duration per run, $rounds rounds:"
  echo
  echo "| endpoint | msg/s (round 1 / 2 / ...) | $what |"
  echo "| --- | --- | --- |"
  for row in "${rows[@]}"; do
    echo "| $row | ${rate[$scenario,$row]} | ${p99[$scenario,$row]} |"
  done
done

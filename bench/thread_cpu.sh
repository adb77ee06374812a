#!/usr/bin/env bash
# Where a server's CPU goes, thread by thread: each thread's CPU time (utime + stime from
# /proc/<pid>/task/<tid>/stat) and context switches over one `wharf bench` run, per message and
# per request. The threads are named (common/thread_name.h: wharf-io-N, wharf-commit, the store's
# rocksdb:high flushes, ...), so a durable mode's cost shows apart from the request work the I/O
# threads do in every mode. Exact counts, unlike a sampled profile.
#
#   bench/thread_cpu.sh [--wharf BIN] [--storage memory|strict|relaxed] [-- <wharf bench args>]
#   bench/thread_cpu.sh --storage strict -- --scenario fifo --groups 100 --duration 8s
#
# Threads that used no CPU during the run are left out. Build first:
# ./scripts/build release --target wharf
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/one_server.sh
parse_server_options strict --scenario fifo --groups 100 --duration 8s -- "$@"
start_server

# One line per thread: tid, name (spaces made underscores), CPU ticks, context switches.
snapshot() {
  for task in /proc/"$pid"/task/*; do
    local stat name
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    name=$(tr ' ' _ <"$task/comm")
    # Fields 14 and 15 (utime, stime) counted after the ")" that ends the name.
    echo "${task##*/} $name $(awk '{print $12 + $13}' <<<"${stat##*) }")" \
      "$(awk '/^(non)?voluntary_ctxt_switches/ {s += $2} END {print s}' "$task/status")"
  done
}
snapshot >"$data/before"
"$wharf" bench --endpoint "http://127.0.0.1:$port" --warmup 0s --json --no-progress "${bench_args[@]}" \
  >"$data/report.json" 2>/dev/null
snapshot >"$data/after"
python3 - "$data/before" "$data/after" "$data/report.json" "$storage" "$(getconf CLK_TCK)" <<'PY'
import json, sys
before = {l.split()[0]: l.split() for l in open(sys.argv[1])}
after = {l.split()[0]: l.split() for l in open(sys.argv[2])}
report = json.load(open(sys.argv[3]))
ticks = float(sys.argv[5])
messages, requests = report["messages"], report["requests"]
print("%s: %d messages, %.0f msg/s, %d requests" % (sys.argv[4], messages, report["messages_per_s"], requests))
print("  %-16s %12s %16s" % ("thread", "CPU µs/msg", "switches/request"))
total = 0.0
for tid, (_, name, cpu, switches) in sorted(after.items(), key=lambda kv: kv[1][1]):
    old = before.get(tid, [tid, name, "0", "0"])
    used = (float(cpu) - float(old[2])) / ticks * 1e6 / messages
    total += used
    if used > 0:
        print("  %-16s %12.2f %16.2f" % (name, used, (int(switches) - int(old[3])) / requests))
print("  %-16s %12.2f" % ("all", total))
PY

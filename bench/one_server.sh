# shellcheck shell=bash
# Sourced by the bench scripts that start one Wharf server and point one `wharf bench` run at it
# (bytes_per_message.sh, thread_cpu.sh): their shared options and the server's start and stop.
#
#   parse_server_options <default storage> <default bench args...> -- "$@"
#       [--wharf BIN] [--storage memory|strict|relaxed] [-- <wharf bench args>]
#     sets `wharf`, `storage` and the array `bench_args`
#   start_server
#     a fresh data directory and a random port; sets `port`, `data` (scratch space for the
#     caller too) and `pid`, waits for /health, and stops the server and removes `data` on exit
#
# Run from the repository's root (the scripts cd there); the default binary is the Release build.

parse_server_options() {
  storage=$1
  shift
  local defaults=()
  while [[ $# -gt 0 && $1 != -- ]]; do
    defaults+=("$1")
    shift
  done
  shift  # the -- between the defaults and the caller's arguments
  wharf=build/release/src/server/wharf
  while [[ $# -gt 0 ]]; do
    case $1 in
      --wharf) wharf=$2; shift 2 ;;
      --storage) storage=$2; shift 2 ;;
      --) shift; break ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  # shellcheck disable=SC2034 # bench_args is for the script that sources this file
  if [[ $# -gt 0 ]]; then bench_args=("$@"); else bench_args=("${defaults[@]}"); fi
}

start_server() {
  export WHARF_ROOT_KEY=${WHARF_ROOT_KEY:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
  port=$((20000 + RANDOM % 20000))
  data=$(mktemp -d)
  local mode
  if [[ $storage == memory ]]; then mode=(--storage memory); else mode=(--durability "$storage"); fi
  "$wharf" serve --port "$port" --data-dir "$data/d" "${mode[@]}" >"$data/log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
}

#!/usr/bin/env bash
# Runs the PostgreSQL backend's tests against a private cluster:
#   tests/postgres/run.sh <test binary> [gtest arguments...]
# Starts a cluster (pg_cluster.sh) in a scratch directory, runs the binary with
# WHARF_TEST_POSTGRES_URL pointing at it, and always stops the cluster and removes the directory.
# Exits with the binary's status. The server log is printed when the tests fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(($# >= 1)) || { echo "usage: $0 <test binary> [args...]" >&2; exit 2; }
binary=$1
shift

dir=$(mktemp -d /tmp/wharf-pg.XXXXXX)
cleanup() {
  "$here/pg_cluster.sh" stop "$dir" || echo "run.sh: stopping the cluster in $dir failed" >&2
  rm -rf "$dir"
}
trap cleanup EXIT

url=$("$here/pg_cluster.sh" start "$dir") || exit 1
echo "run.sh: PostgreSQL at $url"
WHARF_TEST_POSTGRES_URL=$url "$binary" "$@"
rc=$?
if ((rc != 0)); then
  echo "--- server log ($dir/server.log) ---"
  tail -n 50 "$dir/server.log"
fi
exit $rc

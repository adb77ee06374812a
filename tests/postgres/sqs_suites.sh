#!/usr/bin/env bash
# The SQS integration suites with real clients against one `wharf serve --storage postgres`
# node on a private PostgreSQL cluster: the same tests as against the embedded store
# (tests/integration/run.sh), so both backends are held to one behaviour (issue 11).
#
#   tests/postgres/sqs_suites.sh <path-to-wharf-binary>
#
# Runs the Node suites whose behaviour depends on the storage backend (queues, messages,
# batches, receive, visibility, delays, purge, FIFO, dead-letter queues and move tasks, SSE,
# SNS delivery into queues, sqs-consumer), with the JSON protocol by default (the Query protocol
# is the same code above the backend, and CI's time budget counts: about 1.5 min instead of 3;
# WHARF_JS_PROTOCOLS=all runs both). The few tests of what the PostgreSQL
# backend does not do yet are marked in the test files with notOnPostgresYet(reason)
# (docs/postgres.md, "Not yet") and reported as skipped with that reason.
# Optional environment: JS_TESTS (files, relative to tests/integration), WHARF_JS_PROTOCOLS.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
(($# == 1)) || { echo "usage: $0 <path-to-wharf-binary>" >&2; exit 2; }
binary=$1

dir=$(mktemp -d /tmp/wharf-pg.XXXXXX)
cleanup() {
  "$here/pg_cluster.sh" stop "$dir" || echo "sqs_suites.sh: stopping the cluster in $dir failed" >&2
  rm -rf "$dir"
}
trap cleanup EXIT

url=$("$here/pg_cluster.sh" start "$dir") || exit 1
echo "sqs_suites.sh: PostgreSQL at $url"
suites=(queues messages batch receive visibility delays purge fifo dlq sse sns consumer)
default_tests=""
for suite in "${suites[@]}"; do default_tests+="js/$suite.test.mjs "; done
protocols=${WHARF_JS_PROTOCOLS:-json}
[[ $protocols == all ]] && protocols=""
WHARF_SERVE_EXTRA="--storage postgres --postgres-url $url" SUITES=js WHARF_JS_PROTOCOLS=$protocols \
  JS_TESTS="${JS_TESTS:-$default_tests}" bash "$here/../integration/run.sh" "$binary"
rc=$?
if ((rc != 0)); then
  echo "--- PostgreSQL log ($dir/server.log) ---"
  tail -n 50 "$dir/server.log"
fi
exit $rc

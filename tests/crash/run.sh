#!/usr/bin/env bash
# Wharf crash tests: SIGKILL a server under load and check that no acknowledged send or delete
# was lost: crash_test.py (a few kills), redrive_crash_test.py (kills during dead-letter moves
# and a move task; no move lost or doubled a message), sns_crash_test.py (no acknowledged SNS
# publish went undelivered) and crash_loop.py (36 kills in about 45 s, under load and during
# start-up, standard and FIFO queues; about 1 minute in all).
# storage_fault_test.py makes a running server's disk full and failing and checks that it
# refuses sends with a retryable 503, keeps serving receives, recovers by itself and loses
# nothing acknowledged (boto3, about 10 s).
#
#   tests/crash/run.sh <path-to-wharf-binary> [options every script takes, e.g. --seed N]
set -u
if [ "$#" -lt 1 ]; then
  echo "usage: $0 <path-to-wharf-binary> [crash_test.py options]" >&2
  exit 2
fi
BIN_ARG=$1
shift
if [ ! -f "$BIN_ARG" ] || [ ! -x "$BIN_ARG" ]; then
  echo "run.sh: '$BIN_ARG' is not an executable file" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
# One root key for every restart of this run (secrets at rest are sealed with it).
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY
/usr/bin/python3 tests/crash/crash_test.py --wharf "$BIN" "$@"
rc=$?
/usr/bin/python3 tests/crash/redrive_crash_test.py --wharf "$BIN" "$@" || rc=1
/usr/bin/python3 tests/crash/sns_crash_test.py --wharf "$BIN" "$@" || rc=1
/usr/bin/python3 tests/crash/crash_loop.py --wharf "$BIN" "$@" || rc=1
/usr/bin/python3 tests/crash/storage_fault_test.py --wharf "$BIN" "$@" || rc=1
exit $rc

#!/usr/bin/env bash
# Wharf soak and abuse test: legitimate producers and consumers beside slowloris, idle, slow-body,
# malformed and flooding clients, for a bounded time; checks that legitimate traffic keeps
# succeeding, live allocations and RSS stay bounded and descriptors return to their baseline
# (tests/soak/soak.py).
#
#   tests/soak/run.sh <path-to-wharf-binary> [soak.py options, e.g. --duration 600 --seed N]
set -u
if [ "$#" -lt 1 ]; then
  echo "usage: $0 <path-to-wharf-binary> [soak.py options]" >&2
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
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY
exec /usr/bin/python3 tests/soak/soak.py --wharf "$BIN" "$@"

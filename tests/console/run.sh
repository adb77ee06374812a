#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup functions are invoked from traps
# End-to-end tests of the web console in headless Chromium.
#
#   tests/console/run.sh <path-to-wharf-binary>
#
# Starts `<binary> serve` on a free port with a temporary data directory and a root key for
# this run only, waits for /health, then runs console.test.mjs (node --test), which drives
# Debian's /usr/bin/chromium through playwright-core against http://127.0.0.1:<port>/console.
# Screenshots go to build/console-artifacts/ (WHARF_CONSOLE_ARTIFACTS overrides).
#
# Optional environment:
#   WHARF_CHROMIUM=/path/to/chromium   the browser (default /usr/bin/chromium)
set -u

[ "$#" -ge 1 ] || { echo "usage: $0 <path-to-wharf-binary>" >&2; exit 2; }
if [ ! -x "$1" ]; then
  echo "run.sh: '$1' is not an executable file" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export WHARF_CONSOLE_ARTIFACTS=${WHARF_CONSOLE_ARTIFACTS:-$ROOT/build/console-artifacts}
export WHARF_CHROMIUM=${WHARF_CHROMIUM:-/usr/bin/chromium}

for tool in curl node "$WHARF_CHROMIUM"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: '$tool' is required (scripts/install-deps)" >&2; exit 2; }
done
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  echo "run.sh: installing playwright-core (npm ci)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || exit 1
fi

DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wharf-console-data.XXXXXX")
LOG_FILE=$(mktemp "${TMPDIR:-/tmp}/wharf-console-log.XXXXXX")
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$DATA_DIR" "$LOG_FILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(node -e '
  const s = require("net").createServer();
  s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });') ||
  { echo "run.sh: could not find a free port" >&2; exit 1; }
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY
"$BIN" serve --port "$PORT" --data-dir "$DATA_DIR" >"$LOG_FILE" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 300); do # 30 s
  kill -0 "$SERVER_PID" 2>/dev/null || break
  if curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "run.sh: the server did not become healthy on port $PORT" >&2
  tail -n 100 "$LOG_FILE" >&2
  exit 1
fi

export WHARF_ENDPOINT="http://127.0.0.1:$PORT"
mkdir -p "$WHARF_CONSOLE_ARTIFACTS"
cd "$HERE" || exit 1
node --test --test-concurrency=1 sigv4.test.mjs console.test.mjs
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "run.sh: console tests FAILED; screenshots in $WHARF_CONSOLE_ARTIFACTS; server log:" >&2
  tail -n 200 "$LOG_FILE" >&2
else
  echo "run.sh: console tests passed; screenshots in $WHARF_CONSOLE_ARTIFACTS"
fi
exit "$rc"

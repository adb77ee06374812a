#!/usr/bin/env bash
# Packaging test: `cmake --install` of a build tree puts the binary, the systemd unit and the
# documentation under the prefix; the installed binary reports its version and commit and
# serves; the unit passes `systemd-analyze verify` with no complaint (it only warns on unknown
# keys or bad values, so any output fails the test).
#
#   tests/packaging/run.sh <build tree, e.g. build/release>
set -u
BUILD=${1:?usage: $0 <build tree>}
cd "$(dirname "$0")/../.."
PREFIX=$(mktemp -d)
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$PREFIX"
}
trap cleanup EXIT
failures=0
fail() { echo "packaging: FAIL: $*" >&2; failures=$((failures + 1)); }

if ! cmake --install "$BUILD" --prefix "$PREFIX" >"$PREFIX/install.log" 2>&1; then
  cat "$PREFIX/install.log" >&2
  fail "cmake --install"
  exit 1
fi
for f in bin/wharf lib/systemd/system/wharf.service share/doc/wharf/README.md \
         share/doc/wharf/docs/configuration.md; do
  [[ -f "$PREFIX/$f" ]] || fail "not installed: $f"
done

# --version: the project version from CMakeLists.txt and a commit hash.
version=$(sed -n 's/^project(wharf VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
first=$("$PREFIX/bin/wharf" --version | head -n 1)
[[ "$first" =~ ^wharf\ ${version//./\\.}\ \(commit\ [0-9a-f]{12}(-dirty)?\)$ ]] ||
  fail "--version says '$first', expected 'wharf $version (commit <12 hex>)'"
"$PREFIX/bin/wharf" --version | grep -q '^libraries: RocksDB ' || fail "--version names no libraries"

# The unit, with ExecStart pointed at the installed binary (the unit names the configured
# prefix, which a test cannot write to).
unit="$PREFIX/wharf.service"
sed "s|^ExecStart=[^ ]*/wharf |ExecStart=$PREFIX/bin/wharf |" \
  "$PREFIX/lib/systemd/system/wharf.service" >"$unit"
grep -q "^ExecStart=$PREFIX/bin/wharf serve " "$unit" || fail "unexpected ExecStart in the unit"
complaints=$(systemd-analyze verify "$unit" 2>&1)
if [[ $? -ne 0 || -n "$complaints" ]]; then fail "systemd-analyze verify: $complaints"; fi

# The installed binary serves.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PREFIX/bin/wharf" serve --host 127.0.0.1 --port "$port" --storage memory \
  --data-dir "$PREFIX/data" >"$PREFIX/server.log" 2>&1 &
SERVER_PID=$!
healthy=""
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 0.1
done
[[ -n "$healthy" ]] || { fail "the installed binary did not serve /health"; cat "$PREFIX/server.log" >&2; }

if [[ $failures -ne 0 ]]; then
  echo "packaging: $failures failure(s)" >&2
  exit 1
fi
echo "packaging: installed to a prefix, '$first', unit verified, /health served"

#!/usr/bin/env bash
# Provisioning from wharf.toml against a real server (docs/provisioning.md): queues with a DLQ and
# tags, a FIFO queue, a topic subscribed to a queue, a user with a policy and fixed keys, checked
# with boto3; restarts on the same data directory create nothing twice; auto_create_queues makes
# a queue on first SendMessage; bad settings and provisioning errors stop the start. About 15 s.
#
#   tests/provisioning/run.sh <path-to-wharf-binary>
set -u
if [ "$#" -lt 1 ]; then
  echo "usage: $0 <path-to-wharf-binary>" >&2
  exit 2
fi
BIN_ARG=$1
if [ ! -f "$BIN_ARG" ] || [ ! -x "$BIN_ARG" ]; then
  echo "run.sh: '$BIN_ARG' is not an executable file" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$BIN_ARG")" && pwd)/$(basename "$BIN_ARG")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# One root key for every start of this run (identities are sealed with it at rest).
WHARF_ROOT_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export WHARF_ROOT_KEY
exec /usr/bin/python3 "$HERE/provisioning_test.py" --wharf "$BIN"

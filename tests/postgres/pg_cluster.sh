#!/usr/bin/env bash
# A private PostgreSQL cluster for tests, in a scratch directory, reachable only on loopback.
#   pg_cluster.sh start <dir>   initdb in <dir>/data, start it on 127.0.0.1:<free port> with its
#                               Unix socket in <dir>; prints the libpq URL (also in <dir>/url)
#   pg_cluster.sh stop <dir>    stops it (fast shutdown); nothing happens if it is not running
# The caller stops it, in a trap (tests/postgres/run.sh shows how). Debian's binaries are used
# (/usr/lib/postgresql/<version>/bin, the newest there). initdb refuses to run as root, so as root
# the binaries run as the system user `wharf-test` (created here if missing), which owns <dir>;
# <dir>'s parents must then be searchable by that user (run.sh uses a directory under /tmp).
# fsync and synchronous_commit are left at their defaults: the tests see real commit behaviour.
set -euo pipefail

usage() { echo "usage: $0 start|stop <dir>" >&2; exit 2; }
(($# == 2)) || usage
action=$1
dir=$(realpath -m "$2")

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z $bin || ! -x $bin/initdb ]]; then
  echo "pg_cluster: no PostgreSQL server binaries under /usr/lib/postgresql (apt install postgresql)" >&2
  exit 1
fi

as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  if ! id -u wharf-test >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin wharf-test
  fi
  as_owner=(runuser -u wharf-test --)
fi

case $action in
  start)
    mkdir -p "$dir"
    [[ ${#as_owner[@]} -gt 0 ]] && chown wharf-test: "$dir"
    if [[ -e $dir/data/PG_VERSION ]]; then
      echo "pg_cluster: $dir/data already holds a cluster" >&2
      exit 1
    fi
    # A free port from the kernel; the short window before the server binds is acceptable for a
    # test harness (pg_ctl fails loudly if someone took it meanwhile).
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U wharf -A trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    if ! "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir" \
        start >/dev/null; then
      cat "$dir/server.log" >&2
      exit 1
    fi
    url="postgresql://wharf@127.0.0.1:$port/postgres"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  stop)
    if [[ -e $dir/data/postmaster.pid ]]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    ;;
  *) usage ;;
esac

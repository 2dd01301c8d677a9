#!/usr/bin/env bash
# Run a command with CIRCLES_TEST_POSTGRES_URL pointing at a PostgreSQL server.
# If CIRCLES_DATABASE_URL names a PostgreSQL server, that server is used (the tests
# create and drop their own databases on it). Otherwise a throwaway cluster is made
# in a temporary directory, started on a free port, and stopped when the command ends.
set -euo pipefail

if [[ "${CIRCLES_DATABASE_URL:-}" == postgresql* ]]; then
  export CIRCLES_TEST_POSTGRES_URL="$CIRCLES_DATABASE_URL"
  exec "$@"
fi

# Debian keeps the server binaries out of PATH.
for bin in /usr/lib/postgresql/*/bin; do [ -d "$bin" ] && PATH="$PATH:$bin"; done

if ! command -v initdb >/dev/null || ! command -v pg_ctl >/dev/null; then
  echo "with-postgres: PostgreSQL server binaries (initdb, pg_ctl) are not on PATH." >&2
  echo "Install PostgreSQL 15+ or set CIRCLES_DATABASE_URL=postgresql+asyncpg://..." >&2
  exit 1
fi

dir=$(mktemp -d /tmp/circles-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root.
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi

stop() {
  "${as_pg[@]}" pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_pg[@]}" initdb -D "$dir/data" -U circles -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" pg_ctl -D "$dir/data" -l "$dir/server.log" -w -o \
  "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export CIRCLES_TEST_POSTGRES_URL="postgresql+asyncpg://circles@127.0.0.1:$port/postgres"
echo "with-postgres: throwaway cluster on port $port" >&2
"$@"

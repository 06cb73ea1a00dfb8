#!/usr/bin/env bash
# Installs (when missing) and starts a Redis on 127.0.0.1:6379 and a PostgreSQL on 127.0.0.1:5432 with a database
# and user for the tests, then prints the variables to export:
#   eval "$(scripts/ci-services.sh)"
# Everything but the final `export` lines goes to stderr, so the eval above only sees the exports.
# Debian/Ubuntu (apt); run as root or with sudo. Idempotent: services already up are left as they are.
set -euo pipefail

PG_USER=arxiv
PG_PASSWORD=arxiv
PG_DB=arxiv_digest_test
REDIS_PORT=6379
PG_PORT=5432

log() { echo "ci-services: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi

# Redis: a throwaway instance without persistence, bound to loopback.
if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" != "PONG" ]; then
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
    --logfile /tmp/arxiv-digest-redis.log >&2
fi
for _ in $(seq 1 50); do
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ] && break
  sleep 0.2
done
[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" = "PONG" ] || { log "redis did not start"; exit 1; }

# PostgreSQL: Debian's cluster tools (no systemd needed).
if ! pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    log "creating PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main --port "$PG_PORT" >&2
  fi
  log "starting PostgreSQL $version"
  as_root pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 50); do
  pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null && break
  sleep 0.2
done
pg_isready -h 127.0.0.1 -p "$PG_PORT" -q || { log "postgresql did not start"; exit 1; }

psql_admin() { as_postgres psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
  log "creating role $PG_USER"
  psql_admin -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
  log "creating database $PG_DB"
  psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER" >&2
fi

echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
echo "export TEST_POSTGRES_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"

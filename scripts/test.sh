#!/usr/bin/env bash
# Installs everything, makes sure PostgreSQL and Redis run, then lints and runs the whole test
# suite on SQLite and PostgreSQL, browser tests and the Redis job queue included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --test

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "Starting PostgreSQL"
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if pg_isready -q -h 127.0.0.1 -p 5432; then
  export GUANXI_TEST_DATABASE_URL="${GUANXI_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/guanxi_test}"
else
  echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2
  exit 1
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Starting Redis"
  redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  # the tests' own database number; each test uses a queue name of its own and removes its keys
  export GUANXI_TEST_REDIS_URL="${GUANXI_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
else
  echo "Redis is not reachable on 127.0.0.1:6379" >&2
  exit 1
fi

.venv/bin/ruff check core plugins tests bench
.venv/bin/python -m pytest "$@"

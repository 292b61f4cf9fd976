#!/usr/bin/env bash
# Installs, migrates, loads demo data and serves Guanxi on the embedded SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export FLASK_APP="core.app:create_app"
.venv/bin/guanxi db upgrade
.venv/bin/guanxi demo --quiet-if-loaded
port="${PORT:-5000}"
echo
echo "Guanxi is running at http://127.0.0.1:${port}/"
echo "Demo logins (password: demo1234): admin, gm, cmmanager, specialist, rm_east, rep_zhang, weigher"
echo
exec .venv/bin/guanxi run --host 127.0.0.1 --port "$port"

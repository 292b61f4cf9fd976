#!/usr/bin/env bash
# Installs, migrates, loads demo data and serves Guanxi on the embedded SQLite database: the web
# server (gunicorn, on 127.0.0.1:$PORT) and the background worker side by side. Ctrl-C stops both.
#
# GUANXI_PYTHON names the Python of an environment that is installed already (the install step is
# then skipped); GUANXI_INSTANCE_PATH, GUANXI_DATABASE_URL, GUANXI_REDIS_URL apply as everywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${GUANXI_PYTHON:-}"
if [ -z "$py" ]; then
  bash scripts/bootstrap.sh
  py=.venv/bin/python
fi
"$py" -m core db upgrade
"$py" -m core demo --quiet-if-loaded
port="${PORT:-5000}"

children=()
stop() {
  trap - INT TERM EXIT
  if [ "${#children[@]}" -gt 0 ]; then
    kill -INT "${children[@]}" 2>/dev/null || true
    # running requests and jobs get 15 seconds to finish; then they are killed
    for _ in $(seq 1 150); do
      [ -z "$(jobs -rp)" ] && break
      sleep 0.1
    done
    kill -KILL $(jobs -rp) 2>/dev/null || true
    wait 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

# no control socket: it would be one per user account, shared by every checkout's server
"$py" -m gunicorn --bind "127.0.0.1:${port}" --workers "${GUANXI_WEB_WORKERS:-2}" \
  --graceful-timeout 10 --no-control-socket core.wsgi:app &
children+=($!)
"$py" -m core worker &
children+=($!)

echo
echo "Guanxi is running at http://127.0.0.1:${port}/ (web server and background worker; Ctrl-C stops both)"
echo "Demo logins (password: demo1234): admin, gm, cmmanager, specialist, rm_east, rep_zhang, weigher"
echo

# when either stops by itself, stop the other and report its exit status
status=0
wait -n || status=$?
exit "$status"

#!/usr/bin/env bash
# Installs everything Guanxi needs on a Debian machine: system packages (CJK font, PDF and
# browser tools), a virtualenv with the project and its test extras, and the lean PDF font.
# Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test="${1:-}"

apt_pkgs=(fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0)
if [ "$want_test" = "--test" ]; then
  apt_pkgs+=(chromium poppler-utils)
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_pkgs+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || apt_pkgs+=(redis-server)
fi
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.guanxi-installed
if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ]; then
  echo "Installing Python packages"
  # the pip configuration of some machines warns about missing local mirrors: keep the log readable
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import core, flask_babel, weasyprint, playwright"
  touch "$stamp"
fi
.venv/bin/guanxi i18n compile >/dev/null
.venv/bin/python -m core.fonts

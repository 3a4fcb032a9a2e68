#!/usr/bin/env bash
# Set everything up on a fresh Linux machine and run the whole test suite:
# lint + layer rules + flow check, unit and UI tests, then the real-browser tests inside a
# loopback-only network namespace (no test traffic can leave 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
need_package() {  # need_package COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

need_package chromium chromium   # Debian's Chromium: Playwright's own browser download does not work offline
need_package ip iproute2
need_package unshare util-linux
need_package node nodejs   # Amazon Connect ChatJS judges the fake Participant Service in the contract tests
need_package npm npm
need_package redis-server redis-server   # the Redis tests start their own on a free loopback port (never a service)
bash scripts/setup.sh
if [ ! -d tests/contract/chatjs/node_modules ]; then  # the pinned ChatJS (package-lock.json); offline afterwards
  npm ci --prefix tests/contract/chatjs --ignore-scripts --no-audit --no-fund
fi

echo '== static checks'
.venv/bin/ruff check .
.venv/bin/lint-imports --config pyproject.toml
.venv/bin/mypy backend agent_ui customer_ui ui_common vce
.venv/bin/vce flows check contact_flows/*.json

echo "== unit, contract and UI tests"
.venv/bin/pytest tests/unit tests/contract tests/ui -q -p no:cacheprovider

echo '== browser tests (loopback-only network namespace)'
as_root unshare -n sh -c 'ip link set lo up && exec .venv/bin/pytest tests/e2e -m e2e -q -p no:cacheprovider'

#!/usr/bin/env bash
# Set everything up on a fresh Linux machine and run the whole test suite:
# lint + layer rules + flow check, unit and UI tests, the installed package (the Dockerfile's steps and its lint),
# then the real-browser tests inside a loopback-only network namespace (no test traffic can leave 127.0.0.1).
#   --update-screenshots   also rewrite the README's screenshots (docs/screenshots) from the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
screenshots=0
for arg in "$@"; do
  case "$arg" in
    --update-screenshots) screenshots=1 ;;
    *) echo "unknown option: $arg (known: --update-screenshots)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
need_package() {  # need_package COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return
  # -o DPkg::Lock::Timeout: wait for another install to finish instead of failing on its lock
  if [ "$apt_updated" = 0 ]; then as_root apt-get -o DPkg::Lock::Timeout=600 update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$2" >/dev/null
}

need_package chromium chromium   # Debian's Chromium: Playwright's own browser download does not work offline
need_package ip iproute2
need_package ffprobe ffmpeg  # the recording tests check the files with ffprobe (and ffmpeg's filters)
need_package unshare util-linux
need_package node nodejs   # Amazon Connect ChatJS judges the fake Participant Service in the contract tests
need_package npm npm
need_package redis-server redis-server   # the Redis tests start their own on a free loopback port (never a service)
bash scripts/setup.sh --deploy
if [ ! -d tests/contract/chatjs/node_modules ]; then  # the pinned ChatJS (package-lock.json); offline afterwards
  npm ci --prefix tests/contract/chatjs --ignore-scripts --no-audit --no-fund
fi

echo '== static checks'
.venv/bin/ruff check .
.venv/bin/lint-imports --config pyproject.toml
.venv/bin/mypy backend agent_ui customer_ui ui_common vce vce_resources deploy
.venv/bin/vce flows check contact_flows/*.json

echo "== unit, contract and UI tests"
.venv/bin/pytest tests/unit tests/contract tests/ui -q -p no:cacheprovider

echo '== the package: wheel and sdist built and installed as the container image does, vce demo from the wheel'
.venv/bin/pytest tests/package -q -p no:cacheprovider

echo '== browser tests (loopback-only network namespace)'
as_root env VCE_UPDATE_SCREENSHOTS="$screenshots" \
  unshare -n sh -c 'ip link set lo up && exec .venv/bin/pytest tests/e2e -m e2e -q -p no:cacheprovider'

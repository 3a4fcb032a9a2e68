#!/usr/bin/env bash
# Set everything up and start local mode with a demo agent account; prints the URLs and the login.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/vce demo "$@"

#!/usr/bin/env bash
# Create .venv with the product and its test tools. Safe to re-run; needs Python 3.11+.
#   --deploy   also the CDK app's libraries (scripts/test.sh asks for them; the demo does not need them)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
extras=dev
# deploy: the CDK app's libraries for its offline tests (about 50 s and 570 MB more, mostly aws-cdk-lib)
if [ "${1:-}" = --deploy ]; then extras=dev,deploy; fi
.venv/bin/python -m pip install --quiet -e ".[$extras]"

#!/bin/sh
# Install the built wheel from WHEEL_DIR with the aws extra (boto3 and friends; no dev tools) into a new venv at
# VENV. The container image's runtime stage runs exactly this; so does tests/package/.
set -eu
venv=${1:?usage: scripts/package/install.sh VENV WHEEL_DIR}
wheels=${2:?usage: scripts/package/install.sh VENV WHEEL_DIR}
set -- "$wheels"/video_call_escalation-*-py3-none-any.whl
[ "$#" = 1 ] && [ -f "$1" ] || { echo "expected one video_call_escalation wheel in $wheels" >&2; exit 1; }
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet "$1[aws]"

#!/bin/sh
# Build the sdist, then the wheel from that sdist (so the sdist is proved complete), into OUT_DIR.
# Run from the repository root. The container image's build stage runs exactly this; so does tests/package/.
# Needs the `build` package in PYTHON (default python3).
set -eu
out=${1:?usage: scripts/package/build.sh OUT_DIR}
"${PYTHON:-python3}" -m build --outdir "$out" .

#!/usr/bin/env bash
# Vendor axe-core (the accessibility rules engine) for the e2e tests into tests/e2e/vendor/axe-core/.
#
# Tests only: the product never serves it. The e2e tests inject axe.min.js into each page and fail on serious or
# critical violations. The output is committed (CI never runs npm); this script exists so anyone can reproduce or
# update it: the same version gives the same bytes, checked against the registry's integrity hash by npm.
#
# Usage: bash scripts/vendor-axe-core.sh [VERSION]
set -euo pipefail

VERSION="${1:-4.14.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="${ROOT}/tests/e2e/vendor/axe-core"
WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT

cd "${WORK}"
# npm pack downloads the published tarball and checks its integrity; --ignore-scripts: no install hooks run
npm pack "axe-core@${VERSION}" --ignore-scripts --silent > /dev/null
tar -xzf "axe-core-${VERSION}.tgz"
test "$(node -p "require('./package/package.json').version")" = "${VERSION}"

mkdir -p "${OUT_DIR}"
cp package/axe.min.js "${OUT_DIR}/axe.min.js"
cp package/LICENSE "${OUT_DIR}/LICENSE"
if [[ -f package/LICENSE-3RD-PARTY.txt ]]; then cp package/LICENSE-3RD-PARTY.txt "${OUT_DIR}/LICENSE-3RD-PARTY.txt"; fi
printf '%s\n' "${VERSION}" > "${OUT_DIR}/VERSION"
(cd "${OUT_DIR}" && sha256sum axe.min.js > SHA256SUMS)
echo "vendored axe-core ${VERSION}: $(wc -c < "${OUT_DIR}/axe.min.js") bytes"
cat "${OUT_DIR}/SHA256SUMS"

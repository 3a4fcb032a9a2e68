"""The committed Chime SDK bundle is the one its checksum, version and licence files describe (CI never runs npm)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / 'assets' / 'vendor' / 'amazon-chime-sdk'
BUNDLE = VENDOR / 'chime-sdk.min.js'


def test_sha256sums_matches_the_bundle() -> None:
    lines = [line for line in (VENDOR / 'SHA256SUMS').read_text().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    digest, name = lines[0].split(maxsplit=1)
    assert name.lstrip('*') == BUNDLE.name  # the format `sha256sum -c` reads
    assert hashlib.sha256(BUNDLE.read_bytes()).hexdigest() == digest


def test_version_is_3x_and_matches_the_pinned_package() -> None:
    version = (VENDOR / 'VERSION').read_text().strip()
    assert version.startswith('3.'), version
    pinned = json.loads((ROOT / 'assets' / 'js-src' / 'package.json').read_text())['dependencies']
    assert pinned['amazon-chime-sdk-js'] == version, 'rebuild with: bash assets/js-src/build.sh'


def test_bundle_is_a_minified_iife_that_names_its_version_and_licence() -> None:
    head = BUNDLE.read_bytes()[:200].decode()
    version = (VENDOR / 'VERSION').read_text().strip()
    assert head.startswith(f'/*! amazon-chime-sdk-js {version} | Apache-2.0')
    assert BUNDLE.stat().st_size > 500_000  # a failed/partial build is far smaller


def test_licence_files_are_shipped() -> None:
    assert 'Apache License' in (VENDOR / 'LICENSE').read_text()
    third_party = (VENDOR / 'THIRD_PARTY_LICENSES.txt').read_text()
    assert '===== amazon-chime-sdk-js@' in third_party

"""The committed vendored bundles are what their checksum, version and licence files say (CI never runs npm), and the
elements fetch them only when needed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from nicegui import dependencies

from agent_ui.connect_desktop.connect_ccp import DEFAULT_CONNECT_BUNDLE_URL
from ui_common.meeting.meeting import DEFAULT_CHIME_BUNDLE_URL

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / 'assets' / 'vendor' / 'amazon-chime-sdk'
BUNDLE = VENDOR / 'chime-sdk.min.js'
CONNECT = ROOT / 'assets' / 'vendor' / 'amazon-connect-streams'
CONNECT_BUNDLE = CONNECT / 'connect-streams.min.js'
PINNED = json.loads((ROOT / 'assets' / 'js-src' / 'package.json').read_text())['dependencies']


@pytest.mark.parametrize('bundle', [BUNDLE, CONNECT_BUNDLE], ids=['chime', 'connect-streams'])
def test_sha256sums_matches_the_bundle(bundle: Path) -> None:
    lines = [line for line in (bundle.parent / 'SHA256SUMS').read_text().splitlines() if line.strip()]
    assert len(lines) == 1, lines
    digest, name = lines[0].split(maxsplit=1)
    assert name.lstrip('*') == bundle.name  # the format `sha256sum -c` reads
    assert hashlib.sha256(bundle.read_bytes()).hexdigest() == digest


def test_version_is_3x_and_matches_the_pinned_package() -> None:
    version = (VENDOR / 'VERSION').read_text().strip()
    assert version.startswith('3.'), version
    assert PINNED['amazon-chime-sdk-js'] == version, 'rebuild with: bash assets/js-src/build.sh'


def test_bundle_is_a_minified_iife_that_names_its_version_and_licence() -> None:
    head = BUNDLE.read_bytes()[:200].decode()
    version = (VENDOR / 'VERSION').read_text().strip()
    assert head.startswith(f'/*! amazon-chime-sdk-js {version} | Apache-2.0')
    assert BUNDLE.stat().st_size > 500_000  # a failed/partial build is far smaller


def test_licence_files_are_shipped() -> None:
    assert 'Apache License' in (VENDOR / 'LICENSE').read_text()
    third_party = (VENDOR / 'THIRD_PARTY_LICENSES.txt').read_text()
    assert '===== amazon-chime-sdk-js@' in third_party


def test_connect_versions_match_the_pinned_packages() -> None:
    streams = (CONNECT / 'VERSION').read_text().strip()
    chatjs = (CONNECT / 'CHATJS_VERSION').read_text().strip()
    assert streams.startswith('2.'), streams
    assert PINNED['amazon-connect-streams'] == streams, 'rebuild with: bash assets/js-src/build-connect-streams.sh'
    assert PINNED['amazon-connect-chatjs'] == chatjs, 'rebuild with: bash assets/js-src/build-connect-streams.sh'


def test_connect_bundle_names_both_versions_and_its_licence() -> None:
    head = CONNECT_BUNDLE.read_bytes()[:200].decode()
    streams = (CONNECT / 'VERSION').read_text().strip()
    chatjs = (CONNECT / 'CHATJS_VERSION').read_text().strip()
    assert head.startswith(f'/*! amazon-connect-streams {streams} + amazon-connect-chatjs {chatjs} | Apache-2.0')
    assert CONNECT_BUNDLE.stat().st_size > 500_000  # a failed/partial build is far smaller


def test_connect_licence_files_are_shipped() -> None:
    assert 'Apache License' in (CONNECT / 'LICENSE').read_text()
    third_party = (CONNECT / 'THIRD_PARTY_LICENSES.txt').read_text()
    streams = (CONNECT / 'VERSION').read_text().strip()
    chatjs = (CONNECT / 'CHATJS_VERSION').read_text().strip()
    assert f'===== amazon-connect-streams@{streams} (Apache-2.0)' in third_party
    assert f'===== amazon-connect-chatjs@{chatjs} (Apache-2.0)' in third_party
    assert 'Licence comments found in the bundled code' in third_party
    assert 'not installed' not in third_party  # every package inside the webpack bundles had its licence found


def test_the_elements_load_the_bundles_on_demand_only() -> None:
    """The bundles are fetched by the elements' script loader when needed, never put in NiceGUI's import map."""
    assert ROOT / DEFAULT_CHIME_BUNDLE_URL.removeprefix('/') == BUNDLE  # served from /assets (vce/web.py)
    assert ROOT / DEFAULT_CONNECT_BUNDLE_URL.removeprefix('/') == CONNECT_BUNDLE
    served = [item.path for registry in (dependencies.libraries, dependencies.js_components, dependencies.esm_modules)
              for item in registry.values()]
    assert served  # the elements above registered their own modules
    assert [path for path in served if (ROOT / 'assets') in path.resolve().parents] == []

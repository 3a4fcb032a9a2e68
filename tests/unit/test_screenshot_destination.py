"""A test run leaves the committed screenshots as they are; `scripts/test.sh --update-screenshots` rewrites them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def destination(update: str | None) -> Path:
    env = {'PATH': '/usr/bin:/bin'} | ({'VCE_UPDATE_SCREENSHOTS': update} if update is not None else {})
    code = 'from tests.e2e.conftest import SCREENSHOTS_DIR; print(SCREENSHOTS_DIR)'
    out = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    return Path(out.strip())


def test_screenshots_go_to_the_artifacts_unless_asked() -> None:
    assert destination(None) == ROOT / 'tests' / 'e2e' / 'artifacts' / 'screenshots'
    assert destination('0') == ROOT / 'tests' / 'e2e' / 'artifacts' / 'screenshots'
    assert destination('1') == ROOT / 'docs' / 'screenshots'


def test_the_test_command_has_the_option() -> None:
    script = (ROOT / 'scripts' / 'test.sh').read_text()
    assert '--update-screenshots) screenshots=1' in script and 'VCE_UPDATE_SCREENSHOTS="$screenshots"' in script

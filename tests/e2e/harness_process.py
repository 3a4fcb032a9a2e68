"""Run a standalone harness script (a small NiceGUI app for one element) on a free loopback port for a test module."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import CHILD_ENV_BLOCKLIST, NO_PROXY, free_port


@contextmanager
def harness_process(script: Path, *, probe: str, log_dir: Path, cwd: Path,
                    env: dict[str, str] | None = None) -> Iterator[str]:
    """Start ``script <port>``, wait until ``probe`` answers and yield the base URL; stop the process afterwards.

    The child gets this environment without pytest's and NiceGUI's test variables and without ``VCE_*`` settings
    (``env`` adds its own), so the harness sees only what the test gives it.
    """
    port = free_port()
    base = f'http://127.0.0.1:{port}'
    log_path = log_dir / 'harness.log'
    child_env = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_BLOCKLIST and not k.startswith('VCE_')}
    child_env.update(PYTHONUNBUFFERED='1', **(env or {}))
    with log_path.open('wb') as log:
        process = subprocess.Popen([sys.executable, str(script), str(port)], cwd=cwd, env=child_env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f'harness exited with {process.returncode}:\n{log_path.read_text(errors="replace")}')
            try:
                with NO_PROXY.open(f'{base}{probe}', timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f'harness did not start:\n{log_path.read_text(errors="replace")}')
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

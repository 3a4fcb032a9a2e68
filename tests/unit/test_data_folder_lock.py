"""Local mode is one process per data folder: a second ``vce demo`` / ``vce serve`` on the same folder refuses at once
with one clear line (exit code 2) and starts no engine; a process killed with ``kill -9`` leaves no stale lock."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from backend.adapters.local.data_folder_lock import LOCK_FILE, DataFolderLock
from backend.domain.errors import DataFolderInUse

START_SECONDS = 60


def test_a_second_claim_on_one_folder_is_refused_until_the_first_is_released(tmp_path: Path) -> None:
    first = DataFolderLock(tmp_path / 'data')
    with pytest.raises(DataFolderInUse, match=rf'pid {os.getpid()}.*one process per data folder.*aws mode'):
        DataFolderLock(tmp_path / 'data')
    DataFolderLock(tmp_path / 'other').release()  # another folder is another matter
    first.release()
    DataFolderLock(tmp_path / 'data').release()
    assert (tmp_path / 'data' / LOCK_FILE).is_file()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


def _demo(tmp_path: Path, data_dir: Path, port: int, log_name: str) -> tuple[subprocess.Popen[bytes], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('VCE_', 'NICEGUI_', 'PYTEST_'))}
    env.update(VCE_DATA_DIR=str(data_dir), VCE_STORAGE_SECRET=secrets.token_urlsafe(32), PYTHONUNBUFFERED='1')
    workdir = tmp_path / log_name
    workdir.mkdir()
    log = workdir / 'server.log'
    with log.open('wb') as out:
        process = subprocess.Popen([sys.executable, '-m', 'vce.cli', 'demo', '--port', str(port)], cwd=workdir,
                                   env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    return process, log


def _wait_until_serving(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f'the first server exited: {log.read_text(errors="replace")}')
        try:
            with urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f'the first server did not start: {log.read_text(errors="replace")}')
            time.sleep(0.2)


def test_a_second_demo_on_the_same_data_folder_refuses_and_a_killed_one_leaves_no_lock(tmp_path: Path) -> None:
    data_dir = tmp_path / 'data'
    first_port = _free_port()
    first, first_log = _demo(tmp_path, data_dir, first_port, 'first')
    try:
        _wait_until_serving(first, first_port, first_log)
        second, second_log = _demo(tmp_path, data_dir, _free_port(), 'second')
        assert second.wait(START_SECONDS) == 2
        output = second_log.read_text(errors='replace')
        assert f'Refusing to start: Another vce process (pid {first.pid}) is already serving the data folder ' \
               f'{data_dir.resolve()}: local mode is one process per data folder.' in output
        assert 'engine.started' not in output and 'Traceback' not in output
        assert first_log.read_text(errors='replace').count('engine.started') == 1
        assert first.poll() is None  # the first one serves on
    finally:
        first.send_signal(signal.SIGKILL)  # a crash: the kernel drops the lock with the process
        first.wait(10)
    third_port = _free_port()
    third, third_log = _demo(tmp_path, data_dir, third_port, 'third')
    try:
        _wait_until_serving(third, third_port, third_log)
    finally:
        third.terminate()
        third.wait(20)

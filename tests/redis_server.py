"""A throwaway ``redis-server`` on 127.0.0.1 for tests and benchmarks: a child process, no persistence, never a
system service. ``scripts/test.sh`` installs Debian's package when it is missing; without it the tests that need
Redis are skipped with the reason."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

REDIS_SERVER = 'redis-server'


def available() -> bool:
    return shutil.which(REDIS_SERVER) is not None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """``start()``, ``stop()`` (kill -9, like a crash) and ``start()`` again on the same port (a Redis restart)."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir, self.port = workdir, port or _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f'redis://127.0.0.1:{self.port}/0'

    def start(self, timeout: float = 10.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / 'redis.log').open('ab')
        self._process = subprocess.Popen(
            [REDIS_SERVER, '--bind', '127.0.0.1', '--port', str(self.port), '--save', '', '--appendonly', 'no',
             '--dir', str(self.workdir), '--protected-mode', 'yes'],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f'redis-server did not start: {(self.workdir / "redis.log").read_text()}')
            time.sleep(0.02)

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)
            self._process = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=0.5) as sock:
                sock.sendall(b'PING\r\n')
                return sock.recv(16).startswith(b'+PONG')
        except OSError:
            return False

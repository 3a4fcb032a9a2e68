"""Local mode is one process per data folder: an OS lock on ``vce.lock`` in the folder, held for the process's life.

Two ``vce demo`` / ``vce serve`` on one folder would run two routing engines on one SQLite file (each offering the
same contacts, each with its own timers and in-memory state), so the second refuses at once. The lock is
``flock(LOCK_EX | LOCK_NB)`` on an open file: the kernel drops it when the process ends however it ends (``kill -9``
included), so a crash never leaves a stale lock behind, and the pid written into the file is only there to name the
holder in the message.

On NFS, Linux emulates ``flock`` with NFS byte-range locks, which other clients see when the server supports locking
(NLM for NFSv3, built into NFSv4); a mount with ``local_lock=flock`` (or ``all``) keeps the lock on one machine, so two
machines could both start. SQLite itself should not live on NFS (its own locking has the same weakness); to run
several processes use aws mode, whose state is in DynamoDB and whose processes share Redis.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from backend.domain.errors import DataFolderInUse

LOCK_FILE = 'vce.lock'


class DataFolderLock:
    """Held while this object's file descriptor is open; ``release`` (or the process ending) frees it."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / LOCK_FILE
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError: somebody holds it
            holder = _holder(descriptor)
            os.close(descriptor)
            raise DataFolderInUse(
                f'Another vce process{f" (pid {holder})" if holder else ""} is already serving the data folder '
                f'{folder.resolve()}: local mode is one process per data folder. Stop that one first, or give this '
                'one its own folder (VCE_DATA_DIR); to run several server processes, use aws mode.') from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f'{os.getpid()}\n'.encode())
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None


def _holder(descriptor: int) -> str:
    try:
        text = os.pread(descriptor, 32, 0).decode('ascii', 'replace').strip()
    except OSError:
        return ''
    return text if text.isdigit() else ''

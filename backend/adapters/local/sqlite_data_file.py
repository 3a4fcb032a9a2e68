"""Open local mode's SQLite data file only when it is usable, and say in one line what is wrong when it is not.

Without this, a junk or truncated file stopped the server with a long traceback from deep inside start-up, and a
zero-byte file (a failed copy, a full disk) silently became a fresh, empty database, losing every agent account and
transcript without a word. Now:

- a path that does not exist yet becomes a new database, as before;
- a path that exists must be a non-empty regular file that SQLite reads as a database and whose pages pass
  ``PRAGMA quick_check`` (a truncated file reads fine until a missing page is needed, so the header alone is not
  enough); the check reads the whole file once per open, about 1 ms per MB (``benchmarks/data_file_check.py``);
- anything else raises :class:`DataFileUnusable` naming the file, the reason and what to do; the file is left as it
  was (nothing is written before the check passes).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from backend.domain.errors import DataFileUnusable

MEMORY = ':memory:'
RESTORE = 'restore it from a backup or move it away to start with an empty one'
REPLACE_EMPTY = 'restore it from a backup, or delete it to start with an empty database'
MOVE_AWAY = 'move it away to start with an empty database, or set VCE_DATA_DIR to another folder'
FIX_ACCESS = 'let the user that runs vce read and write it and its folder'
UNLOCK = 'stop the program that holds it (another vce on the same data folder?) and try again'
CHECK_DISK = 'check the disk and the file, or restore it from a backup'
MAX_REASON_LENGTH = 120  # quick_check can list many problems; the first one is enough for the one line

_ADVICE_BY_ERROR = {  # SQLite's primary result codes
    'SQLITE_NOTADB': RESTORE, 'SQLITE_CORRUPT': RESTORE, 'SQLITE_CANTOPEN': FIX_ACCESS, 'SQLITE_READONLY': FIX_ACCESS,
    'SQLITE_PERM': FIX_ACCESS, 'SQLITE_AUTH': FIX_ACCESS, 'SQLITE_BUSY': UNLOCK, 'SQLITE_LOCKED': UNLOCK,
}


def open_data_file(path: Path | str, *, schema: str, timeout: float) -> sqlite3.Connection:
    """A connection (WAL, autocommit, rows as ``sqlite3.Row``) to the database at ``path`` with ``schema`` applied,
    or DataFileUnusable. ``':memory:'`` is opened without checks."""
    if str(path) != MEMORY:
        _check_before_opening(Path(path))
    try:
        db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=timeout)
    except sqlite3.Error as error:
        raise _unusable(path, error) from None
    try:
        _check_pages(db, path)
        db.row_factory = sqlite3.Row
        db.execute('PRAGMA journal_mode=WAL')
        db.execute('PRAGMA synchronous=NORMAL')
        db.execute('PRAGMA foreign_keys=ON')
        db.executescript(schema)
    except sqlite3.Error as error:
        db.close()
        raise _unusable(path, error) from None
    except DataFileUnusable:
        db.close()
        raise
    return db


def _check_before_opening(path: Path) -> None:
    """What the file system can tell before SQLite touches the file (SQLite would happily start a fresh database
    in an empty file)."""
    try:
        info = path.stat()
    except (FileNotFoundError, NotADirectoryError):  # not there, or a file where a folder on its path should be
        _create_folder(path)
        return  # a new database
    except OSError as error:
        raise _refused(path, error.strerror or str(error), FIX_ACCESS) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refused(path, 'it is a directory', MOVE_AWAY)
    if not stat.S_ISREG(info.st_mode):
        raise _refused(path, 'it is not a regular file', MOVE_AWAY)
    if info.st_size == 0:
        raise _refused(path, 'the file is empty, 0 bytes', REPLACE_EMPTY)
    try:
        with path.open('rb'):
            pass
    except OSError as error:
        raise _refused(path, error.strerror or str(error), FIX_ACCESS) from None
    # SQLite would open a read-only file read-only and fail only at the first write (an agent's login, a chat)
    if not os.access(path, os.W_OK):
        raise _refused(path, 'the file is read-only', FIX_ACCESS)
    if not os.access(path.parent, os.W_OK | os.X_OK):  # the write-ahead log and its index live beside the file
        raise _refused(path, 'its folder is read-only', FIX_ACCESS)


def _create_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _refused(path, f'its folder cannot be created: {error.strerror or error}',
                       'set VCE_DATA_DIR to a folder the user that runs vce may write') from None


def _check_pages(db: sqlite3.Connection, path: Path | str) -> None:
    problems = [row[0] for row in db.execute('PRAGMA quick_check').fetchall()]
    if problems != ['ok']:
        raise _refused(path, str(problems[0]) if problems else 'the integrity check gave no answer', RESTORE)


def _unusable(path: Path | str, error: sqlite3.Error) -> DataFileUnusable:
    code = (getattr(error, 'sqlite_errorname', '') or '').split('_')
    advice = _ADVICE_BY_ERROR.get('_'.join(code[:2]), CHECK_DISK)
    return _refused(path, str(error), advice)


def _refused(path: Path | str, reason: str, advice: str) -> DataFileUnusable:
    reason = ' '.join(reason.split())
    if len(reason) > MAX_REASON_LENGTH:
        reason = reason[:MAX_REASON_LENGTH - 1] + '…'
    return DataFileUnusable(f'{path} is not a usable SQLite database ({reason}): {advice}.')

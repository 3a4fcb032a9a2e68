"""The local data file is checked where the store opens: a usable database or a brand-new path opens, anything else
is refused with one line naming the file, the reason and what to do, and the file is left exactly as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import DataFileUnusable, DomainError
from tests.unit.data_file_cases import CASES, RUNNING_AS_ROOT, real_database


@pytest.mark.parametrize('name', CASES)
def test_an_unusable_file_is_refused_in_one_line_and_left_alone(tmp_path, name) -> None:
    case = CASES[name]
    if name == 'unreadable' and RUNNING_AS_ROOT:
        pytest.skip('root reads any file')
    path = tmp_path / 'vce.sqlite3'
    case.make(path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DataFileUnusable) as refused:
        SqliteStore(path)
    assert str(refused.value) == case.line(path)
    assert '\n' not in str(refused.value)
    assert isinstance(refused.value, DomainError)  # the CLI's start-up refusals catch these
    assert sorted(p.name for p in tmp_path.iterdir()) == before, 'no -wal or -shm file, nothing created'


@pytest.mark.parametrize('name', ['junk', 'truncated', 'zero bytes'])
def test_the_refused_file_keeps_every_byte(tmp_path, name) -> None:
    path = tmp_path / 'vce.sqlite3'
    CASES[name].make(path)
    before = path.read_bytes()
    with pytest.raises(DataFileUnusable):
        SqliteStore(path)
    assert path.read_bytes() == before


def test_an_unreadable_file_is_refused_even_when_the_os_says_so_to_root(tmp_path, monkeypatch) -> None:
    """The permission case, for runs as root (where chmod 0 does not stop a read): the file system refuses."""
    path = tmp_path / 'vce.sqlite3'
    real_database(path)
    real_open = Path.open

    def refusing_open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self == path:
            raise PermissionError(13, 'Permission denied', str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, 'open', refusing_open)
    with pytest.raises(DataFileUnusable) as refused:
        SqliteStore(path)
    assert str(refused.value) == CASES['unreadable'].line(path)


ACCESS = 'let the user that runs vce read and write it and its folder.'


def test_a_read_only_file_is_refused_with_the_access_advice(tmp_path) -> None:
    """SQLite would open it read-only and fail at the first write, with a traceback in the middle of a login."""
    if RUNNING_AS_ROOT:
        pytest.skip('root writes any file')
    path = tmp_path / 'vce.sqlite3'
    real_database(path)
    path.chmod(0o444)
    with pytest.raises(DataFileUnusable) as refused:
        SqliteStore(path)
    assert str(refused.value) == f'{path} is not a usable SQLite database (the file is read-only): {ACCESS}'


def test_a_read_only_folder_is_refused_with_the_access_advice(tmp_path) -> None:
    """The write-ahead log is created beside the file on every start."""
    if RUNNING_AS_ROOT:
        pytest.skip('root writes any folder')
    folder = tmp_path / 'data'
    folder.mkdir()
    real_database(folder / 'vce.sqlite3')
    folder.chmod(0o555)
    try:
        with pytest.raises(DataFileUnusable) as refused:
            SqliteStore(folder / 'vce.sqlite3')
    finally:
        folder.chmod(0o755)
    path = folder / 'vce.sqlite3'
    assert str(refused.value) == f'{path} is not a usable SQLite database (its folder is read-only): {ACCESS}'


@pytest.mark.parametrize(('denied', 'reason'), [('file', 'the file is read-only'),
                                               ('folder', 'its folder is read-only')])
def test_write_access_is_checked_before_opening(tmp_path, monkeypatch, denied, reason) -> None:
    """The same two refusals for runs as root (where the permission bits do not stop a write): the OS says no."""
    path = tmp_path / 'vce.sqlite3'
    real_database(path)
    refused_path = path if denied == 'file' else tmp_path
    real_access = os.access
    monkeypatch.setattr(os, 'access', lambda p, mode: False if Path(p) == refused_path else real_access(p, mode))
    with pytest.raises(DataFileUnusable) as refused:
        SqliteStore(path)
    assert str(refused.value) == f'{path} is not a usable SQLite database ({reason}): {ACCESS}'


def test_a_folder_that_cannot_be_made_is_refused(tmp_path) -> None:
    (tmp_path / 'data').write_text('a file where the data folder should be')
    path = tmp_path / 'data' / 'vce.sqlite3'
    with pytest.raises(DataFileUnusable) as refused:
        SqliteStore(path)
    assert str(refused.value).startswith(f'{path} is not a usable SQLite database (its folder cannot be created: ')
    assert str(refused.value).endswith('): set VCE_DATA_DIR to a folder the user that runs vce may write.')


def test_a_new_path_creates_the_database_and_its_folder(tmp_path) -> None:
    path = tmp_path / 'new' / 'folder' / 'vce.sqlite3'
    store = SqliteStore(path)
    assert store.list_agents() == []
    store.close()
    assert path.stat().st_size > 0
    SqliteStore(path).close()  # and opens again


def test_a_real_database_opens_with_its_data(tmp_path) -> None:
    path = tmp_path / 'vce.sqlite3'
    real_database(path)
    store = SqliteStore(path)
    assert [a.username for a in store.list_agents()] == ['ann']
    assert len(store.transcript('contact-39')) == 10
    store.close()


def test_a_database_left_with_its_write_ahead_log_opens_with_its_data(tmp_path) -> None:
    """What a kill -9 leaves: recent commits only in the -wal file. The check reads through it, as SQLite does."""
    live = tmp_path / 'live'
    live.mkdir()
    real_database(live / 'vce.sqlite3', contacts=2)
    store = SqliteStore(live / 'vce.sqlite3')
    store.set_password_hash('ann', 'changed-after-the-last-checkpoint')
    copy = tmp_path / 'copy'
    shutil.copytree(live, copy)  # the files as they are while the server runs: the change is in the -wal file
    store.close()
    assert (copy / 'vce.sqlite3-wal').stat().st_size > 0
    reopened = SqliteStore(copy / 'vce.sqlite3')
    agent = reopened.get_agent('ann')
    assert agent is not None and agent.password_hash == 'changed-after-the-last-checkpoint'
    reopened.close()


def test_memory_databases_still_open() -> None:
    store = SqliteStore(':memory:')
    assert store.list_agents() == []
    store.close()

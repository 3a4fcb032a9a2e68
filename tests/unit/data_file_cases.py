"""Unusable data files for the tests: each case makes one at a path and says what the one-line refusal contains."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import Agent, Channel, Contact, ContactState, MessageKind, ParticipantRole

RESTORE = 'restore it from a backup or move it away to start with an empty one.'


def real_database(path: Path, contacts: int = 40) -> None:
    """A database the product wrote, big enough to span many pages (an agent, chats with transcripts)."""
    store = SqliteStore(path)
    store.add_agent(Agent(username='ann', display_name='Ann Agent', agent_id='id-ann', password_hash='x',
                          routing_queues=('BasicQueue',), status_since=time.time()))
    for n in range(contacts):
        contact = Contact(contact_id=f'contact-{n}', customer_name=f'Customer {n}', customer_email=f'c{n}@example.com',
                          initiated_at=time.time(), state=ContactState.ENDED, channel=Channel.CHAT)
        store.save_contact(contact)
        for line in range(10):
            store.append_message(contact.contact_id, ParticipantRole.CUSTOMER, f'Customer {n}',
                                 f'Message {line} of chat {n}, long enough to fill pages ' + 'x' * 80,
                                 MessageKind.MESSAGE, time.time())
    store.close()


def junk(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def text_file(path: Path) -> None:
    path.write_text('these are my notes, not a database\n')


def truncated(path: Path) -> None:
    real_database(path)
    data = path.read_bytes()
    assert len(data) > 8 * 4096, 'the database spans many pages, so cutting it loses some'
    path.write_bytes(data[:len(data) // 2])


def zero_bytes(path: Path) -> None:
    path.write_bytes(b'')


def directory(path: Path) -> None:
    path.mkdir()


def unreadable(path: Path) -> None:
    real_database(path)
    path.chmod(0)


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], None]
    reason: str  # in the parentheses of the one line
    advice: str  # after the colon

    def line(self, path: Path | str) -> str:
        return f'{path} is not a usable SQLite database ({self.reason}): {self.advice}'


CASES = {
    'junk': Case(junk, 'file is not a database', RESTORE),
    'text file': Case(text_file, 'file is not a database', RESTORE),
    'truncated': Case(truncated, 'database disk image is malformed', RESTORE),
    'zero bytes': Case(zero_bytes, 'the file is empty, 0 bytes',
                       'restore it from a backup, or delete it to start with an empty database.'),
    'directory': Case(directory, 'it is a directory',
                      'move it away to start with an empty database, or set VCE_DATA_DIR to another folder.'),
    'unreadable': Case(unreadable, 'Permission denied',
                       'let the user that runs vce read and write it and its folder.'),
}
RUNNING_AS_ROOT = hasattr(os, 'geteuid') and os.geteuid() == 0

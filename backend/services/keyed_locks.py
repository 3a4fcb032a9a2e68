"""One ``asyncio.Lock`` per key (e.g. per contact) that exists only while somebody holds or waits for it.

A dict of locks that are never removed grows by one entry per contact for the life of the process; here a key's lock
goes as soon as its last holder leaves, so memory follows the work in progress. The lock only orders this process's
own callers: across processes the store's conditional writes are the guard.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class _Entry:
    __slots__ = ('lock', 'users')

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class KeyedLocks:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        """Keys whose lock is held or awaited now."""
        return len(self._entries)

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0 and self._entries.get(key) is entry:
                del self._entries[key]

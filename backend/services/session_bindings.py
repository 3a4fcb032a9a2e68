"""The customer's session → contact binding, read through a small in-process cache.

Every customer action (show the chat, send, join video, end) looks up the session's contact. The binding changes only
when that session starts a new chat, which this process writes itself (sticky sessions keep a tab on one process), so
a binding this process wrote or read is trusted **while its contact is still open**. A cached binding whose contact
has ended, or is unknown here, is read again from the store: after a failover another process may have started a new
chat for the same session. No entry is ever made up: a session with no binding is always asked of the store.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Literal

from backend.domain.errors import InvalidInput
from backend.domain.model import Contact, ContactState
from backend.ports import ContactStore

DEFAULT_LIMIT = 10_000  # sessions remembered per process (least recently used ones are dropped)
OVER = (ContactState.ENDED, ContactState.AFTER_CONTACT_WORK)
MIN_SESSION_KEY_LENGTH = 16


def session_hash(session_key: str, line: Literal['chat', 'voice'] = 'chat') -> str:
    """The store's key for a browser session's chat or call: a hash, so the store never holds the session's secret.

    The call is bound separately from the chat (``voice:`` before the key), so one tab can have both at once.
    """
    if len(session_key) < MIN_SESSION_KEY_LENGTH:
        raise InvalidInput('Your browser session is not ready yet; please reload the page.')
    return hashlib.sha256((session_key if line == 'chat' else f'voice:{session_key}').encode()).hexdigest()


class SessionBindings:
    def __init__(self, store: ContactStore, limit: int = DEFAULT_LIMIT) -> None:
        self._store, self._limit = store, limit
        self._cache: OrderedDict[str, str] = OrderedDict()

    def bind(self, session_hash: str, contact_id: str) -> None:
        """Write the binding first: the cache only ever holds what the store holds."""
        self._store.bind_session(session_hash, contact_id)
        self._remember(session_hash, contact_id)

    def contact(self, session_hash: str, lookup: Callable[[str], Contact | None]) -> Contact | None:
        """The session's contact via ``lookup`` (the channel); the store is read unless the cached one is open."""
        cached = self._cache.get(session_hash)
        if cached is not None:
            contact = lookup(cached)
            if contact is not None and contact.state not in OVER:
                self._cache.move_to_end(session_hash)
                return contact
        contact_id = self._store.contact_for_session(session_hash)
        if contact_id is None:
            self._cache.pop(session_hash, None)
            return None
        self._remember(session_hash, contact_id)
        return lookup(contact_id)

    def known(self, session_hash: str) -> bool:
        """Whether this process holds a binding of the session (no store read): it started or showed its contact."""
        return session_hash in self._cache

    def _remember(self, session_hash: str, contact_id: str) -> None:
        self._cache[session_hash] = contact_id
        self._cache.move_to_end(session_hash)
        while len(self._cache) > self._limit:
            self._cache.popitem(last=False)

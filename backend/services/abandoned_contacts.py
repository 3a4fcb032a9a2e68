"""A customer session's pages and the contact they keep alive (a chat, or a call): once every page of a session that
holds one has been gone for the grace (``PagePresence``), the contact ends as if the customer had left it.

Both customer services keep one; the chat's also tells the other server processes when a page of a session shows up
here (``announce``), so a process still waiting for that session's old page lets it be (docs/security/flood.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

from backend.domain.errors import InvalidInput
from backend.domain.model import Contact, ContactState
from backend.services.page_presence import PagePresence
from backend.services.session_bindings import SessionBindings, session_hash

log = logging.getLogger('vce.presence')

FINISHED_STATES = (ContactState.AFTER_CONTACT_WORK, ContactState.ENDED)


class AbandonedContacts:
    def __init__(self, grace_seconds: float, *, line: Literal['chat', 'voice'], bindings: SessionBindings,
                 current: Callable[[str], Contact | None], end: Callable[[str], Awaitable[None]],
                 announce: Callable[[str], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """``current(session_key)`` is the session's contact, ``end(contact_id)`` the channel's customer end, and
        ``announce(session_hash)`` (optional) tells other processes that a page of the session is here."""
        self._line, self._bindings, self._current, self._end, self._announce = line, bindings, current, end, announce
        self.pages = PagePresence(grace_seconds, self._end_abandoned, sleep=sleep)

    def page_connected(self, session_key: str, page_id: str) -> None:
        """A page of this session has its socket (again): its contact is not abandoned."""
        self.pages.connected(session_key, page_id)
        try:  # the page has just looked its contact up, so the binding cache knows it: no store read here
            hashed = session_hash(session_key, self._line)
        except InvalidInput:
            return  # a session key no contact can be bound to
        if self._bindings.known(hashed):
            self.pages.watch(session_key)
            if self._announce is not None:
                self._announce(hashed)

    def page_disconnected(self, session_key: str, page_id: str) -> None:
        """A page lost its socket or was closed; when no page of the session is back within the grace, its contact
        ends."""
        self.pages.disconnected(session_key, page_id)

    def watch(self, session_key: str) -> None:
        """The session has a contact now (it started or resumed one)."""
        self.pages.watch(session_key)

    def moved_away(self, hashed: str) -> bool:
        """A page of the session with this hash connected on another server process: stop waiting for it here."""
        for session_key in self.pages.waiting_sessions():  # only sessions whose grace runs: few
            if session_hash(session_key, self._line) == hashed:
                self.pages.moved_away(session_key)
                return True
        return False

    async def stop(self) -> None:
        await self.pages.stop()

    async def _end_abandoned(self, session_key: str) -> None:
        try:
            contact = self._current(session_key)
        except InvalidInput:  # a session key no contact could ever have been bound to
            return
        if contact is None or contact.state in FINISHED_STATES:
            return
        log.info('%s.abandoned contact=%s state=%s', 'customer' if self._line == 'chat' else 'voice',
                 contact.contact_id, contact.state.value)
        await self._end(contact.contact_id)

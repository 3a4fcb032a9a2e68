"""Which customer sessions still have a page open; a session whose pages have all been gone for the grace period is
handed to ``on_gone`` (which ends its chat or hangs up its call).

Amazon Connect ends idle chats with participant timers that start only once an agent has joined
(docs/security/flood.md); a page that was simply closed while waiting would keep its place in the queue, and the
queue flow would keep messaging it, until the chat's maximum duration. The page's socket says more than idleness:
when every page of a session has disconnected and none came back within ``grace_seconds`` (a reload, a network
blip or a phone waking up reconnects well within it), the customer has gone.

Pages report themselves by an id of their own (a reload is a new page of the same session, and its old page may
disconnect after the new one connected). Only sessions the service ``watch``-es (they have a chat or call) get a
grace period: a visitor who never started one costs nothing when leaving. Only sessions with a page or a pending
timer are held, so memory is bounded by the open pages. Framework-free: the UI calls ``connected`` /
``disconnected``; tests inject ``sleep``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger('vce.presence')


class PagePresence:
    def __init__(self, grace_seconds: float, on_gone: Callable[[str], Awaitable[None]], *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.grace_seconds = grace_seconds
        self._on_gone, self._sleep = on_gone, sleep
        self._pages: dict[str, set[str]] = {}  # session key -> ids of its connected pages
        self._timers: dict[str, asyncio.Task[None]] = {}  # session key -> the grace period running out
        self._watched: set[str] = set()  # sessions with a page (or a timer) and a contact to end when they go

    def connected(self, session_key: str, page_id: str) -> None:
        """A page of this session has a live socket: the session is present (a pending grace period is cancelled)."""
        timer = self._timers.pop(session_key, None)
        if timer is not None:
            timer.cancel()
        self._pages.setdefault(session_key, set()).add(page_id)

    def watch(self, session_key: str) -> None:
        """This session has a contact to end if its pages go (ignored unless the session has a page right now)."""
        if session_key in self._pages or session_key in self._timers:
            self._watched.add(session_key)

    def disconnected(self, session_key: str, page_id: str) -> None:
        """A page lost its socket (or was deleted; saying so twice is harmless). The last one of a watched session
        starts the grace."""
        pages = self._pages.get(session_key)
        if pages is None or page_id not in pages:
            return
        pages.discard(page_id)
        if pages:
            return
        del self._pages[session_key]
        if session_key in self._watched:
            self._timers[session_key] = asyncio.get_running_loop().create_task(self._grace(session_key))

    def moved_away(self, session_key: str) -> None:
        """A page of this session connected to another server process (a load balancer moved the browser): the
        session has not gone, and the other process watches it now, so this one stops waiting and forgets it."""
        timer = self._timers.pop(session_key, None)
        if timer is not None:
            timer.cancel()
        if session_key not in self._pages:
            self._watched.discard(session_key)

    def waiting_sessions(self) -> list[str]:
        """The sessions whose grace period is running."""
        return list(self._timers)

    def is_present(self, session_key: str) -> bool:
        return session_key in self._pages

    @property
    def waiting(self) -> int:
        """Sessions whose grace period is running (for tests and figures)."""
        return len(self._timers)

    @property
    def held(self) -> int:
        """Sessions held in memory (for tests): with a page, a timer, or watched."""
        return len(self._pages.keys() | self._timers.keys() | self._watched)

    async def stop(self) -> None:
        timers = list(self._timers.values())
        self._timers.clear()
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)

    async def _grace(self, session_key: str) -> None:
        try:
            await self._sleep(self.grace_seconds)
        except asyncio.CancelledError:
            return
        if self._timers.get(session_key) is not asyncio.current_task():
            return  # a page came back (and maybe went again: then a newer timer owns the session)
        del self._timers[session_key]
        self._watched.discard(session_key)
        try:
            await self._on_gone(session_key)
        except Exception:  # one failing end must not stop the others; the contact's own timeouts still apply
            log.exception('presence.end_failed')

"""A meeting's attendees, kept in the process that wrote or read them.

Attendees are written once, in the transaction that saves the meeting, and never change, so a copy can only go stale
by expiring (the TTL attribute): each entry keeps that time and is dropped once it passes, like an expired item on
read. Join data and tile names then cost no Query after the first.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

from backend.domain.model import Attendee

DEFAULT_LIMIT = 2_000  # meetings remembered per process (least recently used ones are dropped)


class AttendeeCache:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._entries: OrderedDict[str, tuple[float | None, list[Attendee]]] = OrderedDict()

    def remember(self, meeting_id: str, attendees: list[Attendee], expires_at: Any) -> None:
        """``expires_at``: the items' TTL (epoch seconds, None when they never expire)."""
        until = None if expires_at is None else float(expires_at)
        self._entries[meeting_id] = (until, copy.deepcopy(attendees))
        self._entries.move_to_end(meeting_id)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def get(self, meeting_id: str, now: float) -> list[Attendee] | None:
        entry = self._entries.get(meeting_id)
        if entry is None:
            return None
        until, attendees = entry
        if until is not None and until <= now:
            del self._entries[meeting_id]
            return None
        self._entries.move_to_end(meeting_id)
        return copy.deepcopy(attendees)  # callers get their own objects, as from a Query

"""Each contact's live meeting as this process last wrote or read it, so the customer's Join costs no read.

The agent's "video started" marker is believed only after a consistent read of the contact's live-meeting item; the
customer clicks Join moments later on the same process (it holds the customer's socket and page), so that read can
answer the Join. An entry is dropped the moment this process learns the meeting ended: it ends the meeting itself,
it reads the meeting (or the contact's live-meeting item) and finds it ended or gone (the "ended" marker's check),
another process ended it and the event bus said so (``MeetingStore.forget_live_meeting``, from ``MEETINGS_TOPIC``
over Redis), or the entry's time is up (the items' TTL, or ``max_age_seconds`` since the read, whichever comes
first, which bounds how long an end this process never heard of can go unnoticed: without Redis, or while it is
away).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import Any

from backend.domain.model import Meeting

DEFAULT_LIMIT = 2_000  # contacts remembered per process (least recently used ones are dropped)
DEFAULT_MAX_AGE_SECONDS = 300.0


class LiveMeetingCache:
    def __init__(self, limit: int = DEFAULT_LIMIT, max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS) -> None:
        self._limit, self._max_age = limit, max_age_seconds
        self._entries: OrderedDict[str, tuple[float, Meeting]] = OrderedDict()

    def remember(self, meeting: Meeting, expires_at: Any, now: float) -> None:
        """``expires_at``: the live-meeting item's TTL (epoch seconds, None when it never expires)."""
        until = now + self._max_age if expires_at is None else min(float(expires_at), now + self._max_age)
        self._entries[meeting.contact_id] = (until, copy.deepcopy(meeting))
        self._entries.move_to_end(meeting.contact_id)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def forget(self, contact_id: str, meeting_id: str | None = None) -> None:
        """Drop the contact's entry (only if it is ``meeting_id``'s, when given: a newer meeting stays)."""
        entry = self._entries.get(contact_id)
        if entry is not None and (meeting_id is None or entry[1].meeting_id == meeting_id):
            del self._entries[contact_id]

    def get(self, contact_id: str, now: float) -> Meeting | None:
        entry = self._entries.get(contact_id)
        if entry is None:
            return None
        until, meeting = entry
        if until <= now:
            del self._entries[contact_id]
            return None
        self._entries.move_to_end(contact_id)
        return copy.deepcopy(meeting)  # callers get their own object, as from a read

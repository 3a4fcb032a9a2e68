"""In-memory ``ParticipantSessionStore``: resumes chats across page reloads of one server process.

Enough for a single process (and for tests); a restart or a second process needs the DynamoDB store, which keeps
the same records with ``expires_at`` as its TTL attribute.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from backend.domain.model import ParticipantSession
from backend.ports import ParticipantSessionStore


class InMemoryParticipantSessions(ParticipantSessionStore):
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._sessions: dict[str, ParticipantSession] = {}
        self._clock = clock

    def save_participant_session(self, session: ParticipantSession) -> None:
        self._drop_expired()
        self._sessions[session.contact.contact_id] = session

    def participant_session(self, contact_id: str) -> ParticipantSession | None:
        session = self._sessions.get(contact_id)
        if session is None or (session.expires_at and session.expires_at <= self._clock()):
            return None
        return session

    def _drop_expired(self) -> None:
        now = self._clock()
        for contact_id in [c for c, s in self._sessions.items() if s.expires_at and s.expires_at <= now]:
            del self._sessions[contact_id]

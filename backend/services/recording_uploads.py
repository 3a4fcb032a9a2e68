"""The browser recorder's upload slots: which page may write which segment, and which chunk comes next.

A slot is opened for the agent's page when its recorder starts a segment; the page gets a random token (only its
hash is kept) and sends chunks numbered 0, 1, 2… Chunks must come in order: a repeat of an acknowledged chunk (a
retry after a lost answer) is acknowledged again without being written twice, and a gap is refused, so a segment
file is always the exact byte stream the browser's MediaRecorder produced. Slots live in this process's memory:
local meetings are one process (docs/recording.md), and after a restart the page starts a new segment anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

MAX_OPEN_SLOTS = 1_000  # far above the concurrent calls one process records; keeps memory bounded


@dataclass(slots=True)
class UploadSlot:
    recording_id: str
    segment: int
    username: str
    token_hash: bytes
    next_seq: int = 0
    closed: bool = False


class ChunkVerdict:
    WRITE = 'write'  # the next chunk: write it
    REPEAT = 'repeat'  # already written: acknowledge, write nothing
    REFUSE = 'refuse'  # a gap, a wrong token, or a closed slot


class UploadSlots:
    def __init__(self) -> None:
        self._slots: dict[tuple[str, int], UploadSlot] = {}

    def open(self, recording_id: str, segment: int, username: str) -> str:
        """A new slot for this segment; returns the page's token."""
        if len(self._slots) >= MAX_OPEN_SLOTS:
            oldest = next(iter(self._slots))
            del self._slots[oldest]
        token = secrets.token_urlsafe(32)
        self._slots[(recording_id, segment)] = UploadSlot(recording_id, segment, username, _hash(token))
        return token

    def check(self, recording_id: str, segment: int, username: str, token: str,
              seq: int) -> tuple[str, UploadSlot | None]:
        slot = self._slots.get((recording_id, segment))
        if (slot is None or slot.username != username or not isinstance(token, str)
                or not hmac.compare_digest(slot.token_hash, _hash(token))):
            return ChunkVerdict.REFUSE, None
        if seq < slot.next_seq:
            return ChunkVerdict.REPEAT, slot
        if seq > slot.next_seq or slot.closed:
            return ChunkVerdict.REFUSE, slot
        return ChunkVerdict.WRITE, slot

    def written(self, slot: UploadSlot, *, last: bool) -> None:
        slot.next_seq += 1
        slot.closed = slot.closed or last

    def close(self, recording_id: str, segment: int) -> None:
        self._slots.pop((recording_id, segment), None)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()

"""What a customer types or keys while a flow waits for it (GetParticipantInput).

Only a contact whose flow is waiting has a mailbox: input that arrives when no flow asks for it (a chat message
in queue, a stray key) is not kept for a later question, as in Connect. On a chat the input is one message; on a
call it is keypad keys, ending at the terminator, at the maximum length, or a few seconds after the last key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]
BETWEEN_KEYS_SECONDS = 5.0  # how long a caller may pause between keys before the input counts as complete


class ParticipantInputs:
    """Mailboxes of the contacts whose flow is waiting for input."""

    def __init__(self, sleep: Sleep) -> None:
        self._sleep = sleep
        self._waiting: dict[str, asyncio.Queue[str]] = {}

    def is_waiting(self, contact_id: str) -> bool:
        return contact_id in self._waiting

    def offer(self, contact_id: str, text: str) -> bool:
        """Hand input to a waiting flow; False when no flow is waiting for this contact."""
        mailbox = self._waiting.get(contact_id)
        if mailbox is None:
            return False
        mailbox.put_nowait(text)
        return True

    async def message(self, contact_id: str, timeout: float) -> str | None:
        """The customer's next chat message, or None after ``timeout`` seconds."""
        mailbox = self._waiting.setdefault(contact_id, asyncio.Queue())
        try:
            return await self._next(mailbox, timeout)
        finally:
            self._waiting.pop(contact_id, None)

    async def keys(self, contact_id: str, timeout: float, max_length: int, terminator: str) -> str | None:
        """Keypad keys: ``timeout`` is for the first key (as in Connect); None when none came."""
        mailbox = self._waiting.setdefault(contact_id, asyncio.Queue())
        try:
            pressed = await self._next(mailbox, timeout)
            if pressed is None or max_length == 1:
                return pressed  # a menu takes one key, * and # included
            keys = pressed
            while not keys.endswith(terminator) and len(keys) < max_length:
                more = await self._next(mailbox, BETWEEN_KEYS_SECONDS)
                if more is None:
                    break
                keys += more
            return keys.removesuffix(terminator)[:max_length]
        finally:
            self._waiting.pop(contact_id, None)

    async def _next(self, mailbox: asyncio.Queue[str], seconds: float) -> str | None:
        getter = asyncio.ensure_future(mailbox.get())
        timer = asyncio.ensure_future(self._sleep(seconds))
        try:
            await asyncio.wait({getter, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not getter.done():
                getter.cancel()
        return getter.result() if getter.done() and not getter.cancelled() else None

"""Message Limit

Watches a chat reply box so that nothing is cut silently: the box takes any length (no ``maxlength``), a counter
appears near the limit, a text over the limit is kept in the box with a clear message and is not sent, and the
message under the box goes away as soon as the text is changed so that the problem is gone.
"""

from __future__ import annotations

from nicegui import ui

from backend.domain.validation import MAX_MESSAGE_LENGTH

COUNTER_FROM_SHARE = 0.8  # the counter shows from 80 % of the limit: early enough to shorten, quiet before


def too_long_text(length: int, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """The same words the server uses when it refuses a message that is too long."""
    return f'Messages can be at most {limit} characters ({length} typed).'


class MessageLimit:
    def __init__(self, reply: ui.input, error: ui.label, counter: ui.label, *, limit: int = MAX_MESSAGE_LENGTH) -> None:
        """Message Limit

        :param reply: the reply box (any length)
        :param error: the line under the box that explains why a message was not sent
        :param counter: where "n / limit" shows once the text is near the limit
        """
        self._reply, self._error, self._counter, self._limit = reply, error, counter, limit
        self._counter.classes('text-xs text-grey-8').set_visibility(False)
        reply.on_value_change(lambda _: self._changed())

    def ready_to_send(self) -> bool:
        """False (with the reason under the box) while the text is over the limit; the text stays in the box."""
        length = self._length()
        if length > self._limit:
            self._error.set_text(too_long_text(length, self._limit))
            return False
        return True

    def _length(self) -> int:
        value = self._reply.value
        return len(value.strip()) if isinstance(value, str) else 0

    def _changed(self) -> None:
        length = self._length()
        self._counter.set_text(f'{length} / {self._limit}')
        over = length > self._limit  # (not classes(replace=...): it would drop the 'hidden' class visibility uses)
        self._counter.classes(add='text-negative' if over else 'text-grey-8',
                              remove='text-grey-8' if over else 'text-negative')
        self._counter.set_visibility(length >= COUNTER_FROM_SHARE * self._limit)
        # a message under the box speaks about the text that was there: an edited text gets a fresh verdict
        self._error.set_text(too_long_text(length, self._limit) if length > self._limit else '')

"""Send "is typing" at most once every couple of seconds, like Connect's chat widget does."""

from __future__ import annotations

import time
from collections.abc import Callable

TYPING_INTERVAL_SECONDS = 2.0


class TypingThrottle:
    def __init__(self, send: Callable[[], None]) -> None:
        self._send = send
        self._last = 0.0

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last >= TYPING_INTERVAL_SECONDS:
            self._last = now
            self._send()

"""Reconnect delays: exponential with full jitter and a cap, so many dropped sockets do not retry in lock step."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Backoff:
    base: float = 0.5  # seconds before the first retry, at most
    cap: float = 30.0  # never wait longer than this
    factor: float = 2.0
    rng: Callable[[], float] = field(default=random.random, repr=False)  # tests pass a fixed value

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1, 2, …): uniform in [0, min(cap, base·factor^(n-1))]."""
        ceiling = min(self.cap, self.base * self.factor ** min(max(attempt - 1, 0), 64))
        return ceiling * self.rng()

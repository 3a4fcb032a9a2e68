"""Login attempt counters in this process's memory, bounded: expired attempts go, and the least recently counted keys
go first when the table is full.

Local mode is one process per data folder, so its counters need no store. aws mode runs several processes and counts
in the store instead (``DynamoStore`` implements ``LoginAttemptCounter``; docs/security/login.md).

Why the bound holds against a flood: every attempt that stays counted was a password check (argon2, ~0.1 s of CPU),
and a refused attempt is taken back at once, so filling ``max_keys`` entries within one window costs the attacker
``max_keys`` full password checks from networks that are each still inside their own limits.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from backend.domain.login_limits import AttemptTally
from backend.ports import LoginAttemptCounter

DEFAULT_MAX_KEYS = 10_000
MAX_ATTEMPTS_PER_KEY = 1_000  # counts saturate here, far above every limit, so one key cannot grow without end


class BoundedLoginAttempts(LoginAttemptCounter):
    """Attempt times per key, oldest first; keys in least-recently-counted order."""

    def __init__(self, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        if max_keys < 1:
            raise ValueError('max_keys must be at least 1')
        self._max_keys = max_keys
        self._keys: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def add_attempt(self, key: str, now: float, window_seconds: float) -> AttemptTally:
        since = now - window_seconds
        with self._lock:
            self._drop_expired(since)
            times = self._keys.pop(key, [])
            times = [t for t in times if t > since]
            times.append(now)
            del times[:-MAX_ATTEMPTS_PER_KEY]
            self._keys[key] = times  # now the most recently counted key
            while len(self._keys) > self._max_keys:
                self._keys.popitem(last=False)
            return AttemptTally(count=len(times), oldest_expires_at=times[0] + window_seconds)

    def take_back(self, key: str, at: float) -> None:
        with self._lock:
            times = self._keys.get(key)
            if times is None or at not in times:
                return
            times.remove(at)
            if not times:
                del self._keys[key]

    def forget(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def _drop_expired(self, since: float) -> None:
        """Keys whose newest attempt left the window sit at the front (least recently counted): drop them."""
        while self._keys:
            key, times = next(iter(self._keys.items()))
            if times and times[-1] > since:
                return
            del self._keys[key]

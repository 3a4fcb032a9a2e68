"""Per-client-network rate limits: one policy for reference redemptions, chat starts and calls.

A limit allows ``limit`` attempts per ``window_seconds`` from one client network (``domain/client_network.py``).
The count lives in the store (``AttemptCounter``), so every process on one store shares it. The store only ever sees
a keyed hash of the limit's purpose and the network, never an address, and each purpose has its own keys, so two
limits never share a budget. Every attempt counts, the refused ones too: a client that keeps hammering stays
refused until it has been quiet for a whole window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.client_network import client_network
from backend.domain.errors import RateLimited
from backend.ports import AttemptCounter

log = logging.getLogger('vce.rate_limits')

NETWORK_KEY_LABEL = b'client-network'  # derives the HMAC key of every per-network key from the secret


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One limit: its purpose (in every key and log line), its numbers, and what the customer is told it limits."""

    purpose: str  # e.g. 'reference', 'chat-start': a label, never shared by two limits
    limit: int
    window_seconds: float
    what: str  # e.g. 'reference attempts': "Too many <what> from your network. …"

    def refusal(self) -> str:
        minutes = math.ceil(self.window_seconds / 60)
        return (f'Too many {self.what} from your network. '
                f'Please try again in {minutes} minute{"s" if minutes != 1 else ""}.')


class NetworkKeys:
    """Keyed hashes of (purpose, client network): what the store may see of a client."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError('The client-network secret must be at least 16 bytes long.')
        self._key = hmac.new(secret, NETWORK_KEY_LABEL, hashlib.sha256).digest()

    def key(self, purpose: str, client_address: str) -> str:
        message = f'{purpose}\n{client_network(client_address)}'.encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


class NetworkRateLimiter:
    """Counts attempts per client network and purpose in the shared store; over a limit it raises ``RateLimited``."""

    def __init__(self, counter: AttemptCounter, keys: NetworkKeys, clock: Callable[[], float] = time.time) -> None:
        self._counter, self._keys, self._clock = counter, keys, clock

    def count(self, limit: RateLimit, client_address: str) -> None:
        """Count this attempt; raise ``RateLimited`` (saying when to try again, nothing else) if it is over."""
        attempts = self._counter.record_attempt(self._keys.key(limit.purpose, client_address), self._clock(),
                                                limit.window_seconds)
        if attempts > limit.limit:
            log.warning('%s.rate_limited attempts=%d', limit.purpose, attempts)
            raise RateLimited(limit.refusal())

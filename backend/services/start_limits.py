"""Admission for a customer starting a chat or a call: the per-network rate limit and the cap on open contacts.

The rate limit alone bounds how fast one client network starts contacts; the cap bounds how many it holds at once,
which is what fills a queue when a client keeps its pages open. Both live in the shared store, so every process
agrees. The cap is a lease per open contact under a keyed hash of (purpose, network): taken when the contact
starts, released when it ends (by whichever process sees the end), and expiring after ``lease_seconds`` in case no
process ever does (a crash), so a network can never stay capped for longer than that.

The cap is checked, then the lease taken after the contact started: concurrent starts from one network may overshoot
it by the number that raced, and the rate limit (one atomic count) bounds that number.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.errors import RateLimited
from backend.ports import LeaseStore
from backend.services.rate_limits import NetworkKeys, NetworkRateLimiter, RateLimit

log = logging.getLogger('vce.rate_limits')

DEFAULT_LEASE_SECONDS = 25 * 3600  # Amazon Connect's default chat duration: a chat open longer stops counting
RELEASED_MEMORY = 10_000  # contacts whose lease this process gave back (a contact ends twice: wrap-up, then ended)


@dataclass(frozen=True, slots=True)
class StartPolicy:
    """One channel's numbers, from the settings (``VCE_CHAT_START_*``, ``VCE_CALL_START_*``, ``VCE_*_OPEN_LIMIT``)."""

    rate: RateLimit
    open_limit: int
    open_what: str  # e.g. 'chats': "Too many chats open from your network. …"
    lease_seconds: float = DEFAULT_LEASE_SECONDS

    @property
    def open_purpose(self) -> str:
        return f'{self.rate.purpose}/open'  # its own label: the cap never shares keys with the rate limit


class StartLimits:
    """``admit`` before starting (counts the attempt), ``started`` once the contact exists, ``ended`` when it ends."""

    def __init__(self, limiter: NetworkRateLimiter, leases: LeaseStore, keys: NetworkKeys, policy: StartPolicy,
                 clock: Callable[[], float] = time.time) -> None:
        self._limiter, self._leases, self._keys, self.policy = limiter, leases, keys, policy
        self._clock = clock
        self._released: OrderedDict[str, None] = OrderedDict()

    def admit(self, client_address: str) -> str:
        """Count this start against the network; raise ``RateLimited`` if it is over either limit. Returns the
        network's lease key for ``started``."""
        self._limiter.count(self.policy.rate, client_address)
        key = self._keys.key(self.policy.open_purpose, client_address)
        open_now = len(self._leases.lease_holders(key, self._clock()))
        if open_now >= self.policy.open_limit:
            log.warning('%s.open_limited open=%d', self.policy.open_purpose, open_now)
            raise RateLimited(f'Too many {self.policy.open_what} open from your network. '
                              f'Please try again in a few minutes.')
        return key

    def started(self, lease_key: str, contact_id: str) -> None:
        now = self._clock()
        self._leases.add_lease(lease_key, contact_id, now, now + self.policy.lease_seconds)

    def ended(self, contact_id: str) -> None:
        """Give the contact's lease back (once: its later end events cost no store call)."""
        if contact_id in self._released:
            return
        self._released[contact_id] = None
        while len(self._released) > RELEASED_MEMORY:
            self._released.popitem(last=False)
        self._leases.release_lease(contact_id)

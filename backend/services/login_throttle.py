"""Who may try a password now, and how long they wait first: the decisions behind the agent login's limits.

Three counts per attempt (``LoginAttemptCounter``, keys are HMACs so a store never sees usernames or addresses):

* the account from this client network: after a few failures that pair is refused for the rest of the window;
* this client network over all accounts: refused after more (one network spraying a password over many names);
* the account from all networks: never refused, only slowed down (a short, capped wait before the password check),
  so an attacker, however many networks they hold, cannot keep the agent out; the agent's own network has not failed
  and gets in after at most the slow-down.

Attempts are counted when they start (concurrent guesses cannot all slip under a limit) and taken back when they
succeed or are refused, so only failures stay counted; a success also clears that account's count for that network.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from backend.domain.client_network import client_network
from backend.domain.errors import RateLimited
from backend.domain.login_limits import LoginPolicy, minutes_until
from backend.ports import LoginAttemptCounter

log = logging.getLogger('vce.accounts')

KEY_BYTES = 16  # an HMAC cut to 128 bits: unique enough for counters, small enough to keep many in memory


@dataclass(frozen=True, slots=True)
class LoginTicket:
    """One admitted attempt: what it was counted under and when, and how long it waits before the password check."""

    account_and_network: str
    network: str
    account: str
    counted_at: float
    delay_seconds: float
    suspect: bool  # this network already failed on this account in the window (its check may wait its turn)

    @property
    def keys(self) -> tuple[str, str, str]:
        return self.account_and_network, self.network, self.account


class LoginThrottle:
    def __init__(self, counter: LoginAttemptCounter, secret: bytes, policy: LoginPolicy | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError('The login throttle secret must be at least 16 bytes long.')
        self._counter, self._clock = counter, clock
        self._secret = hmac.new(secret, b'vce/login-throttle/v1', hashlib.sha256).digest()
        self.policy = policy or LoginPolicy()

    def admit(self, username: str, client_address: str) -> LoginTicket:
        """Count this attempt and say how long it waits; ``RateLimited`` if its network is over a limit."""
        account = (username or '').strip().lower()
        network = client_network(client_address)
        now, window = self._clock(), self.policy.window_seconds
        keys = (self._key('pair', account, network), self._key('network', network), self._key('account', account))
        pair, from_network, on_account = (self._counter.add_attempt(key, now, window) for key in keys)
        over_pair = pair.count > self.policy.max_failures_per_account_and_network
        over_network = from_network.count > self.policy.max_failures_per_network
        if over_pair or over_network:
            for key in keys:
                self._counter.take_back(key, now)
            log.warning('agent.login_refused limit=%s', 'account_and_network' if over_pair else 'network')
            retry_at = max(tally.oldest_expires_at for tally, over in ((pair, over_pair), (from_network, over_network))
                           if over)
            self._refuse(retry_at - now)
        return LoginTicket(*keys, counted_at=now, delay_seconds=self.policy.slowdown_seconds(on_account.count - 1),
                           suspect=pair.count > 1)

    def succeeded(self, ticket: LoginTicket) -> None:
        """The password was right: uncount the attempt, and forget this account's failures from this network."""
        self.abandon(ticket)
        self._counter.forget(ticket.account_and_network)

    def failed(self, ticket: LoginTicket) -> None:
        """The password was wrong (or the account unknown): the attempt stays counted."""
        log.info('agent.login_failed delay_ms=%d', round(ticket.delay_seconds * 1000))

    def abandon(self, ticket: LoginTicket) -> None:
        """The check never gave an answer (an error, a cancelled task): uncount the attempt."""
        for key in ticket.keys:
            self._counter.take_back(key, ticket.counted_at)

    @staticmethod
    def _refuse(seconds: float) -> NoReturn:
        minutes = minutes_until(seconds)
        raise RateLimited(f'Too many failed logins from your network. '
                          f'Try again in {minutes} minute{"s" if minutes != 1 else ""}.')

    def _key(self, kind: str, *parts: str) -> str:
        message = '\n'.join((kind, *parts)).encode()
        return hmac.new(self._secret, message, hashlib.sha256).digest()[:KEY_BYTES].hex()


"""Ad-hoc references: an agent gives a phone customer an 8-digit number that routes their chat to that agent.

The number is a guessable secret (10^8 values), so it is protected in layers: it lives ``ttl_seconds``, is bound to
the customer's email, is single-use, burns after a few wrong emails, and redemption is rate-limited per client
network (``services/rate_limits.py``). The store only ever sees keyed hashes (HMAC-SHA256 with the server secret)
of the number, the email and the client network, never the values themselves; the logs see only outcomes and the
owner's username.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.domain.errors import InvalidInput, NotAllowed, NotFound
from backend.domain.model import Agent, RedeemResult, ReferenceRecord
from backend.domain.reference import Reference
from backend.domain.validation import clean_email
from backend.ports import AgentLookup, ReferenceRedeemer, ReferenceStore
from backend.services.rate_limits import NetworkKeys, NetworkRateLimiter, RateLimit

log = logging.getLogger('vce.references')

CREATE_ATTEMPTS = 10  # draws before giving up on finding a number no live reference holds


@dataclass(frozen=True, slots=True)
class CreatedReference:
    """What the agent's dialog shows once; the plain number exists only here and in the agent's browser."""

    reference: str  # exactly 8 digits, zero-padded, e.g. '00418233'
    email: str  # the email as the agent typed it, trimmed (for display only; stored only as an HMAC)
    owner_username: str
    expires_at: float  # epoch seconds


@dataclass(frozen=True, slots=True)
class ReferencePolicy:
    """The limits, from the settings (``VCE_REFERENCE_*``)."""

    ttl_seconds: float = 15 * 60
    max_wrong_emails: int = 5
    redeem_limit: int = 10
    redeem_window_seconds: float = 15 * 60


class ReferenceService(ReferenceRedeemer):
    """Creates references for the logged-in agent and redeems them for customers (``ReferenceRedeemer``)."""

    def __init__(self, store: ReferenceStore, agents: AgentLookup, secret: bytes,
                 policy: ReferencePolicy | None = None, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError('The reference secret must be at least 16 bytes long.')
        self._store, self._agents, self._clock = store, agents, clock
        self._policy = policy or ReferencePolicy()
        self.ttl_seconds = self._policy.ttl_seconds
        # one key per purpose, so a hash of one kind can never be replayed as another
        self._number_key = _derive(secret, b'reference-number')
        self._email_key = _derive(secret, b'reference-email')
        self._limiter = NetworkRateLimiter(store, NetworkKeys(secret), clock)
        self._redeem_limit = RateLimit('reference', self._policy.redeem_limit, self._policy.redeem_window_seconds,
                                       'reference attempts')

    def create(self, username: str, email: str) -> CreatedReference:
        """A new reference routing to ``username``'s own personal queue (the caller passes the session's agent)."""
        clean_email(email)
        agent = self._agents.get_agent(username)
        if agent is None:
            raise NotFound(f'No agent named {username!r}.')
        now = self._clock()
        expires_at = now + self.ttl_seconds
        for _ in range(CREATE_ATTEMPTS):
            reference = str(Reference.draw())
            record = ReferenceRecord(key=self._number_hash(reference), email_key=self._email_hash(reference, email),
                                     owner_username=agent.username, created_at=now, expires_at=expires_at)
            if self._store.add_reference(record):
                log.info('reference.created agent=%s ttl=%d', agent.username, round(self.ttl_seconds))
                return CreatedReference(reference=reference, email=email.strip(), owner_username=agent.username,
                                        expires_at=expires_at)
        log.error('reference.create_failed agent=%s draws=%d', agent.username, CREATE_ATTEMPTS)
        raise NotAllowed('Could not create a reference just now. Please try again in a minute.')

    def redeem(self, reference: str, email: str, client_address: str) -> Agent | None:
        """The owner (an agent) if this reference + email is live and unused, else None (the caller must not learn
        why). Every call counts against the client's network; over the limit it raises ``RateLimited`` instead."""
        self._limiter.count(self._redeem_limit, client_address)
        now = self._clock()
        try:
            digits = Reference.parse(reference).digits
        except InvalidInput:
            log.info('reference.redeem outcome=%s', RedeemResult.INVALID.value)
            return None
        result, owner = self._store.redeem_reference(self._number_hash(digits), self._email_hash(digits, email),
                                                     now, self._policy.max_wrong_emails)
        if result is RedeemResult.REDEEMED:
            log.info('reference.redeem outcome=%s agent=%s', result.value, owner)
            return self._owner(owner)
        (log.warning if result is RedeemResult.BURNED else log.info)('reference.redeem outcome=%s', result.value)
        return None

    def _owner(self, username: str | None) -> Agent | None:
        """The agent behind the stored owner: the chat routes by its id, which only the agent lookup knows (a Connect
        user's id in aws mode). An owner deleted since the reference was made routes nowhere."""
        agent = self._agents.get_agent(username) if username else None
        if agent is None:
            log.warning('reference.owner_gone agent=%s', username)
        return agent

    def _number_hash(self, reference: str) -> str:
        return hmac.new(self._number_key, reference.encode(), hashlib.sha256).hexdigest()

    def _email_hash(self, reference: str, email: str) -> str:
        """Bound to the reference too, so the same customer's rows cannot be linked across references."""
        normalised = email.strip().casefold()
        return hmac.new(self._email_key, f'{reference}\n{normalised}'.encode(), hashlib.sha256).hexdigest()



def _derive(secret: bytes, label: bytes) -> bytes:
    return hmac.new(secret, label, hashlib.sha256).digest()

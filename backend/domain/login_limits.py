"""The limits on password logins, as plain values: what one count says and how long the account's slow-down is.

Failures count per account *and* client network (that pair is locked after a few), per client network over all
accounts (password spraying), and per account over all networks (which only slows the account down, never locks it,
so nobody can keep an agent out from another network). docs/security/login.md has the reasoning and the defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AttemptTally:
    """One counter's answer: the attempts under a key inside the window (the one just added included), and when the
    oldest of them leaves the window (the earliest moment the count can drop)."""

    count: int
    oldest_expires_at: float


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """The limits, from the settings (``VCE_LOGIN_*``)."""

    window_seconds: float = 15 * 60
    max_failures_per_account_and_network: int = 5
    max_failures_per_network: int = 50
    slowdown_after_failures: int = 10  # per account, from all networks
    slowdown_first_seconds: float = 0.25  # doubles with each further failure
    slowdown_max_seconds: float = 4.0

    def slowdown_seconds(self, account_failures: int) -> float:
        """How long an attempt on an account waits, given the failures on it inside the window (from every network):
        nothing up to ``slowdown_after_failures``, then doubling from ``slowdown_first_seconds``, capped."""
        beyond = account_failures - self.slowdown_after_failures
        if beyond < 0 or self.slowdown_max_seconds <= 0:
            return 0.0
        return min(self.slowdown_max_seconds, self.slowdown_first_seconds * 2.0 ** min(beyond, 32))

    def attempts_per_hour(self, networks: int) -> float:
        """The most password guesses per hour at one account from ``networks`` client networks that each stay inside
        their limits (the figure docs/security/login.md reports; every network gets its own per-pair budget, bounded by
        its budget over all accounts)."""
        per_network = min(self.max_failures_per_account_and_network, self.max_failures_per_network)
        return networks * per_network * 3600 / self.window_seconds


def minutes_until(seconds: float) -> int:
    """Whole minutes to tell a person to wait (at least 1)."""
    return max(1, math.ceil(seconds / 60))

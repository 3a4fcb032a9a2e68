"""The password login's limits (issue 10, point 2): per account and client network, per network, and the account's
capped slow-down; bounded counters. A fake clock, a fake sleep and a fast fake hasher: no real waits, no argon2."""

from __future__ import annotations

import asyncio
import secrets
import threading

import pytest

from backend.adapters.local.login_attempts import BoundedLoginAttempts
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.client_network import client_network
from backend.domain.errors import RateLimited
from backend.domain.login_limits import LoginPolicy
from backend.services.accounts import SUSPECT_CHECKS_AT_ONCE, AccountService
from backend.services.login_throttle import LoginThrottle

SECRET = b'login-throttle-test-secret-32-bytes'
POLICY = LoginPolicy()  # the defaults the settings have
AGENT_NETWORK = '198.51.100.20'
ATTACKER = '203.0.113.66'
PASSWORD = 'correct horse'
REFUSED = r'Too many failed logins from your network\. Try again in \d+ minutes?\.'


class PlainHasher:
    """A ``PasswordHasher`` without argon2's cost; ``gate`` (if set) holds every check until released."""

    def __init__(self) -> None:
        self.checks = 0
        self.gate: threading.Event | None = None

    def hash(self, password: str) -> str:
        return f'plain:{password}'

    def verify(self, password_hash: str, password: str) -> bool:
        self.checks += 1
        if self.gate is not None:
            self.gate.wait(timeout=10)
        return password_hash == f'plain:{password}'


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Sleeps:
    """Records every slow-down instead of waiting it out."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def counter() -> BoundedLoginAttempts:
    return BoundedLoginAttempts()


@pytest.fixture
def hasher() -> PlainHasher:
    return PlainHasher()


@pytest.fixture
def accounts(counter: BoundedLoginAttempts, clock: Clock, sleeps: Sleeps, hasher: PlainHasher) -> AccountService:
    service = AccountService(SqliteStore(':memory:'), hasher, 'BasicQueue',
                             throttle=LoginThrottle(counter, SECRET, POLICY, clock=clock), sleep=sleeps)
    service.add_agent('ann', 'Ann Agent', PASSWORD)
    return service


async def fail_until_refused(accounts: AccountService, username: str, address: str, tries: int = 100) -> int:
    """Wrong passwords until the network is refused; return how many were checked."""
    for checked in range(tries):
        try:
            assert await accounts.login(username, 'wrong guess', address) is None
        except RateLimited:
            return checked
    raise AssertionError(f'{tries} wrong passwords from {address} were never refused')


async def test_an_attacker_on_one_network_cannot_lock_out_the_agent_on_another(accounts: AccountService,
                                                                            sleeps: Sleeps) -> None:
    assert await fail_until_refused(accounts, 'ann', ATTACKER) == POLICY.max_failures_per_account_and_network
    for _ in range(50):  # hammering on: refused every time, and the refusals are not counted
        with pytest.raises(RateLimited, match=REFUSED):
            await accounts.login('ann', PASSWORD, ATTACKER)  # not even the right password, from that network
    agent = await accounts.login('ann', PASSWORD, AGENT_NETWORK)
    assert agent is not None and agent.username == 'ann'
    assert sleeps.waits == []  # five failures are below the account's slow-down


async def test_attackers_on_a_hundred_networks_only_slow_the_agent_down(accounts: AccountService,
                                                                        sleeps: Sleeps) -> None:
    for n in range(100):
        assert await fail_until_refused(accounts, 'ann', f'10.0.{n}.1') == POLICY.max_failures_per_account_and_network
    sleeps.waits.clear()
    assert await accounts.login('ann', PASSWORD, AGENT_NETWORK) is not None
    assert sleeps.waits == [POLICY.slowdown_max_seconds]  # at most the capped slow-down, then in


async def test_the_network_is_locked_after_n_failures_until_the_window_passes(accounts: AccountService,
                                                                              clock: Clock) -> None:
    for _ in range(POLICY.max_failures_per_account_and_network):
        assert await accounts.login('ann', 'wrong guess', ATTACKER) is None
        clock.now += 60
    with pytest.raises(RateLimited, match=r'Try again in 10 minutes\.'):  # when the first failure leaves the window
        await accounts.login('ann', PASSWORD, ATTACKER)
    clock.now += 10 * 60
    assert await accounts.login('ann', PASSWORD, ATTACKER) is not None


async def test_the_same_ipv6_slash_64_is_one_network(accounts: AccountService) -> None:
    for n in range(POLICY.max_failures_per_account_and_network):
        assert await accounts.login('ann', 'wrong guess', f'2001:db8:1:2::{n + 1:x}') is None
    with pytest.raises(RateLimited, match=REFUSED):
        await accounts.login('ann', PASSWORD, '2001:db8:1:2:ffff:ffff:ffff:fffe')
    assert await accounts.login('ann', PASSWORD, '2001:db8:1:3::1') is not None  # the next /64 is another network
    assert client_network('::ffff:192.0.2.1') == '192.0.2.1'


async def test_a_success_clears_its_own_networks_count(accounts: AccountService) -> None:
    for _ in range(POLICY.max_failures_per_account_and_network - 1):
        assert await accounts.login('ann', 'wrong guess', AGENT_NETWORK) is None
    assert await accounts.login('ann', PASSWORD, AGENT_NETWORK) is not None
    for _ in range(POLICY.max_failures_per_account_and_network - 1):  # typos again: a fresh count
        assert await accounts.login('ann', 'wrong guess', AGENT_NETWORK) is None
    assert await accounts.login('ann', PASSWORD, AGENT_NETWORK) is not None


async def test_one_network_spraying_many_accounts_is_refused_too(accounts: AccountService) -> None:
    names = [f'user{n}' for n in range(POLICY.max_failures_per_network)]
    for name in names:  # one guess per name: no pair reaches its limit
        assert await accounts.login(name, 'Summer2026!', ATTACKER) is None
    with pytest.raises(RateLimited, match=REFUSED):
        await accounts.login('ann', 'Summer2026!', ATTACKER)
    assert await accounts.login('ann', PASSWORD, AGENT_NETWORK) is not None


async def test_unknown_and_known_accounts_are_limited_alike(accounts: AccountService) -> None:
    """The limits must not tell which usernames exist."""
    assert await fail_until_refused(accounts, 'nobody', ATTACKER) == \
        await fail_until_refused(accounts, 'ann', '203.0.113.67') == POLICY.max_failures_per_account_and_network


async def test_the_slow_down_grows_with_failures_from_many_networks_and_is_capped(accounts: AccountService,
                                                                                 sleeps: Sleeps) -> None:
    for n in range(POLICY.slowdown_after_failures + 12):  # one failure each from many networks
        assert await accounts.login('ann', 'wrong guess', f'192.0.2.{n + 1}') is None
    expected = [0.25, 0.5, 1.0, 2.0, 4.0] + [4.0] * 7
    assert sleeps.waits == expected
    assert max(sleeps.waits) == POLICY.slowdown_max_seconds
    assert POLICY.slowdown_seconds(10 ** 6) == POLICY.slowdown_max_seconds


async def test_the_slow_down_waits_without_blocking_the_event_loop(counter: BoundedLoginAttempts, clock: Clock,
                                                                    hasher: PlainHasher) -> None:
    """The real sleep is asyncio's: other coroutines run while a login waits (a tiny cap keeps the test short)."""
    policy = LoginPolicy(slowdown_after_failures=0, slowdown_first_seconds=0.05, slowdown_max_seconds=0.05)
    service = AccountService(SqliteStore(':memory:'), hasher, 'BasicQueue',
                             throttle=LoginThrottle(counter, SECRET, policy, clock=clock))
    service.add_agent('ann', 'Ann Agent', PASSWORD)
    assert await service.login('ann', 'wrong guess', ATTACKER) is None
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    task = asyncio.create_task(ticker())
    assert await service.login('ann', PASSWORD, AGENT_NETWORK) is not None
    task.cancel()
    assert ticks >= 2


async def test_concurrent_guesses_cannot_slip_under_the_limit(accounts: AccountService,
                                                              hasher: PlainHasher) -> None:
    hasher.gate = threading.Event()  # every password check waits until all 30 guesses have started
    guesses = [asyncio.create_task(accounts.login('ann', f'guess {n}', ATTACKER)) for n in range(30)]
    await asyncio.sleep(0.05)
    hasher.gate.set()
    results = await asyncio.gather(*guesses, return_exceptions=True)
    assert sum(isinstance(r, RateLimited) for r in results) == 30 - POLICY.max_failures_per_account_and_network
    assert hasher.checks == POLICY.max_failures_per_account_and_network


async def test_the_agents_check_does_not_queue_behind_the_guessers(accounts: AccountService,
                                                                   hasher: PlainHasher) -> None:
    """A network that already failed on the account takes turns for the CPU-heavy password check (two at a time);
    a network that has not failed, like the agent's, is checked at once."""
    assert await accounts.login('ann', 'wrong guess', ATTACKER) is None
    hasher.gate, checks_before = threading.Event(), hasher.checks
    guesses = [asyncio.create_task(accounts.login('ann', f'guess {n}', ATTACKER)) for n in range(3)]
    agent = asyncio.create_task(accounts.login('ann', PASSWORD, AGENT_NETWORK))
    for _ in range(100):
        if hasher.checks - checks_before == SUSPECT_CHECKS_AT_ONCE + 1:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert hasher.checks - checks_before == SUSPECT_CHECKS_AT_ONCE + 1  # two guesses and the agent; one guess waits
    hasher.gate.set()
    assert (await agent) is not None
    assert await asyncio.gather(*guesses) == [None, None, None]


async def test_a_check_that_fails_is_not_counted(accounts: AccountService, hasher: PlainHasher,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(password_hash: str, password: str) -> bool:
        raise RuntimeError('hasher down')

    monkeypatch.setattr(hasher, 'verify', broken)
    for _ in range(3 * POLICY.max_failures_per_account_and_network):
        with pytest.raises(RuntimeError):
            await accounts.login('ann', PASSWORD, AGENT_NETWORK)
    monkeypatch.undo()
    assert await accounts.login('ann', PASSWORD, AGENT_NETWORK) is not None


def test_counters_stay_bounded_after_20000_random_usernames(clock: Clock) -> None:
    """The old per-process dict kept one entry per username tried; the counters keep at most their bound, whether
    the names come from one network (refused early, so almost nothing stays) or from 20,000."""
    bound = 1_000
    one_network = BoundedLoginAttempts(max_keys=bound)
    throttle = LoginThrottle(one_network, SECRET, POLICY, clock=clock)
    many_networks = BoundedLoginAttempts(max_keys=bound)
    spread = LoginThrottle(many_networks, SECRET, POLICY, clock=clock)
    for n in range(20_000):
        username = secrets.token_hex(6)
        try:
            throttle.failed(throttle.admit(username, ATTACKER))
        except RateLimited:
            pass
        spread.failed(spread.admit(username, f'10.{n // 65536}.{n // 256 % 256}.{n % 256}'))
        clock.now += 0.01
    assert len(one_network) <= 2 * POLICY.max_failures_per_network + 1
    assert len(many_networks) == bound


def test_counters_forget_attempts_that_left_the_window(clock: Clock) -> None:
    counter = BoundedLoginAttempts(max_keys=100)
    for n in range(50):
        counter.add_attempt(f'key{n}', clock.now, 60)
    clock.now += 61
    tally = counter.add_attempt('key0', clock.now, 60)
    assert tally.count == 1 and len(counter) == 1

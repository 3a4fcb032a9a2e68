"""Local agent accounts (argon2) and the settings' refusal of the demo secret."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.adapters.local.login_attempts import BoundedLoginAttempts
from backend.adapters.local.passwords import Argon2PasswordHasher
from backend.adapters.local.sqlite_store import SqliteStore
from backend.bootstrap import build_login_throttle
from backend.domain.errors import InvalidInput, NotFound, RateLimited
from backend.services.accounts import AccountService
from backend.settings import Settings


@pytest.fixture
def accounts() -> AccountService:
    return AccountService(SqliteStore(':memory:'), Argon2PasswordHasher(), 'BasicQueue')


def test_add_and_authenticate(accounts):
    agent = accounts.add_agent('Ann', 'Ann Agent', 'correct horse')
    assert agent.username == 'ann'
    assert agent.password_hash.startswith('$argon2id$')
    assert 'correct horse' not in agent.password_hash
    assert accounts.authenticate('ann', 'correct horse').username == 'ann'
    assert accounts.authenticate('ANN ', 'correct horse').username == 'ann'
    assert accounts.authenticate('ann', 'wrong password') is None
    assert accounts.authenticate('nobody', 'correct horse') is None


def test_bad_accounts_are_refused(accounts):
    accounts.add_agent('ann', 'Ann', 'long enough')
    with pytest.raises(InvalidInput, match='already exists'):
        accounts.add_agent('ann', 'Another Ann', 'long enough')
    with pytest.raises(InvalidInput, match='at least 8'):
        accounts.add_agent('bob', 'Bob', 'short')
    with pytest.raises(InvalidInput, match='Usernames use'):
        accounts.add_agent('bad name!', 'Bob', 'long enough')
    assert [a.username for a in accounts.list_agents()] == ['ann']


def test_change_password(accounts):
    accounts.add_agent('ann', 'Ann', 'first password')
    accounts.change_password('ann', 'second password')
    assert accounts.authenticate('ann', 'first password') is None
    assert accounts.authenticate('ann', 'second password') is not None
    with pytest.raises(NotFound):
        accounts.change_password('nobody', 'whatever123')


def test_settings_refuse_the_demo_secret_outside_demo(monkeypatch):
    monkeypatch.delenv('VCE_STORAGE_SECRET', raising=False)
    with pytest.raises(ValidationError, match='VCE_STORAGE_SECRET is still the built-in demo value'):
        Settings(demo=False)
    assert Settings(demo=True).mode == 'local'
    monkeypatch.setenv('VCE_STORAGE_SECRET', 'a-real-secret-of-enough-length')
    assert Settings(demo=False).storage_secret.get_secret_value() == 'a-real-secret-of-enough-length'
    monkeypatch.setenv('VCE_STORAGE_SECRET', 'short')
    with pytest.raises(ValidationError, match='at least 16'):
        Settings(demo=False)


async def test_repeated_failed_logins_lock_the_account_for_a_while():
    """From one client network (the limit is per account and network since issue 10; tests/unit/test_login_throttle.py
    has the other networks)."""
    now = [1000.0]
    settings = Settings(demo=True)
    throttle = build_login_throttle(settings, BoundedLoginAttempts(), clock=lambda: now[0])
    accounts = AccountService(SqliteStore(':memory:'), Argon2PasswordHasher(), 'BasicQueue', throttle=throttle)
    accounts.add_agent('ann', 'Ann', 'correct horse')
    for _ in range(settings.login_failures_per_account_and_network):
        assert await accounts.login('ann', 'guess', '198.51.100.7') is None
    with pytest.raises(RateLimited, match=r'Too many failed logins from your network\. Try again in 15 minutes\.'):
        await accounts.login('ann', 'correct horse', '198.51.100.7')  # even the right password waits
    now[0] += settings.login_failure_window_seconds + 1
    assert await accounts.login('ann', 'correct horse', '198.51.100.7') is not None
    assert await accounts.login('ann', 'guess', '198.51.100.7') is None  # a success cleared the count
    assert await accounts.login('ann', 'correct horse', '198.51.100.7') is not None


@pytest.mark.parametrize(('username', 'password'), [
    (5, 'correct horse'), ('ann', {'p': 1}), (None, None), (['ann'], 'correct horse'), ('  ', 'correct horse'),
    ('ann', ''),
])
async def test_missing_or_non_text_credentials_get_a_clear_message_and_count_for_nothing(username, password):
    settings = Settings(demo=True)
    throttle = build_login_throttle(settings, BoundedLoginAttempts())
    accounts = AccountService(SqliteStore(':memory:'), Argon2PasswordHasher(), 'BasicQueue', throttle=throttle)
    accounts.add_agent('ann', 'Ann', 'correct horse')
    for _ in range(settings.login_failures_per_account_and_network + 1):
        with pytest.raises(InvalidInput, match=r'^Enter your username and password\.$'):
            await accounts.login(username, password, '198.51.100.7')  # type: ignore[arg-type]
    assert await accounts.login('ann', 'correct horse', '198.51.100.7') is not None  # nothing was counted
    assert accounts.authenticate(username, password) is None  # type: ignore[arg-type]

"""The agent login page under NiceGUI's simulated User, with clients on different networks (issue 10, point 2): an
attacker locks only their own network out; the agent on another network logs in. OIDC login has no password form
and is not limited by these counters (tests/ui/test_oidc_login.py)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from nicegui import core
from nicegui.testing import User

from backend.services.accounts import AccountService
from tests.ui.helpers import AGENT_PASSWORD, create_agent, elements, find


@pytest.fixture
def ann() -> None:
    create_agent('ann', 'Ann Agent')


def user_on(address: str) -> User:
    """A simulated browser whose requests come from ``address`` (the test transport's peer address)."""
    transport = httpx.ASGITransport(core.app, client=(address, 40_000))
    return User(httpx.AsyncClient(transport=transport, base_url='http://test'))


async def try_password(user: User, password: str, username: str = 'ann') -> None:
    await user.open('/agent/login')
    find(user, 'username').type(username)
    find(user, 'password').type(password)
    find(user, 'login').click()


async def test_an_attacker_cannot_lock_the_agent_out_from_another_network(ann, create_user: Callable[[], User]) -> None:
    create_user()  # the app's simulation context (its lifespan) for the users below
    attacker, agent = user_on('203.0.113.66'), user_on('198.51.100.20')
    for _ in range(5):
        await try_password(attacker, 'wrong password')
        await attacker.should_see('Wrong username or password.')
    await try_password(attacker, AGENT_PASSWORD)
    await attacker.should_see('Too many failed logins from your network. Try again in 15 minutes.')
    await try_password(agent, AGENT_PASSWORD)
    await agent.should_see('My contacts')


async def test_the_login_page_counts_the_page_requests_client_address(ann, create_user: Callable[[], User],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = AccountService.login

    async def spy(self: AccountService, username: str, password: str, client_address: str):  # type: ignore[no-untyped-def]
        seen.append(client_address)
        return await original(self, username, password, client_address)

    monkeypatch.setattr(AccountService, 'login', spy)
    create_user()
    agent = user_on('2001:db8:7::5')
    await try_password(agent, 'wrong password')
    await agent.should_see('Wrong username or password.')
    assert seen == ['2001:db8:7::5']
    assert elements(agent, 'login')

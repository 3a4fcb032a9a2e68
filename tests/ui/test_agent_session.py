"""Local login begins the agent's session under a new cookie, through a one-time pass kept in that browser only."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from nicegui import app
from nicegui.testing import User

from tests.ui.helpers import AGENT_PASSWORD, create_agent, find, login

SESSION_COOKIE = 'session'


@pytest.fixture(autouse=True)
def ann() -> None:
    create_agent('ann', 'Ann Agent')


async def passed_password_check(user: User, monkeypatch) -> str:
    """Log in with the form, but keep the browser from following to the session URL; return that URL."""
    leaving_for: list[str] = []
    monkeypatch.setattr(user.navigate, 'to', leaving_for.append)
    await user.open('/agent/login')
    find(user, 'username').type('ann')
    find(user, 'password').type(AGENT_PASSWORD)
    find(user, 'login').click()
    for _ in range(200):  # argon2 runs in a thread first
        if leaving_for:
            break
        await asyncio.sleep(0.02)
    (url,) = leaving_for
    monkeypatch.undo()
    return url


async def test_local_login_moves_the_browser_to_a_new_session(user: User) -> None:
    await user.open('/agent/login')
    pre_login_cookie = user.http_client.cookies[SESSION_COOKIE]
    await login(user)
    assert user.http_client.cookies[SESSION_COOKIE] != pre_login_cookie
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test',
                                 cookies={SESSION_COOKIE: pre_login_cookie}) as fixated:
        assert (await fixated.get('/agent')).headers['location'].startswith('/agent/login')


async def test_the_passed_login_counts_once_and_only_in_its_own_browser(user: User, create_user, monkeypatch) -> None:
    url = await passed_password_check(user, monkeypatch)
    assert url == '/agent/session'  # nothing secret in the URL (or the access log)

    other_browser = create_user()
    refused = await other_browser.http_client.get(url)
    assert refused.headers['location'] == '/agent/login'

    collected = await user.http_client.get(url)
    assert (collected.status_code, collected.headers['location']) == (303, '/agent')
    await user.open('/agent')
    await user.should_see('My contacts')


async def test_the_passed_login_expires(user: User, monkeypatch) -> None:
    url = await passed_password_check(user, monkeypatch)
    real_time = time.time
    monkeypatch.setattr(time, 'time', lambda: real_time() + 3600)  # collected an hour too late
    assert (await user.http_client.get(url)).headers['location'] == '/agent/login'


async def test_the_passed_login_is_single_use(user: User, monkeypatch) -> None:
    url = await passed_password_check(user, monkeypatch)
    pre_login_cookie = user.http_client.cookies[SESSION_COOKIE]
    assert (await user.http_client.get(url)).headers['location'] == '/agent'
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test',
                                 cookies={SESSION_COOKIE: pre_login_cookie}) as replay:  # the same browser id again
        assert (await replay.get(url)).headers['location'] == '/agent/login'

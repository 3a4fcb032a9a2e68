"""Headers and cookies on the real app (issue 10, point 8): the Content-Security-Policy with a fresh nonce on every
inline script, no framing, no sniffing, the referrer policy, HSTS and Secure cookies behind https, and agent sessions
that end when idle. The browser side (the CSP breaks nothing) is checked by the e2e suite (tests/e2e/conftest.py)."""

from __future__ import annotations

import asyncio
import re

import pytest
from nicegui import __version__ as nicegui_version
from nicegui.testing import User

from agent_ui.login import idle_timeout
from tests.ui.helpers import create_agent, login

PATHS = ['/', '/call', '/agent', '/agent/login', '/assets/audio/ring.wav',
         f'/_nicegui/{nicegui_version}/static/nicegui.js', '/healthz', '/readyz']
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{16,})'")


@pytest.fixture
def ann() -> None:
    create_agent('ann', 'Ann Agent')


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    csp = response.headers['content-security-policy']
    return {part.split(' ', 1)[0]: part.split(' ', 1)[1] for part in csp.split('; ')}


@pytest.mark.parametrize('path', PATHS)
async def test_every_response_carries_the_headers(user: User, path: str) -> None:
    response = await user.http_client.get(path)
    assert response.status_code in (200, 307), response.status_code
    directives = policy(response)
    assert directives['frame-ancestors'] == "'none'"
    assert directives['object-src'] == "'none'"
    assert "'unsafe-inline'" not in directives['script-src']
    assert response.headers['x-frame-options'] == 'DENY'
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert response.headers['referrer-policy'] == 'strict-origin-when-cross-origin'
    assert 'strict-transport-security' not in response.headers  # plain http: no HSTS
    assert 'secure' not in response.headers.get('set-cookie', '').lower()


@pytest.mark.parametrize('path', ['/', '/call', '/agent/login'])
async def test_each_page_marks_exactly_its_inline_scripts_with_a_fresh_nonce(user: User, path: str) -> None:
    first, second = await user.http_client.get(path), await user.http_client.get(path)
    nonces = []
    for response in (first, second):
        (nonce,) = NONCE.findall(response.headers['content-security-policy'])
        scripts = re.findall(r'<script\b[^>]*>', response.text, re.IGNORECASE)
        assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
        assert int(response.headers['content-length']) == len(response.content)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


async def test_the_signed_in_desktop_cannot_be_framed(ann, user: User) -> None:
    await login(user)
    desktop = await user.http_client.get('/agent')
    assert desktop.status_code == 200 and 'text/html' in desktop.headers['content-type']
    assert policy(desktop)['frame-ancestors'] == "'none'"  # not even by a page on this site
    assert desktop.headers['x-frame-options'] == 'DENY'


async def test_user_text_cannot_carry_a_nonce(user: User) -> None:
    """Text in the element tree is escaped, so a '<script' typed by someone never reaches the page as a tag."""
    response = await user.http_client.get('/')
    (nonce,) = NONCE.findall(response.headers['content-security-policy'])
    assert response.text.count(f'nonce="{nonce}"') == len(re.findall(r'<script\b', response.text, re.IGNORECASE))


@pytest.mark.vce_settings(website_url='https://video.example.com', secure_cookies='')  # '': from the URL
async def test_behind_https_the_cookie_is_secure_and_hsts_is_sent(user: User) -> None:
    response = await user.http_client.get('/')
    assert response.headers['strict-transport-security'] == 'max-age=31536000'
    cookie = response.headers['set-cookie'].lower()
    assert '; secure' in cookie and '; httponly' in cookie and 'samesite=lax' in cookie


@pytest.mark.vce_settings(agent_session_idle_minutes=5)
async def test_an_idle_agent_session_ends(ann, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(idle_timeout, 'clock', lambda: now[0])
    await login(user)
    now[0] += 4 * 60  # a page request within the limit keeps the session ...
    await user.open('/agent')
    await user.should_see('My contacts')
    now[0] += 5 * 60 + 1  # ... and the next after a longer silence finds it gone
    await user.open('/agent/contact/anything')
    await user.should_see('Log in')
    await user.open('/agent')
    await user.should_see('Log in')


@pytest.mark.vce_settings(agent_session_idle_minutes=5)
async def test_an_open_desktop_keeps_its_session(ann, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(idle_timeout, 'clock', lambda: now[0])
    monkeypatch.setattr(idle_timeout, 'KEEP_ALIVE_SECONDS', 0.02)
    await login(user)
    await user.should_see('My contacts')
    for _ in range(6):  # 24 minutes with the desktop open and nothing clicked
        now[0] += 4 * 60
        await asyncio.sleep(0.1)  # the desktop's timer marks the session active
    await user.open('/agent')
    await user.should_see('My contacts')

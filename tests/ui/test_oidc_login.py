"""OIDC login end to end: the real NiceGUI app (User simulation) signing agents in at a real provider on 127.0.0.1.

The User's HTTP client talks to the app in-process and cannot follow a redirect to another host, so each test
plays the browser's part at the provider itself (tests.oidc_provider) and brings the callback URL back to the app.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from joserfc.jwk import RSAKey
from nicegui import app
from nicegui.testing import User

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, path_and_query, query, running_provider
from tests.ui.helpers import create_agent, elements, find

pytestmark = pytest.mark.filterwarnings('ignore:get_jwt_config:DeprecationWarning')  # inside the mock provider

PUBLIC_BASE = 'http://127.0.0.1:8080'
SESSION_COOKIE = 'session'  # NiceGUI's (Starlette's) signed session cookie


@pytest.fixture(scope='module')
def idp() -> Iterator[MockProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture(autouse=True)
def _oidc_settings(idp: MockProvider, monkeypatch) -> None:
    """Configure OIDC login before the app starts (the `user` fixture builds the app from these settings)."""
    idp.reset()
    for key, value in {'LOGIN_MODE': 'oidc', 'OIDC_DISCOVERY_URL': idp.discovery_url, 'OIDC_CLIENT_ID': CLIENT_ID,
                       'OIDC_CLIENT_SECRET': CLIENT_SECRET, 'OIDC_REDIRECT_BASE_URL': PUBLIC_BASE,
                       'OIDC_AGENT_EMAILS': json.dumps({'ann@example.com': 'ann'})}.items():
        monkeypatch.setenv(f'VCE_{key}', value)
    create_agent('ann', 'Ann Agent')


async def start_sign_in(user: User, idp: MockProvider, sub: str = 'ann-sub') -> str:
    """Click "Sign in" and sign in at the provider; return the callback (path and query) for the app."""
    await user.open('/agent/contact/deep-link')
    sign_in = find(user, 'sso-login')
    (button,) = sign_in.elements
    started = await user.http_client.get(button.props['href'])
    assert started.status_code == 302
    callback = idp.sign_in(started.headers['location'], sub)
    assert callback.startswith(f'{PUBLIC_BASE}/agent/oidc/callback?')
    return path_and_query(callback)


async def refused_with(user: User, callback: str, message: str) -> None:
    response = await user.http_client.get(callback)
    assert (response.status_code, response.headers['location']) == (303, '/agent/login')
    await user.open('/agent/login')
    await user.should_see(message)
    await user.open('/agent')  # and nobody is signed in
    await user.should_see('Sign in with single sign-on')


async def test_login_page_offers_only_single_sign_on(user: User) -> None:
    await user.open('/agent/login')
    await user.should_see('Sign in with single sign-on')
    assert not elements(user, 'username') and not elements(user, 'password')


async def test_sign_in_opens_the_desktop_under_a_new_session_cookie(user: User, idp: MockProvider) -> None:
    callback = await start_sign_in(user, idp)
    pre_login_cookie = user.http_client.cookies[SESSION_COOKIE]

    response = await user.http_client.get(callback)
    assert (response.status_code, response.headers['location']) == (303, '/agent/contact/deep-link')
    await user.open('/agent')
    await user.should_see('My contacts')
    await user.should_see('Ann Agent')

    # a browser that was planted with the pre-login cookie (session fixation) is not signed in ...
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test',
                                 cookies={SESSION_COOKIE: pre_login_cookie}) as fixated:
        assert (await fixated.get('/agent')).headers['location'].startswith('/agent/login')
    # ... because the login answered with a new signed, HttpOnly cookie
    assert user.http_client.cookies[SESSION_COOKIE] != pre_login_cookie
    assert 'httponly' in response.headers['set-cookie'].lower()


async def test_unverified_email_is_refused(user: User, idp: MockProvider) -> None:
    callback = await start_sign_in(user, idp, sub='una-sub')
    await refused_with(user, callback, 'Your email address is not verified with your identity provider')


async def test_unknown_agent_is_refused(user: User, idp: MockProvider) -> None:
    callback = await start_sign_in(user, idp, sub='sam-sub')
    await refused_with(user, callback, 'sam@example.com is not set up as an agent here.')


async def test_id_token_signed_with_a_wrong_key_is_refused(user: User, idp: MockProvider) -> None:
    idp.forged_key = RSAKey.generate_key(2048)
    callback = await start_sign_in(user, idp)
    await refused_with(user, callback, 'The sign-in could not be verified')


async def test_id_token_for_another_audience_is_refused(user: User, idp: MockProvider) -> None:
    idp.alter_claims = lambda claims: {**claims, 'aud': 'another-client', 'azp': CLIENT_ID}
    callback = await start_sign_in(user, idp)
    await refused_with(user, callback, 'The sign-in could not be verified')


async def test_callback_with_another_state_is_refused(user: User, idp: MockProvider) -> None:
    callback = await start_sign_in(user, idp)
    await refused_with(user, callback.replace('state=', 'state=x'), 'This sign-in was not started in this browser')


async def test_callback_in_another_browser_is_refused(user: User, idp: MockProvider, create_user) -> None:
    """Login CSRF: a callback for the attacker's account, opened in the agent's browser, signs nobody in."""
    callback = await start_sign_in(user, idp)
    victim = create_user()
    await refused_with(victim, callback, 'This sign-in was not started in this browser')


async def test_refusal_from_the_provider_is_shown(user: User, idp: MockProvider) -> None:
    callback = await start_sign_in(user, idp)
    state = query(callback)['state']
    await refused_with(user, f'/agent/oidc/callback?error=access_denied&state={state}',
                       'The identity provider did not sign you in.')


async def test_logout_ends_the_session_and_the_providers(user: User, idp: MockProvider, monkeypatch) -> None:
    await user.http_client.get(await start_sign_in(user, idp))
    await user.open('/agent')
    await user.should_see('My contacts')
    leaving_for: list[str] = []
    monkeypatch.setattr(user.navigate, 'to', leaving_for.append)  # the browser would leave for the provider

    find(user, 'logout').click()
    for _ in range(100):  # the logout handler asks the provider for its end-session URL first
        if leaving_for:
            break
        await asyncio.sleep(0.02)
    (end_session,) = leaving_for
    assert end_session.startswith(f'{idp.url}/oauth2/end_session?')
    params = query(end_session)
    assert params['post_logout_redirect_uri'] == f'{PUBLIC_BASE}/agent/login'
    assert params['client_id'] == CLIENT_ID and params['id_token_hint'].count('.') == 2
    assert httpx.get(end_session).status_code == 200  # the provider accepts it (shows its sign-out form)

    await user.open('/agent')
    await user.should_see('Sign in with single sign-on')

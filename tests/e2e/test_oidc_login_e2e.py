"""OIDC login in a real browser: the SSO button, the provider's form, the callback, the desktop, and logout."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_USER, LiveServer, Pages, free_port, screenshot
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, running_provider

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings('ignore:get_jwt_config:DeprecationWarning')]

DEMO_SUB = 'demo-sub'


@pytest.fixture
def idp() -> Iterator[MockProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def oidc_server(tmp_path: Path, idp: MockProvider) -> Iterator[LiveServer]:
    port = free_port()
    env = {'VCE_LOGIN_MODE': 'oidc', 'VCE_OIDC_DISCOVERY_URL': idp.discovery_url, 'VCE_OIDC_CLIENT_ID': CLIENT_ID,
           'VCE_OIDC_CLIENT_SECRET': CLIENT_SECRET, 'VCE_OIDC_REDIRECT_BASE_URL': f'http://127.0.0.1:{port}',
           'VCE_OIDC_AGENT_EMAILS': json.dumps({'demo@example.com': DEMO_USER})}
    live = LiveServer(tmp_path / 'server', port=port, env=env).start()
    yield live
    live.stop()


def test_agent_signs_in_at_the_provider_and_out_again(oidc_server: LiveServer, idp: MockProvider,
                                                      pages: Pages) -> None:
    claims = {'email': 'demo@example.com', 'email_verified': True, 'name': 'Demo at the IdP'}
    assert httpx.put(f'{idp.url}/users/{DEMO_SUB}', json=claims).status_code == 204  # the provider's user directory
    base = oidc_server.base_url
    agent = pages.new(label='agent')
    agent.goto(f'{base}/agent')
    expect(agent.get_by_test_id('sso-login')).to_be_visible()
    expect(agent.get_by_test_id('username')).to_have_count(0)
    screenshot(agent, 'agent-login-sso.png')

    agent.get_by_test_id('sso-login').click()
    agent.wait_for_url(re.compile(re.escape(idp.url) + r'/oauth2/authorize'))
    agent.get_by_placeholder('sub').fill(DEMO_SUB)
    agent.get_by_role('button', name='Authorize').click()
    agent.wait_for_url(f'{base}/agent')
    expect(agent.get_by_test_id('agent-status')).to_be_visible()

    agent.get_by_test_id('logout').click()
    agent.wait_for_url(re.compile(re.escape(idp.url) + r'/oauth2/end_session'))
    agent.get_by_role('button', name='End session').click()
    agent.wait_for_url(re.compile(re.escape(base) + r'/agent/login'))
    expect(agent.get_by_test_id('sso-login')).to_be_visible()
    agent.goto(f'{base}/agent')  # signed out here too
    expect(agent.get_by_test_id('sso-login')).to_be_visible()

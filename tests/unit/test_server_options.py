"""What the web server is told (vce/server_options.py): forwarded headers only from configured proxies (issue 10,
point 3), the session cookie Secure behind https (point 8). The real-server behaviour is in
tests/e2e/test_trusted_proxies_e2e.py."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.settings import Settings
from vce.server_options import server_options


def test_no_proxy_is_trusted_by_default() -> None:
    options = server_options(Settings(demo=True))
    assert options['proxy_headers'] is False  # uvicorn's default would believe 127.0.0.1
    assert options['forwarded_allow_ips'] == []


def test_the_configured_proxies_are_passed_to_uvicorn_as_ips_and_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('VCE_TRUSTED_PROXIES', '10.0.0.0/24, 10.0.1.0/24 127.0.0.1,fd00::/8')
    options = server_options(Settings(demo=True))
    assert options['proxy_headers'] is True
    assert options['forwarded_allow_ips'] == ['10.0.0.0/24', '10.0.1.0/24', '127.0.0.1', 'fd00::/8']


@pytest.mark.parametrize('bad', ['*', '10.0.0.1/16', 'alb.internal', '300.1.1.1'])
def test_a_proxy_list_that_would_trust_the_wrong_clients_is_refused(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv('VCE_TRUSTED_PROXIES', f'10.0.0.0/24,{bad}')
    with pytest.raises(ValidationError, match='VCE_TRUSTED_PROXIES: '):
        Settings(demo=True)


@pytest.mark.parametrize(('env', 'secure'), [
    ({}, False),
    ({'VCE_WEBSITE_URL': 'https://video.example.com'}, True),
    ({'VCE_OIDC_REDIRECT_BASE_URL': 'https://agents.example.com'}, True),
    ({'VCE_WEBSITE_URL': 'http://127.0.0.1:8080'}, False),
    ({'VCE_WEBSITE_URL': 'https://video.example.com', 'VCE_SECURE_COOKIES': 'false'}, False),
    ({'VCE_SECURE_COOKIES': 'true'}, True),
])
def test_the_session_cookie_is_secure_when_the_public_url_is_https(monkeypatch: pytest.MonkeyPatch,
                                                                   env: dict[str, str], secure: bool) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert server_options(Settings(demo=True))['session_middleware_kwargs'] == {'https_only': secure}

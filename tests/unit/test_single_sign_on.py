"""OIDC login rules above the provider: state, time limit, verified email, agent mapping; and its settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backend.adapters.local.agent_directory import MappedAgentDirectory
from backend.domain.errors import NotAllowed
from backend.domain.identity import AuthorizationRequest, PendingSignIn, VerifiedIdentity
from backend.domain.model import Agent
from backend.services.single_sign_on import SIGN_IN_TIMEOUT_SECONDS, SingleSignOnService
from backend.settings import Settings

VERIFIED_ANN = VerifiedIdentity(subject='s-1', email='ann@example.com', email_verified=True, name='Ann A.',
                                id_token='h.p.s')


class FakeProvider:
    def __init__(self, identity: VerifiedIdentity = VERIFIED_ANN) -> None:
        self.identity = identity
        self.exchanged: list[tuple[str, str, str, str]] = []
        self.logout: str | None = 'https://idp.example/logout?x=1'

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        return AuthorizationRequest(url=f'https://idp.example/authorize?redirect_uri={redirect_uri}', state='st-1',
                                    nonce='n-1', code_verifier='v-1')

    async def verified_identity(self, redirect_uri: str, code: str, pending: PendingSignIn) -> VerifiedIdentity:
        self.exchanged.append((redirect_uri, code, pending.code_verifier, pending.nonce))
        return self.identity

    async def end_session_url(self, post_logout_redirect_uri: str, id_token_hint: str | None) -> str | None:
        return self.logout


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


class Agents:
    """The one AgentStore call the directory makes."""

    def __init__(self, *usernames: str) -> None:
        self._agents = {name: Agent(username=name, display_name=name.title(), agent_id=f'id-{name}',
                                    password_hash='', routing_queues=('BasicQueue',)) for name in usernames}

    def get_agent(self, username: str) -> Agent | None:
        return self._agents.get(username)


@pytest.fixture
def store() -> Agents:
    return Agents('ann')


def service(store: Agents, provider: FakeProvider, clock: Clock | None = None) -> SingleSignOnService:
    return SingleSignOnService(provider, MappedAgentDirectory(store, {'ann@example.com': 'ann'}),
                               public_base_url='https://agents.example.com/', clock=clock or Clock())


async def test_begin_then_complete_signs_the_mapped_agent_in(store) -> None:
    provider = FakeProvider()
    sso = service(store, provider)
    url, pending = await sso.begin('/agent/contact/c-1')
    assert url == 'https://idp.example/authorize?redirect_uri=https://agents.example.com/agent/oidc/callback'
    agent = await sso.complete(pending, {'code': 'c0de', 'state': 'st-1'})
    assert (agent.username, agent.display_name, agent.redirect_to) == ('ann', 'Ann A.', '/agent/contact/c-1')
    assert provider.exchanged == [('https://agents.example.com/agent/oidc/callback', 'c0de', 'v-1', 'n-1')]


@pytest.mark.parametrize(('callback', 'message'), [
    ({'code': 'c0de', 'state': 'another'}, 'not started in this browser'),
    ({'code': 'c0de'}, 'not started in this browser'),
    ({'state': 'st-1'}, 'sent no authorization code'),
    ({'error': 'access_denied', 'state': 'st-1'}, 'did not sign you in'),
])
async def test_bad_callbacks_are_refused_before_any_code_exchange(store, callback, message) -> None:
    provider = FakeProvider()
    sso = service(store, provider)
    _, pending = await sso.begin('/agent')
    with pytest.raises(NotAllowed, match=message):
        await sso.complete(pending, callback)
    assert provider.exchanged == []


async def test_callback_without_a_pending_sign_in_is_refused(store) -> None:
    with pytest.raises(NotAllowed, match='not started in this browser'):
        await service(store, FakeProvider()).complete(None, {'code': 'c0de', 'state': 'st-1'})


async def test_a_sign_in_left_too_long_starts_over(store) -> None:
    clock = Clock()
    sso = service(store, FakeProvider(), clock)
    _, pending = await sso.begin('/agent')
    clock.now += SIGN_IN_TIMEOUT_SECONDS + 1
    with pytest.raises(NotAllowed, match='took too long'):
        await sso.complete(pending, {'code': 'c0de', 'state': 'st-1'})


@pytest.mark.parametrize(('identity', 'message'), [
    (VerifiedIdentity('s-1', 'ann@example.com', False, 'Ann', 't'), 'not verified'),
    (VerifiedIdentity('s-1', None, True, 'Ann', 't'), 'did not share your email'),
    (VerifiedIdentity('s-1', 'bob@example.com', True, 'Bob', 't'), 'bob@example.com is not set up as an agent'),
])
async def test_only_a_verified_email_of_a_known_agent_signs_in(store, identity, message) -> None:
    sso = service(store, FakeProvider(identity))
    _, pending = await sso.begin('/agent')
    with pytest.raises(NotAllowed, match=message):
        await sso.complete(pending, {'code': 'c0de', 'state': 'st-1'})


async def test_logout_goes_to_the_provider_or_back_to_our_login_page(store) -> None:
    provider = FakeProvider()
    assert await service(store, provider).logout_url('t') == 'https://idp.example/logout?x=1'
    provider.logout = None
    assert await service(store, provider).logout_url('t') == 'https://agents.example.com/agent/login'


def test_directory_maps_emails_case_insensitively_and_only_to_existing_agents(store) -> None:
    directory = MappedAgentDirectory(store, {' Ann@Example.COM ': 'Ann', 'gone@example.com': 'gone'})
    assert directory.find_username('ANN@example.com') == 'ann'
    assert directory.find_username('gone@example.com') is None  # mapped, but no such account
    assert directory.find_username('nobody@example.com') is None


OIDC = {'VCE_LOGIN_MODE': 'oidc', 'VCE_OIDC_DISCOVERY_URL': 'https://idp.example/.well-known/openid-configuration',
        'VCE_OIDC_CLIENT_ID': 'client', 'VCE_OIDC_REDIRECT_BASE_URL': 'https://agents.example.com'}


def test_local_login_is_the_default_and_needs_no_oidc_settings() -> None:
    assert Settings(demo=True).login_mode == 'local'


@pytest.mark.parametrize(('override', 'message'), [
    ({'VCE_OIDC_CLIENT_ID': ''}, 'needs VCE_OIDC_CLIENT_ID'),
    ({'VCE_OIDC_DISCOVERY_URL': '', 'VCE_OIDC_REDIRECT_BASE_URL': ''},
     'needs VCE_OIDC_DISCOVERY_URL, VCE_OIDC_REDIRECT_BASE_URL'),
    ({'VCE_OIDC_DISCOVERY_URL': 'http://idp.example/.well-known/openid-configuration'},
     r"VCE_OIDC_DISCOVERY_URL: 'http://idp\.example/\.well-known/openid-configuration' is not an https URL"),
    ({'VCE_OIDC_REDIRECT_BASE_URL': 'http://127.evil.example'},
     r"VCE_OIDC_REDIRECT_BASE_URL: 'http://127\.evil\.example' is not an https URL"),
    ({'VCE_OIDC_SCOPES': 'email profile'}, r"VCE_OIDC_SCOPES: 'email profile' must include the \"openid\" scope"),
])
def test_incomplete_or_insecure_oidc_settings_are_refused(monkeypatch, override, message) -> None:
    for key, value in {**OIDC, **override}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=message):
        Settings(demo=True)


def test_oidc_settings_accept_https_and_loopback_http(monkeypatch) -> None:
    loopback = {'VCE_OIDC_REDIRECT_BASE_URL': 'http://127.0.0.1:8080', 'VCE_OIDC_CLIENT_SECRET': 's3cret',
                'VCE_OIDC_AGENT_EMAILS': '{"ann@example.com": "ann"}'}
    for key, value in {**OIDC, **loopback}.items():
        monkeypatch.setenv(key, value)
    settings = Settings(demo=True)
    assert settings.oidc_agent_emails == {'ann@example.com': 'ann'}
    assert 's3cret' not in repr(settings)

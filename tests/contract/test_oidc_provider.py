"""The authlib relying party against a real OIDC provider on 127.0.0.1: PKCE, and every ID token check."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from collections.abc import Iterator

import pytest
from joserfc.jwk import RSAKey

from backend.adapters.oidc.authlib_provider import UNREACHABLE, UNTRUSTED, AuthlibIdentityProvider
from backend.domain.errors import DomainError, NotAllowed
from backend.domain.identity import PendingSignIn, VerifiedIdentity
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, MockProvider, query, running_provider

pytestmark = pytest.mark.filterwarnings('ignore:get_jwt_config:DeprecationWarning')  # inside the mock provider

CALLBACK = 'http://127.0.0.1:8080/agent/oidc/callback'
SCOPES = 'openid email profile'


@pytest.fixture(scope='module')
def idp() -> Iterator[MockProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def relying_party(idp: MockProvider) -> AuthlibIdentityProvider:
    idp.reset()
    return AuthlibIdentityProvider(idp.discovery_url, CLIENT_ID, CLIENT_SECRET, SCOPES)


async def sign_in(relying_party: AuthlibIdentityProvider, idp: MockProvider, sub: str = 'ann-sub',
                  nonce: str | None = None) -> VerifiedIdentity:
    request = await relying_party.authorization_request(CALLBACK)
    callback = query(idp.sign_in(request.url, sub))
    assert callback['state'] == request.state
    pending = PendingSignIn(state=request.state, nonce=nonce or request.nonce, code_verifier=request.code_verifier,
                            redirect_to='/agent', started_at=time.time())
    return await relying_party.verified_identity(CALLBACK, callback['code'], pending)


async def test_authorization_request_is_a_code_flow_with_pkce_s256_state_and_nonce(relying_party, idp) -> None:
    request = await relying_party.authorization_request(CALLBACK)
    params = query(request.url)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(request.code_verifier.encode()).digest()).rstrip(b'=')
    assert params['response_type'] == 'code'
    assert params['client_id'] == CLIENT_ID
    assert params['redirect_uri'] == CALLBACK
    assert params['scope'] == SCOPES
    assert params['code_challenge_method'] == 'S256'
    assert params['code_challenge'] == challenge.decode()
    assert params['state'] == request.state and len(request.state) >= 20
    assert params['nonce'] == request.nonce and len(request.nonce) >= 20
    assert request.code_verifier not in request.url


async def test_code_exchange_sends_the_pkce_verifier_server_to_server(relying_party, idp) -> None:
    request = await relying_party.authorization_request(CALLBACK)
    callback = query(idp.sign_in(request.url, 'ann-sub'))
    pending = PendingSignIn(state=request.state, nonce=request.nonce, code_verifier=request.code_verifier,
                            redirect_to='/agent', started_at=time.time())
    await relying_party.verified_identity(CALLBACK, callback['code'], pending)
    (form,) = idp.token_requests
    assert form['grant_type'] == 'authorization_code' and form['code'] == callback['code']
    assert form['code_verifier'] == request.code_verifier and form['redirect_uri'] == CALLBACK
    assert 'client_secret' not in form  # sent in the Authorization header (client_secret_basic), not the body


async def test_a_signed_id_token_gives_the_verified_identity(relying_party, idp) -> None:
    identity = await sign_in(relying_party, idp)
    assert (identity.subject, identity.email, identity.email_verified, identity.name) == \
        ('ann-sub', 'Ann@Example.com', True, 'Ann from the IdP')
    assert identity.id_token.count('.') == 2


async def test_unverified_email_is_reported_as_unverified(relying_party, idp) -> None:
    identity = await sign_in(relying_party, idp, sub='una-sub')
    assert identity.email == 'una@example.com' and identity.email_verified is False


async def test_token_signed_with_a_key_the_provider_does_not_publish_is_refused(relying_party, idp) -> None:
    idp.forged_key = RSAKey.generate_key(2048)  # the token keeps the provider's key id, so only the signature differs
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await sign_in(relying_party, idp)


async def test_token_for_another_audience_is_refused(relying_party, idp) -> None:
    idp.alter_claims = lambda claims: {**claims, 'aud': 'another-client'}
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await sign_in(relying_party, idp)


async def test_token_for_another_audience_is_refused_even_when_azp_names_us(relying_party, idp) -> None:
    """authlib's defaults accept this one (aud is then only checked through azp); our claims options do not."""
    idp.alter_claims = lambda claims: {**claims, 'aud': 'another-client', 'azp': CLIENT_ID}
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await sign_in(relying_party, idp)


async def test_expired_token_is_refused(relying_party, idp) -> None:
    now = int(time.time())
    idp.alter_claims = lambda claims: {**claims, 'iat': now - 7200, 'exp': now - 3600}
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await sign_in(relying_party, idp)


async def test_token_from_another_issuer_is_refused(relying_party, idp) -> None:
    idp.alter_claims = lambda claims: {**claims, 'iss': 'https://issuer.invalid'}
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await sign_in(relying_party, idp)


async def test_token_whose_nonce_is_not_this_sign_ins_is_refused(relying_party, idp) -> None:
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await sign_in(relying_party, idp, nonce='nonce-of-another-sign-in')


async def test_a_code_can_be_redeemed_only_once(relying_party, idp) -> None:
    request = await relying_party.authorization_request(CALLBACK)
    callback = query(idp.sign_in(request.url, 'ann-sub'))
    pending = PendingSignIn(state=request.state, nonce=request.nonce, code_verifier=request.code_verifier,
                            redirect_to='/agent', started_at=time.time())
    await relying_party.verified_identity(CALLBACK, callback['code'], pending)
    with pytest.raises(NotAllowed, match=UNTRUSTED):
        await relying_party.verified_identity(CALLBACK, callback['code'], pending)


async def test_end_session_url_comes_from_discovery(relying_party, idp) -> None:
    url = await relying_party.end_session_url('http://127.0.0.1:8080/agent/login', 'the-id-token')
    assert url is not None and url.startswith(f'{idp.url}/oauth2/end_session?')
    params = query(url)
    assert params['post_logout_redirect_uri'] == 'http://127.0.0.1:8080/agent/login'
    assert params['id_token_hint'] == 'the-id-token'
    assert params['client_id'] == CLIENT_ID


async def test_without_end_session_endpoint_logout_uses_the_configured_cognito_style_url(idp) -> None:
    idp.hide_end_session = True
    plain = AuthlibIdentityProvider(idp.discovery_url, CLIENT_ID, CLIENT_SECRET, SCOPES)
    assert await plain.end_session_url('http://127.0.0.1:8080/agent/login', 'the-id-token') is None
    cognito = AuthlibIdentityProvider(idp.discovery_url, CLIENT_ID, CLIENT_SECRET, SCOPES,
                                      logout_url='https://agents.auth.eu-west-2.amazoncognito.com/logout')
    url = await cognito.end_session_url('http://127.0.0.1:8080/agent/login', 'the-id-token')
    assert url == ('https://agents.auth.eu-west-2.amazoncognito.com/logout?client_id=vce-agents'
                   '&logout_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fagent%2Flogin')


async def test_unreachable_provider_gives_a_clear_message() -> None:
    with socket.socket() as closed:
        closed.bind(('127.0.0.1', 0))
        port = closed.getsockname()[1]
    relying_party = AuthlibIdentityProvider(f'http://127.0.0.1:{port}/.well-known/openid-configuration', CLIENT_ID,
                                            CLIENT_SECRET, SCOPES)
    with pytest.raises(DomainError, match=UNREACHABLE):
        await relying_party.authorization_request(CALLBACK)


async def test_discovery_document_of_another_issuer_is_refused(idp) -> None:
    """OIDC Discovery §4.3: the document must name the issuer it was fetched from (here: localhost ≠ 127.0.0.1)."""
    relying_party = AuthlibIdentityProvider(idp.discovery_url, CLIENT_ID, CLIENT_SECRET, SCOPES)
    relying_party._discovery_url = idp.discovery_url.replace('127.0.0.1', 'localhost')
    with pytest.raises(DomainError, match=UNREACHABLE):
        await relying_party.authorization_request(CALLBACK)

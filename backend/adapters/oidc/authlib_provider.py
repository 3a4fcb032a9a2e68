"""OpenID Connect relying party on authlib: code flow with PKCE (S256), state and nonce; ID token checked against
the provider's JWKS.

authlib's framework-neutral async client does the protocol work (discovery, authorization URL, token exchange,
JWKS fetch with a refetch when the key id is unknown, ID token signature and claims); this adapter only fixes the
options that must never be left to defaults (audience = our client id, issuer = the discovered issuer) and turns
every failure into a domain error. Session storage stays with the caller, so no web framework is imported here.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import httpx2
from authlib.integrations.base_client import BaseApp, FrameworkIntegration, OAuthError
from authlib.integrations.base_client.async_app import AsyncOAuth2Mixin
from authlib.integrations.base_client.async_openid import AsyncOpenIDMixin
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc.errors import JoseError

from backend.domain.errors import DomainError, NotAllowed
from backend.domain.identity import AuthorizationRequest, PendingSignIn, VerifiedIdentity
from backend.ports import IdentityProvider

log = logging.getLogger('vce.oidc')

HTTP_TIMEOUT_SECONDS = 10.0
CLOCK_SKEW_SECONDS = 60
UNREACHABLE = 'The sign-in service cannot be reached right now. Please try again in a minute.'
UNTRUSTED = 'The sign-in could not be verified, so you were not signed in. Please try again.'


class _OidcClient(AsyncOAuth2Mixin, AsyncOpenIDMixin, BaseApp):  # type: ignore[misc]
    """authlib's async OAuth 2 + OpenID client, without a web framework's session behind it."""

    client_cls = AsyncOAuth2Client


class AuthlibIdentityProvider(IdentityProvider):
    def __init__(self, discovery_url: str, client_id: str, client_secret: str | None, scopes: str,
                 logout_url: str = '', groups_claim: str = 'cognito:groups') -> None:
        self._groups_claim = groups_claim
        client_kwargs: dict[str, Any] = {'scope': scopes, 'code_challenge_method': 'S256',
                                         'timeout': HTTP_TIMEOUT_SECONDS}
        if not client_secret:  # a public client (e.g. a Cognito app client without a secret) relies on PKCE alone
            client_kwargs['token_endpoint_auth_method'] = 'none'
        self._discovery_url, self._client_id, self._logout_url = discovery_url, client_id, logout_url
        self._client = _OidcClient(FrameworkIntegration('vce'), name='vce', client_id=client_id,
                                   client_secret=client_secret or None, server_metadata_url=discovery_url,
                                   client_kwargs=client_kwargs)

    async def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        await self._metadata()
        try:
            request = await self._client.create_authorization_url(redirect_uri)
        except RuntimeError as error:  # e.g. no authorization_endpoint in the discovery document
            log.error('oidc.bad_metadata reason=%s', error)
            raise DomainError(UNREACHABLE) from error
        return AuthorizationRequest(url=request['url'], state=request['state'], nonce=request['nonce'],
                                    code_verifier=request['code_verifier'])

    async def verified_identity(self, redirect_uri: str, code: str, pending: PendingSignIn) -> VerifiedIdentity:
        metadata = await self._metadata()
        try:
            token = await self._client.fetch_access_token(redirect_uri=redirect_uri, code=code,
                                                          code_verifier=pending.code_verifier)
        except OAuthError as error:  # the token endpoint refused the code (used, expired, wrong verifier, ...)
            log.warning('oidc.token_refused error=%s', error.error)
            raise NotAllowed(UNTRUSTED) from error
        except httpx2.HTTPError as error:
            log.warning('oidc.token_endpoint_unreachable error=%s', type(error).__name__)
            raise DomainError(UNREACHABLE) from error
        if 'id_token' not in token:
            log.warning('oidc.no_id_token')
            raise NotAllowed(UNTRUSTED)
        claims_options = {
            'iss': {'essential': True, 'value': metadata['issuer']},
            'aud': {'essential': True, 'value': self._client_id},  # authlib's default would accept any aud + azp
            'sub': {'essential': True},
            'exp': {'essential': True},
        }
        try:
            claims = await self._client.parse_id_token(token, nonce=pending.nonce, claims_options=claims_options,
                                                       leeway=CLOCK_SKEW_SECONDS)
        except JoseError as error:  # bad signature, unknown key, wrong iss/aud/nonce, expired, ...
            log.warning('oidc.id_token_rejected reason=%s', type(error).__name__)
            raise NotAllowed(UNTRUSTED) from error
        except httpx2.HTTPError as error:
            log.warning('oidc.jwks_unreachable error=%s', type(error).__name__)
            raise DomainError(UNREACHABLE) from error
        email = claims.get('email')
        name = claims.get('name')
        return VerifiedIdentity(subject=str(claims['sub']), email=str(email) if email else None,
                                email_verified=_is_true(claims.get('email_verified')),
                                name=str(name) if name else None, id_token=token['id_token'],
                                groups=_groups(claims.get(self._groups_claim)))

    async def end_session_url(self, post_logout_redirect_uri: str, id_token_hint: str | None) -> str | None:
        metadata = await self._metadata()
        if not metadata.get('end_session_endpoint'):
            if not self._logout_url:
                return None
            # Cognito's hosted UI publishes no end_session_endpoint; its /logout takes client_id and logout_uri
            query = urlencode({'client_id': self._client_id, 'logout_uri': post_logout_redirect_uri})
            return f'{self._logout_url}{"&" if "?" in self._logout_url else "?"}{query}'
        logout = await self._client.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri,
                                                      id_token_hint=id_token_hint, client_id=self._client_id)
        return str(logout['url'])

    async def _metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once, then cached by authlib), with its issuer checked."""
        try:
            metadata: dict[str, Any] = await self._client.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as error:
            log.warning('oidc.discovery_failed error=%s', type(error).__name__)
            raise DomainError(UNREACHABLE) from error
        issuer = metadata.get('issuer')
        # OpenID Connect Discovery §4.3: the issuer must be the URL the document was fetched under
        if not issuer or self._discovery_url.rstrip('/') != f'{issuer.rstrip("/")}/.well-known/openid-configuration':
            self._client.server_metadata.clear()
            log.error('oidc.issuer_mismatch issuer=%s', issuer)
            raise DomainError(UNREACHABLE)
        return metadata


def _is_true(claim: object) -> bool:
    """``email_verified`` is a JSON boolean, but SAML attributes mapped by Cognito arrive as the string "true"."""
    return claim is True or (isinstance(claim, str) and claim.lower() == 'true')


def _groups(value: Any) -> tuple[str, ...]:
    """A groups claim: a list of names (Cognito's ``cognito:groups``), or one name, or space-separated names."""
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()

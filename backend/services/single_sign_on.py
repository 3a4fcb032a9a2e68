"""Agent login through an OpenID Connect provider: start the redirect, turn the callback into a known agent.

The provider adapter proves *who* signed in (signature, issuer, audience, expiry, nonce); this service decides
whether that person may use the agent desktop: only with an email the provider says is verified, and only if the
directory maps it to a contact-centre user. Everything else is refused with a sentence the agent can act on.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable, Mapping

from backend.domain.errors import NotAllowed
from backend.domain.identity import PendingSignIn, SignedInAgent, VerifiedIdentity
from backend.ports import AgentDirectory, IdentityProvider

log = logging.getLogger('vce.sso')

SIGN_IN_TIMEOUT_SECONDS = 600  # a login page left open longer than this starts over
CALLBACK_PATH = '/agent/oidc/callback'  # register <public base URL> + this as the client's redirect URI
LOGIN_PAGE_PATH = '/agent/login'  # and this as its sign-out (post-logout redirect) URI


class SingleSignOnService:
    def __init__(self, provider: IdentityProvider, directory: AgentDirectory, *, public_base_url: str,
                 supervisor_group: str = '', clock: Callable[[], float] = time.time) -> None:
        """``supervisor_group``: the group (in the provider's groups claim) whose members are supervisors."""
        self._provider, self._directory, self._clock = provider, directory, clock
        self._supervisor_group = supervisor_group
        base = public_base_url.rstrip('/')
        self._callback_url, self._after_logout_url = base + CALLBACK_PATH, base + LOGIN_PAGE_PATH

    async def begin(self, redirect_to: str) -> tuple[str, PendingSignIn]:
        """The provider URL to send the browser to, and what to keep in its session until it comes back."""
        request = await self._provider.authorization_request(self._callback_url)
        return request.url, PendingSignIn(state=request.state, nonce=request.nonce,
                                          code_verifier=request.code_verifier, redirect_to=redirect_to,
                                          started_at=self._clock())

    async def complete(self, pending: PendingSignIn | None, callback: Mapping[str, str]) -> SignedInAgent:
        """Check the callback against the pending sign-in of this browser and return the agent it signs in.

        ``pending`` is the sign-in this browser started (None if it started none with the returned state).
        """
        if callback.get('error'):
            log.info('sso.refused_by_provider error=%s', callback.get('error', '')[:64])
            raise NotAllowed('The identity provider did not sign you in. Please try again.')
        state = callback.get('state') or ''
        if pending is None or not hmac.compare_digest(state.encode(), pending.state.encode()):
            log.info('sso.state_mismatch')
            raise NotAllowed('This sign-in was not started in this browser, or was already used. '
                             'Please sign in again.')
        if self._clock() - pending.started_at > SIGN_IN_TIMEOUT_SECONDS:
            raise NotAllowed('The sign-in took too long. Please sign in again.')
        code = callback.get('code')
        if not code:
            raise NotAllowed('The identity provider sent no authorization code. Please sign in again.')
        identity = await self._provider.verified_identity(self._callback_url, code, pending)
        username = await self._agent_for(identity)
        supervisor = bool(self._supervisor_group) and self._supervisor_group in identity.groups
        log.info('sso.signed_in agent=%s supervisor=%s', username, supervisor)
        return SignedInAgent(username=username, display_name=identity.name or identity.email or username,
                             id_token=identity.id_token, redirect_to=pending.redirect_to, supervisor=supervisor)

    async def logout_url(self, id_token: str | None) -> str:
        """Where the browser goes after the local session is gone: the provider's logout, else our login page."""
        url = await self._provider.end_session_url(self._after_logout_url, id_token)
        return url or self._after_logout_url

    async def _agent_for(self, identity: VerifiedIdentity) -> str:
        if not identity.email:
            log.info('sso.refused reason=no_email')
            raise NotAllowed('Your identity provider did not share your email address, so we cannot tell which '
                             'agent you are. Ask your administrator to allow the "email" scope.')
        if not identity.email_verified:
            log.info('sso.refused reason=email_not_verified')
            raise NotAllowed('Your email address is not verified with your identity provider, so you cannot sign '
                             'in yet. Verify it there (or ask your administrator), then try again.')
        username = await asyncio.to_thread(self._directory.find_username, identity.email)  # aws: Connect calls
        if username is None:
            log.info('sso.refused reason=unknown_agent')
            raise NotAllowed(f'{identity.email} is not set up as an agent here. Ask your administrator to add you.')
        return username

"""Single sign-on types: what an OpenID Connect login carries from the browser redirect to a signed-in agent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """Where to send the browser, and the secrets that must come back with (or be checked against) its return.

    ``state`` travels through the browser; ``nonce`` is only ever seen again inside the signed ID token, and the
    PKCE ``code_verifier`` only goes to the token endpoint, server to server.
    """

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """Kept server-side in the browser's pre-login session between the redirect and the provider's callback."""

    state: str
    nonce: str
    code_verifier: str
    redirect_to: str
    started_at: float


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """Claims from an ID token whose signature, issuer, audience, expiry and nonce have been checked."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    id_token: str
    groups: tuple[str, ...] = ()  # the configured groups claim (Cognito: cognito:groups), from the signed token


@dataclass(frozen=True, slots=True)
class SignedInAgent:
    """Who the session now belongs to, and where the browser goes next."""

    username: str
    display_name: str
    id_token: str
    redirect_to: str
    supervisor: bool = False  # the token's groups claim has the supervisor group

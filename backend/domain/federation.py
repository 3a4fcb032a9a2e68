"""A Connect session issued by GetFederationToken for one agent (federated CCP login on SAML-enabled instances)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FederationToken:
    """Credentials for one agent's Connect session: secret, so kept out of ``repr``, logs and URLs."""

    access_token: str = field(repr=False)
    access_token_expires_at: float  # epoch seconds
    refresh_token: str = field(repr=False)
    refresh_token_expires_at: float
    user_id: str = ''  # the Connect user the token is for (whoever the assumed role session maps to)

    def sign_in_credentials(self) -> dict[str, object]:
        """The ``credentials`` form field of the instance's ``/auth/sign-in`` POST (expirations in epoch ms)."""
        return {
            'AccessToken': self.access_token,
            'AccessTokenExpiration': int(self.access_token_expires_at * 1000),
            'RefreshToken': self.refresh_token,
            'RefreshTokenExpiration': int(self.refresh_token_expires_at * 1000),
        }

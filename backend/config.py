"""Settings from environment variables (prefix ``VCE_``) and an optional ``.env`` file.

One switch (``VCE_MODE``) selects the mode; only the composition root reads it.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORAGE_SECRET = 'vce-demo-secret-change-me'


class Settings(BaseSettings):
    """Everything an operator can set; defaults give a working local demo."""

    model_config = SettingsConfigDict(env_prefix='VCE_', env_file='.env', env_ignore_empty=True, extra='ignore')

    mode: Literal['local', 'aws'] = 'local'
    demo: bool = False
    host: str = '127.0.0.1'
    port: int = Field(default=8080, ge=1, le=65535)
    data_dir: Path = Path('var')
    storage_secret: SecretStr = SecretStr(DEFAULT_STORAGE_SECRET)

    flows_dir: Path = PROJECT_ROOT / 'contact_flows'
    inbound_chat_flow: str = 'VideoCallEscalationChat'
    standard_queue: str = 'BasicQueue'
    queue_max_contacts: int = Field(default=500, ge=1)
    chat_concurrency: int = Field(default=2, ge=1, le=10)
    offer_timeout_seconds: float = Field(default=20.0, gt=0)

    meeting_backend: Literal['local', 'chime'] = 'local'
    ice_servers: list[dict[str, object]] = Field(default_factory=list)  # JSON, e.g. [{"urls": "stun:stun.example.com"}]
    aws_region: str = 'us-east-1'
    chime_media_region: str = 'us-east-1'

    login_mode: Literal['local', 'oidc'] = 'local'  # agent login: local accounts, or an OpenID Connect provider
    oidc_discovery_url: str = ''  # Cognito: https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/...
    oidc_client_id: str = ''
    oidc_client_secret: SecretStr = SecretStr('')  # empty for a public client (PKCE only)
    oidc_scopes: str = 'openid email profile'
    oidc_redirect_base_url: str = ''  # the agent desktop's public origin; the IdP must allow <it>/agent/oidc/callback
    oidc_agent_emails: dict[str, str] = Field(default_factory=dict)  # JSON: {"ann@example.com": "ann"}
    oidc_logout_url: str = ''  # only for providers without end_session_endpoint; Cognito: https://<domain>/logout

    company_name: str = 'Example Bank'
    company_tagline: str = 'Banking that talks back.'
    brand_primary_color: str = '#1f5fa8'
    brand_accent_color: str = '#f59e0b'
    brand_logo_url: str = ''
    launcher_text: str = 'Video call now'
    welcome_text: str = 'Talk to us by chat, then switch to video whenever you are ready.'

    @property
    def database_path(self) -> Path:
        return self.data_dir / 'vce.sqlite3'

    @model_validator(mode='after')
    def _refuse_default_secret(self) -> Settings:
        if not self.demo and self.storage_secret.get_secret_value() == DEFAULT_STORAGE_SECRET:
            raise ValueError(
                'VCE_STORAGE_SECRET is still the built-in demo value; set a long random secret '
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(32))") or run `vce demo`.'
            )
        if len(self.storage_secret.get_secret_value()) < 16:
            raise ValueError('VCE_STORAGE_SECRET must be at least 16 characters long.')
        return self

    @model_validator(mode='after')
    def _check_oidc_login(self) -> Settings:
        """OIDC login needs a provider, a client and our public URL; all of them over https (except loopback)."""
        if self.login_mode != 'oidc':
            return self
        missing = [f'VCE_{name.upper()}' for name in ('oidc_discovery_url', 'oidc_client_id', 'oidc_redirect_base_url')
                   if not getattr(self, name)]
        if missing:
            raise ValueError(f'VCE_LOGIN_MODE=oidc needs {", ".join(missing)}.')
        for name in ('oidc_discovery_url', 'oidc_redirect_base_url', 'oidc_logout_url'):
            if getattr(self, name) and not _is_https_or_loopback(getattr(self, name)):
                raise ValueError(f'VCE_{name.upper()} must be an https:// URL (plain http only on 127.0.0.1).')
        if 'openid' not in self.oidc_scopes.split():
            raise ValueError('VCE_OIDC_SCOPES must include "openid".')
        return self


def _is_https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == 'https' and parts.hostname:
        return True
    if parts.scheme != 'http' or not parts.hostname:
        return False
    try:
        return parts.hostname == 'localhost' or ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:  # a host name other than localhost
        return False

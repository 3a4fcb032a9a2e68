"""Settings from environment variables (prefix ``VCE_``) and an optional ``.env`` file.

One switch (``VCE_MODE``) selects the mode; only the composition root reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.domain.connect_arns import instance_id_of
from backend.domain.connect_instance import ConnectInstanceUrls, connect_instance_urls
from backend.domain.errors import InvalidInput

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORAGE_SECRET = 'vce-demo-secret-change-me'
REFERENCE_SECRET_LABEL = b'vce/ad-hoc-reference-secret/v1'  # fixed: changing it invalidates live references
MIN_SECRET_LENGTH = 16
AWS_REGION = re.compile(r'[a-z]{2}(-[a-z]+)+-\d')
CONNECT_INSTANCE_ID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')
IAM_ROLE_ARN = re.compile(r'arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}')


class BootstrapSettings(BaseSettings):
    """The few settings needed before the rest can be read: the mode, and where aws mode's SSM parameters live."""

    model_config = SettingsConfigDict(env_prefix='VCE_', env_file='.env', env_ignore_empty=True, extra='ignore')

    mode: Literal['local', 'aws'] = 'local'
    aws_region: str = 'us-east-1'
    ssm_path: str = '/VideoCallEscalation/'


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
    inbound_voice_flow: str = 'VideoCallEscalationVoice'
    standard_queue: str = 'BasicQueue'
    queue_max_contacts: int = Field(default=500, ge=1)
    chat_concurrency: int = Field(default=2, ge=1, le=10)
    offer_timeout_seconds: float = Field(default=20.0, gt=0)

    # ad-hoc references (docs/decisions.md, "References"); empty secret -> derived from storage_secret
    reference_secret: SecretStr = SecretStr('')
    reference_ttl_minutes: int = Field(default=15, ge=1, le=120)
    reference_max_wrong_emails: int = Field(default=5, ge=1, le=20)
    reference_redeem_limit: int = Field(default=10, ge=1, le=1000)
    reference_redeem_window_seconds: int = Field(default=900, ge=10, le=86_400)

    meeting_backend: Literal['local', 'chime'] = 'local'
    ice_servers: list[dict[str, object]] = Field(default_factory=list)  # JSON, e.g. [{"urls": "stun:stun.example.com"}]
    aws_region: str = 'us-east-1'
    connect_chat_flow_id: str = ''  # aws mode: the flow every customer chat starts in (the server picks it)
    connect_chat_duration_minutes: int | None = Field(default=None, ge=60, le=10080)  # Connect's default: 25 h
    chime_media_region: str = 'us-east-1'

    # Amazon Connect agent desktop (aws mode): the CCP embedded with Amazon Connect Streams.
    connect_instance_url: str = ''  # https://<alias>.my.connect.aws or legacy https://<alias>.awsapps.com/connect
    connect_instance_id: str = ''  # the UUID at the end of the instance ARN
    connect_region: str = ''  # the instance's region; empty: aws_region
    connect_login_mode: Literal['popup', 'federated'] = 'popup'  # popup: Connect-managed users; federated: SAML
    connect_federation_role_arn: str = ''  # federated: assumed with the agent's Connect username as session name

    login_mode: Literal['local', 'oidc'] = 'local'  # agent login: local accounts, or an OpenID Connect provider
    oidc_discovery_url: str = ''  # Cognito: https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/...
    oidc_client_id: str = ''
    oidc_client_secret: SecretStr = SecretStr('')  # empty for a public client (PKCE only)
    oidc_scopes: str = 'openid email profile'
    oidc_redirect_base_url: str = ''  # the agent desktop's public origin; the IdP must allow <it>/agent/oidc/callback
    oidc_agent_emails: dict[str, str] = Field(default_factory=dict)  # JSON: {"ann@example.com": "ann"}
    oidc_logout_url: str = ''  # only for providers without end_session_endpoint; Cognito: https://<domain>/logout

    # aws mode: `vce configure` stores settings in SSM Parameter Store under ssm_path; VCE_* env vars win over
    # SSM. backend/aws_config/parameters.py maps each SSM parameter to one of these fields.
    ssm_path: str = '/VideoCallEscalation/'
    connect_instance_arn: str = ''
    connect_queue_flow_id: str = ''
    connect_queue_arn: str = ''
    dynamodb_table: str = 'VideoCallEscalation'

    company_name: str = 'Example Bank'
    company_tagline: str = 'Banking that talks back.'
    brand_primary_color: str = '#1f5fa8'
    brand_accent_color: str = '#f59e0b'
    brand_logo_url: str = ''
    launcher_text: str = 'Video call now'
    welcome_text: str = 'Talk to us by chat, then switch to video whenever you are ready.'
    # public URL of the customer website, for ad-hoc links; empty -> the origin the agent desktop was served from
    website_url: str = Field(default='', pattern=r'^(https?://[^\s#]+)?$')

    @property
    def database_path(self) -> Path:
        return self.data_dir / 'vce.sqlite3'

    @property
    def reference_key(self) -> bytes:
        """The HMAC key for references: ``VCE_REFERENCE_SECRET``, or one derived from the storage secret so
        ``vce demo`` works without another setting (a separate secret lets an operator rotate one without the other)."""
        own = self.reference_secret.get_secret_value()
        if own:
            return own.encode()
        storage = self.storage_secret.get_secret_value().encode()
        return hmac.new(storage, REFERENCE_SECRET_LABEL, hashlib.sha256).digest()

    @property
    def agent_public_url(self) -> str:
        """Where agents reach this server (OIDC redirects): its own setting, else the public website URL."""
        return self.oidc_redirect_base_url or self.website_url

    @property
    def connect_instance(self) -> ConnectInstanceUrls | None:
        return connect_instance_urls(self.connect_instance_url) if self.connect_instance_url else None

    @property
    def ccp_region(self) -> str:
        return self.connect_region or self.aws_region

    @field_validator('connect_instance_url')
    @classmethod
    def _check_connect_instance_url(cls, value: str) -> str:
        if not value:
            return value
        try:
            return connect_instance_urls(value).base
        except InvalidInput as error:
            raise ValueError(f'VCE_CONNECT_INSTANCE_URL: {error}') from None

    @field_validator('connect_instance_id')
    @classmethod
    def _check_connect_instance_id(cls, value: str) -> str:
        value = value.strip().lower()
        if value and not CONNECT_INSTANCE_ID.fullmatch(value):
            raise ValueError(f'VCE_CONNECT_INSTANCE_ID must be the instance id, a UUID such as '
                             f'1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f (the end of the instance ARN), not {value!r}.')
        return value

    @field_validator('connect_region')
    @classmethod
    def _check_connect_region(cls, value: str) -> str:
        value = value.strip()
        if value and not AWS_REGION.fullmatch(value):
            raise ValueError(f'VCE_CONNECT_REGION must be an AWS region code such as eu-west-2, not {value!r}.')
        return value

    @field_validator('connect_federation_role_arn')
    @classmethod
    def _check_federation_role_arn(cls, value: str) -> str:
        value = value.strip()
        if value and not IAM_ROLE_ARN.fullmatch(value):
            raise ValueError(f'VCE_CONNECT_FEDERATION_ROLE_ARN must be an IAM role ARN such as '
                             f'arn:aws:iam::123456789012:role/ConnectFederation, not {value!r}.')
        return value

    @model_validator(mode='after')
    def _check_connect_ccp(self) -> Settings:
        if not self.connect_instance_id and self.connect_instance_arn:  # `vce configure` stores the ARN only
            self.connect_instance_id = instance_id_of(self.connect_instance_arn).lower()
        if self.mode != 'aws':
            return self
        if not self.connect_instance_url:
            raise ValueError('VCE_CONNECT_INSTANCE_URL is required in aws mode: the address of your Amazon Connect '
                             'instance, e.g. https://example.my.connect.aws or https://example.awsapps.com/connect.')
        if self.connect_login_mode == 'federated':
            missing = [name for name, value in (('VCE_CONNECT_INSTANCE_ID', self.connect_instance_id),
                                                ('VCE_CONNECT_FEDERATION_ROLE_ARN', self.connect_federation_role_arn))
                       if not value]
            if missing:
                raise ValueError(f'VCE_CONNECT_LOGIN_MODE=federated needs {" and ".join(missing)}: the server assumes '
                                 'the role with the agent\'s Connect username as session name, then calls Connect '
                                 'GetFederationToken in the instance (use VCE_CONNECT_LOGIN_MODE=popup for users '
                                 'that Amazon Connect manages itself).')
        return self

    @model_validator(mode='after')
    def _refuse_default_secret(self) -> Settings:
        if not self.demo and self.storage_secret.get_secret_value() == DEFAULT_STORAGE_SECRET:
            raise ValueError(
                'VCE_STORAGE_SECRET is still the built-in demo value; set a long random secret '
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(32))") or run `vce demo`.'
            )
        if len(self.storage_secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f'VCE_STORAGE_SECRET must be at least {MIN_SECRET_LENGTH} characters long.')
        if 0 < len(self.reference_secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f'VCE_REFERENCE_SECRET must be at least {MIN_SECRET_LENGTH} characters long '
                             '(or leave it empty to derive one from VCE_STORAGE_SECRET).')
        return self

    @model_validator(mode='after')
    def _check_oidc_login(self) -> Settings:
        """OIDC login needs a provider, a client and our public URL; all of them over https (except loopback)."""
        if self.login_mode != 'oidc':
            return self
        missing = [f'VCE_{name.upper()}' for name in ('oidc_discovery_url', 'oidc_client_id')
                   if not getattr(self, name)]
        if not self.agent_public_url:
            missing.append('VCE_OIDC_REDIRECT_BASE_URL (or VCE_WEBSITE_URL)')
        if missing:
            raise ValueError(f'VCE_LOGIN_MODE=oidc needs {", ".join(missing)}.')
        for name in ('oidc_discovery_url', 'oidc_redirect_base_url', 'website_url', 'oidc_logout_url'):
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

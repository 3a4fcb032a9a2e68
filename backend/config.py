"""Settings from environment variables (prefix ``VCE_``) and an optional ``.env`` file.

One switch (``VCE_MODE``) selects the mode; only the composition root reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORAGE_SECRET = 'vce-demo-secret-change-me'


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
    standard_queue: str = 'BasicQueue'
    queue_max_contacts: int = Field(default=500, ge=1)
    chat_concurrency: int = Field(default=2, ge=1, le=10)
    offer_timeout_seconds: float = Field(default=20.0, gt=0)

    meeting_backend: Literal['local', 'chime'] = 'local'
    ice_servers: list[dict[str, object]] = Field(default_factory=list)  # JSON, e.g. [{"urls": "stun:stun.example.com"}]
    aws_region: str = 'us-east-1'
    chime_media_region: str = 'us-east-1'

    # aws mode: `vce configure` stores these in SSM Parameter Store under ssm_path; VCE_* env vars win over SSM.
    # backend/aws_config/parameters.py maps each SSM parameter to one of these fields.
    ssm_path: str = '/VideoCallEscalation/'
    connect_instance_url: str = ''
    connect_instance_arn: str = ''
    connect_chat_flow_id: str = ''
    connect_queue_flow_id: str = ''
    connect_queue_arn: str = ''
    dynamodb_table: str = 'VideoCallEscalation'
    public_url: str = ''
    ccp_login_mode: Literal['popup', 'federated'] = 'popup'
    connect_federation_role_arn: str = ''
    agent_login: Literal['local', 'oidc'] = 'local'
    oidc_discovery_url: str = ''
    oidc_client_id: str = ''
    oidc_client_secret: SecretStr = SecretStr('')
    oidc_scopes: str = 'openid email profile'

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

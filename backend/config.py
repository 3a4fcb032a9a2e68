"""Settings from environment variables (prefix ``VCE_``) and an optional ``.env`` file.

One switch (``VCE_MODE``) selects the mode; only the composition root reads it.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORAGE_SECRET = 'vce-demo-secret-change-me'
REFERENCE_SECRET_LABEL = b'vce/ad-hoc-reference-secret/v1'  # fixed: changing it invalidates live references
MIN_SECRET_LENGTH = 16


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
    connect_instance_id: str = ''  # aws mode: the Amazon Connect instance (id or ARN)
    connect_chat_flow_id: str = ''  # aws mode: the flow every customer chat starts in (the server picks it)
    connect_chat_duration_minutes: int | None = Field(default=None, ge=60, le=10080)  # Connect's default: 25 h
    chime_media_region: str = 'us-east-1'

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

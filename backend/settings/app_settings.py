"""Settings from environment variables (prefix ``VCE_``) and an optional ``.env`` file (aws mode adds SSM).

One switch (``VCE_MODE``) selects the mode; only the composition root reads it. Each checked field's type carries
its one check (``value_types``); the checks here are the ones that span several fields.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.domain.connect_arns import parse_instance_arn
from backend.domain.connect_instance import ConnectInstanceUrls, connect_instance_urls
from backend.settings.checks import MIN_SECRET_LENGTH
from backend.settings.data_folder import absolute_data_dir, default_data_dir
from backend.settings.value_types import (
    ENV_PREFIX,
    AgentLoginModeSetting,
    AwsRegion,
    CcpLoginModeSetting,
    ChimeMediaRegion,
    ClientSecret,
    ConnectId,
    ConnectInstanceArn,
    ConnectInstanceUrl,
    ConnectQueueArn,
    ConnectRoutingProfileArn,
    ConnectSecurityProfileArn,
    DynamoTableName,
    HttpsLink,
    HttpsUrl,
    IamRoleArn,
    LogFormatSetting,
    LogLevelSetting,
    OidcScopes,
    ProxyNetworks,
    RecordingConsentSetting,
    RedisUrl,
    S3BucketName,
    SsmPath,
    StorageSecret,
    Text,
)
from vce_resources import contact_flows_dir

# the checkout (tests and tools read docs/ and examples/ there); the runtime finds its files with vce_resources
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORAGE_SECRET = 'vce-demo-secret-change-me'
REFERENCE_SECRET_LABEL = b'vce/ad-hoc-reference-secret/v1'  # fixed: changing it invalidates live references


class BootstrapSettings(BaseSettings):
    """The few settings needed before the rest can be read: the mode, and where aws mode's SSM parameters live."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file='.env', env_ignore_empty=True, extra='ignore')

    mode: Literal['local', 'aws'] = 'local'
    aws_region: AwsRegion = 'us-east-1'
    ssm_path: SsmPath = '/VideoCallEscalation/'


class Settings(BaseSettings):
    """Everything an operator can set; defaults give a working local demo."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file='.env', env_ignore_empty=True, extra='ignore')

    mode: Literal['local', 'aws'] = 'local'
    demo: bool = False
    host: str = '127.0.0.1'
    port: int = Field(default=8080, ge=1, le=65535)
    # local mode's data folder (backend/settings/data_folder.py): the platform's per-user data folder by default;
    # a relative value is taken from the folder the command starts in
    data_dir: Path = Field(default_factory=default_data_dir)
    storage_secret: StorageSecret = SecretStr(DEFAULT_STORAGE_SECRET)

    # the server's log (vce serve, vce demo): one line per contact/agent event, with ids only; json: one object per
    # line with time, level, logger, message, event and the line's key=value fields (vce/log_format.py)
    log_level: LogLevelSetting = 'info'
    log_format: LogFormatSetting = 'text'

    # browser sockets (docs/security/sockets.md): the largest socket message a browser may send (a WebRTC offer or a
    # Connect contact's attributes fit many times over), and how long a customer page waits for its socket before it
    # ends quietly (a crawler or a probe never opens one)
    socket_max_message_bytes: int = Field(default=131_072, ge=32_768, le=1_000_000)
    page_connect_timeout_seconds: float = Field(default=30.0, ge=0.1, le=300.0)

    flows_dir: Path = Field(default_factory=contact_flows_dir)  # the shipped flows, wherever the package is
    inbound_chat_flow: str = 'VideoCallEscalationChat'
    inbound_voice_flow: str = 'VideoCallEscalationVoice'
    standard_queue: str = 'BasicQueue'
    queue_max_contacts: int = Field(default=500, ge=1)
    chat_concurrency: int = Field(default=2, ge=1, le=10)
    offer_timeout_seconds: float = Field(default=20.0, gt=0)
    # CheckHoursOfOperation's hours (backend/domain/hours_of_operation.py); None -> hours_of_operation.toml beside
    # the flows when it exists, else every queue is open 24/7 (Connect's default "Basic Hours")
    hours_of_operation_file: Path | None = None

    # ad-hoc references (docs/decisions.md, "References"); empty secret -> derived from storage_secret
    reference_secret: SecretStr = SecretStr('')
    reference_ttl_minutes: int = Field(default=15, ge=1, le=120)
    reference_max_wrong_emails: int = Field(default=5, ge=1, le=20)
    reference_redeem_limit: int = Field(default=10, ge=1, le=1000)
    reference_redeem_window_seconds: int = Field(default=900, ge=10, le=86_400)

    # customers starting chats and calls, per client network (an IPv4 address or an IPv6 /64), and their pages going
    # away (docs/security/flood.md): a household or an office behind one address gets room for several at once
    chat_start_limit: int = Field(default=10, ge=1, le=100_000)  # chats started per window (refused ones count too)
    chat_start_window_seconds: int = Field(default=600, ge=10, le=86_400)
    chat_open_limit: int = Field(default=10, ge=1, le=100_000)  # chats open at once: no network fills the queue
    call_start_limit: int = Field(default=10, ge=1, le=100_000)  # calls from /call per window (local mode)
    call_start_window_seconds: int = Field(default=600, ge=10, le=86_400)
    call_open_limit: int = Field(default=10, ge=1, le=100_000)
    # a chat or call whose every page has been disconnected this long ends (a reload or blip comes back sooner)
    customer_disconnect_grace_seconds: float = Field(default=120.0, gt=0, le=3600)

    # agent password login (docs/security/login.md): per account and client network a few failures lock that pair
    # for the window; per network over all accounts more; per account from all networks only a capped slow-down
    login_failure_window_seconds: int = Field(default=900, ge=10, le=86_400)
    login_failures_per_account_and_network: int = Field(default=5, ge=1, le=1000)
    login_failures_per_network: int = Field(default=50, ge=1, le=100_000)
    login_slowdown_after_failures: int = Field(default=10, ge=0, le=100_000)  # failures on the account, all networks
    login_slowdown_max_seconds: float = Field(default=4.0, ge=0, le=30)
    login_counter_max_keys: int = Field(default=10_000, ge=100, le=10_000_000)  # in-memory counters' bound
    agent_session_idle_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)  # no open desktop that long: log in

    # behind a load balancer (docs/security/proxies.md): the proxies whose X-Forwarded-For / -Proto are believed,
    # as IPs or CIDRs (e.g. the ALB's subnets); empty: nobody's, every client is the socket's peer
    trusted_proxies: ProxyNetworks = ''
    # the session cookie's Secure flag (and HSTS); empty: on when VCE_WEBSITE_URL / VCE_OIDC_REDIRECT_BASE_URL is https
    secure_cookies: bool | None = None

    # aws mode with several server processes (docs/architecture.md, "The event bus"): the Redis that carries the events
    # other processes need (rediss:// for ElastiCache). Empty: events stay in this process (one process, or local mode).
    # NiceGUI's own user storage reads NICEGUI_REDIS_URL itself, at import.
    redis_url: RedisUrl = SecretStr('')

    meeting_backend: Literal['local', 'chime'] = 'local'
    ice_servers: list[dict[str, object]] = Field(default_factory=list)  # JSON, e.g. [{"urls": "stun:stun.example.com"}]
    aws_region: AwsRegion = 'us-east-1'
    connect_chat_flow_id: ConnectId = ''  # aws mode: the flow every customer chat starts in (the server picks it)
    connect_chat_duration_minutes: int | None = Field(default=None, ge=60, le=10080)  # Connect's default: 25 h
    chime_media_region: ChimeMediaRegion = 'us-east-1'  # or nearest: the region nearest this server

    # Amazon Connect agent desktop (aws mode): the CCP embedded with Amazon Connect Streams.
    connect_instance_url: ConnectInstanceUrl = ''  # https://<alias>.my.connect.aws or https://<alias>.awsapps.com/connect
    connect_instance_id: ConnectId = ''  # the UUID at the end of the instance ARN
    connect_region: AwsRegion = ''  # the instance's region; empty: aws_region
    connect_login_mode: CcpLoginModeSetting = 'popup'  # popup: Connect-managed users; federated: SAML
    connect_federation_role_arn: IamRoleArn = ''  # federated: assumed with the agent's Connect username as session name

    login_mode: AgentLoginModeSetting = 'local'  # agent login: local accounts, or an OpenID Connect provider
    oidc_discovery_url: HttpsUrl = ''  # Cognito: https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/...
    oidc_client_id: Text = ''
    oidc_client_secret: ClientSecret = SecretStr('')  # empty for a public client (PKCE only)
    oidc_scopes: OidcScopes = 'openid email profile'
    oidc_redirect_base_url: HttpsUrl = ''  # the agent desktop's public origin; the IdP allows <it>/agent/oidc/callback
    oidc_agent_emails: dict[str, str] = Field(default_factory=dict)  # JSON: {"ann@example.com": "ann"}
    oidc_logout_url: HttpsLink = ''  # only for providers without end_session_endpoint; Cognito: https://<domain>/logout

    # aws mode: `vce configure` stores settings in SSM Parameter Store under ssm_path; VCE_* env vars win over
    # SSM. backend/settings/parameters.py maps each SSM parameter to one of these fields (and takes its check).
    ssm_path: SsmPath = '/VideoCallEscalation/'
    connect_instance_arn: ConnectInstanceArn = ''
    connect_queue_flow_id: ConnectId = ''
    connect_voice_queue_flow_id: ConnectId = ''  # the voice path's customer queue flow (contact_flows/README.md)
    connect_queue_arn: ConnectQueueArn = ''
    # `vce agents add` in aws mode: the routing and security profile of a new agent's Connect user (`vce deploy`
    # stores the ones it makes)
    connect_agent_routing_profile_arn: ConnectRoutingProfileArn = ''
    connect_agent_security_profile_arn: ConnectSecurityProfileArn = ''
    dynamodb_table: DynamoTableName = 'VideoCallEscalation'

    # video call recording (docs/recording.md): what the customer must do first (off: nothing, notify: see a notice,
    # require: accept); recordings older than the retention are deleted (local sweep; S3 lifecycle in the
    # deployment); playback and download links live this long. Chime meetings record into this S3 bucket (KMS);
    # without one they cannot be recorded. Local meetings record into the data folder.
    recording_consent_policy: RecordingConsentSetting = 'require'
    recording_retention_days: int = Field(default=90, ge=1, le=3650)
    recording_link_seconds: int = Field(default=300, ge=30, le=3600)
    recording_bucket: S3BucketName = ''
    # OIDC login (aws mode: Cognito): the ID token claim with the user's groups, and the group that makes a supervisor
    oidc_groups_claim: Text = 'cognito:groups'
    oidc_supervisor_group: Text = 'supervisors'

    company_name: str = 'Example Bank'
    company_tagline: str = 'Banking that talks back.'
    brand_primary_color: str = '#1f5fa8'
    brand_accent_color: str = '#f59e0b'
    brand_logo_url: str = ''
    launcher_text: str = 'Video call now'
    welcome_text: str = 'Talk to us by chat, then switch to video whenever you are ready.'
    # public URL of the customer website, for ad-hoc links; empty -> the origin the agent desktop was served from
    website_url: HttpsUrl = ''

    @field_validator('data_dir')
    @classmethod
    def _absolute_data_dir(cls, value: Path) -> Path:
        return absolute_data_dir(value)

    @property
    def data_dir_from_setting(self) -> bool:
        """Whether VCE_DATA_DIR (or an argument) chose the data folder, rather than the platform default."""
        return 'data_dir' in self.model_fields_set

    @property
    def database_path(self) -> Path:
        return self.data_dir / 'vce.sqlite3'

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / 'recordings'

    @property
    def hours_of_operation_path(self) -> Path | None:
        """The hours-of-operation file in force, or None for "always open"."""
        if self.hours_of_operation_file is not None:
            return self.hours_of_operation_file
        default = self.flows_dir / 'hours_of_operation.toml'
        return default if default.is_file() else None

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
    def trusted_proxy_list(self) -> list[str]:
        return [entry for entry in self.trusted_proxies.split(',') if entry]

    @property
    def https_only(self) -> bool:
        """Whether browsers reach this server over https only: the session cookie is Secure and HSTS is sent."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return any(url.startswith('https://') for url in (self.website_url, self.agent_public_url))

    @property
    def connect_instance(self) -> ConnectInstanceUrls | None:
        return connect_instance_urls(self.connect_instance_url) if self.connect_instance_url else None

    @property
    def ccp_region(self) -> str:
        return self.connect_region or self.aws_region

    @model_validator(mode='after')
    def _check_connect_ccp(self) -> Settings:
        if not self.connect_instance_id and self.connect_instance_arn:  # `vce configure` stores the ARN only
            self.connect_instance_id = parse_instance_arn(self.connect_instance_arn).instance_id
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
        if 0 < len(self.reference_secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f'VCE_REFERENCE_SECRET must be at least {MIN_SECRET_LENGTH} characters long '
                             '(or leave it empty to derive one from VCE_STORAGE_SECRET).')
        return self

    @model_validator(mode='after')
    def _check_oidc_login(self) -> Settings:
        """OIDC login needs a provider, a client and our public URL (their types already refuse plain http except
        on this machine, and scopes without openid)."""
        if self.login_mode != 'oidc':
            return self
        missing = [f'VCE_{name.upper()}' for name in ('oidc_discovery_url', 'oidc_client_id')
                   if not getattr(self, name)]
        if not self.agent_public_url:
            missing.append('VCE_OIDC_REDIRECT_BASE_URL (or VCE_WEBSITE_URL)')
        if missing:
            raise ValueError(f'VCE_LOGIN_MODE=oidc needs {", ".join(missing)}.')
        return self

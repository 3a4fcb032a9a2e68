"""The deployment's config file (TOML): what only the operator can say, each value checked with a clear message.

Everything else the stack derives (URLs, ARNs, the SSM parameters, the IAM policy). The checks on ARNs, regions and
URLs are the product's own (``backend/settings/checks.py``), so a value is refused with the same words here as in
``vce configure``. Example: ``deploy/vce-deploy.example.toml``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from backend.domain.connect_arns import parse_instance_arn, parse_queue_arn
from backend.domain.errors import InvalidInput
from backend.settings import checks

NEW_INSTANCE = 'new'
STACK_NAME_RE = re.compile(r'[A-Za-z][A-Za-z0-9-]{0,63}')
DOMAIN_RE = re.compile(r'(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}')
EMAIL_RE = re.compile(r'[^@\s]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}')
CERTIFICATE_ARN_RE = re.compile(r'arn:aws(?:-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}')
HOSTED_ZONE_ID_RE = re.compile(r'Z[A-Z0-9]{1,31}')
NODE_TYPE_RE = re.compile(r'cache\.[a-z0-9]+\.[a-z0-9]+')
ALIAS_RE = re.compile(r'[a-z0-9](?:[a-z0-9-]{0,60}[a-z0-9])?')
SAML_NAME_RE = re.compile(r'[\w-]{3,32}')
IMAGE_RE = re.compile(r'[a-z0-9][\w.\-/:@]{0,254}')

OPTIONAL_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {  # field -> its shape, and what to say when it is not
    'hosted_zone_id': (HOSTED_ZONE_ID_RE, '{value!r} is not a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'),
    'certificate_arn': (CERTIFICATE_ARN_RE,
                        '{value!r} is not an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)'),
    'connect_instance_alias': (ALIAS_RE, '{value!r}: lower-case letters, digits and -, up to 62 characters'),
    'image': (IMAGE_RE, '{value!r} is not a container image reference'),
}
OPTIONAL_CHECKS: dict[str, checks.Check] = {  # field -> the server's settings check for the same value
    'connect_instance_url': checks.connect_instance_url,
    'connect_queue_arn': checks.queue_arn,
    'connect_federation_role_arn': checks.role_arn,
    'chime_media_region': checks.media_region,
}
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)


class DeployConfigError(Exception):
    """The config file cannot be used; ``problems`` has one line per thing to fix."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        super().__init__(f'{path}: ' + '; '.join(problems))
        self.path, self.problems = path, problems


class Agent(BaseModel):
    """An agent for whom the stack makes a Connect user and a Cognito user (the email links the two at login)."""

    model_config = ConfigDict(extra='forbid', frozen=True)

    email: str
    name: str = Field(min_length=1, max_length=100)

    @field_validator('email')
    @classmethod
    def _email(cls, value: str) -> str:
        cleaned = value.strip().lower()
        if not EMAIL_RE.fullmatch(cleaned):
            raise ValueError(f'{value!r} is not an email address')
        return cleaned

    @property
    def username(self) -> str:
        """The Connect username: the email with + as _ (the convention the OIDC agent directory looks up first)."""
        return self.email.replace('+', '_')

    @property
    def first_and_last_name(self) -> tuple[str, str]:
        first, _, last = self.name.strip().rpartition(' ')
        return (first, last) if first else (last, '')


class Saml(BaseModel):
    """An optional SAML identity provider on the agents' user pool (Cognito federates it; the app sees OIDC)."""

    model_config = ConfigDict(extra='forbid', frozen=True)

    name: str
    metadata_url: str
    email_attribute: str = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'
    email_verified_attribute: str = 'email_verified'  # the IdP must send "true" for the agents it vouches for

    @field_validator('name')
    @classmethod
    def _name(cls, value: str) -> str:
        if not SAML_NAME_RE.fullmatch(value):
            raise ValueError(f'{value!r}: 3 to 32 letters, digits, _ or -')
        return value

    @field_validator('metadata_url')
    @classmethod
    def _url(cls, value: str) -> str:
        return _checked(checks.https_url, value)


class DeployConfig(BaseModel):
    """One deployment: where it runs, its public name, its Connect instance, its agents and its sizes."""

    model_config = ConfigDict(extra='forbid', frozen=True)

    stack_name: str = 'VideoCallEscalation'
    region: str
    site_domain: str  # customers open https://<site_domain>/, agents https://<site_domain>/agent
    certificate_arn: str = ''  # an ACM certificate for site_domain in this region; or the hosted zone below
    hosted_zone_name: str = ''  # a Route 53 zone that holds site_domain: certificate + alias record are created
    hosted_zone_id: str = ''
    connect_instance: str = NEW_INSTANCE  # "new", or the ARN of an existing instance
    connect_instance_alias: str = ''  # new instance: its alias (https://<alias>.my.connect.aws)
    connect_instance_url: str = ''  # existing instance: its access URL
    connect_queue_arn: str = ''  # existing instance: the queue for chats without a reference (empty: one is made)
    ccp_login_mode: Literal['popup', 'federated'] = 'popup'  # federated: an existing SAML instance and a role
    connect_federation_role_arn: str = ''  # federated: the role the server assumes to call GetFederationToken
    agents: tuple[Agent, ...] = ()
    saml: Saml | None = None
    desired_count: int = Field(default=2, ge=2, le=50)
    max_count: int = Field(default=6, ge=2, le=100)
    task_cpu: Literal[512, 1024, 2048, 4096] = 1024
    task_memory_mib: int = Field(default=2048, ge=1024, le=30720)
    redis_node_type: str = 'cache.t4g.micro'
    redis_replicas: int = Field(default=1, ge=0, le=5)
    nat_gateways: int = Field(default=1, ge=1, le=3)
    image: str = ''  # a registry image (e.g. an ECR URI); empty: built from the repository's Dockerfile
    chime_media_region: str = ''  # empty: the stack's region
    log_retention_days: int = 30
    retain_data: bool = True  # the table and the secrets outlive the stack (vce destroy --retain-data/--delete-data)
    cognito_domain_prefix: str = ''  # empty: <stack name>-<account id>, lower case
    # video call recording (docs/recording.md): a KMS-encrypted bucket the Chime media pipelines write into, kept
    # recording_retention_days (S3 lifecycle; the server deletes the metadata), and the customer's consent policy
    recording: bool = True
    recording_retention_days: int = Field(default=90, ge=1, le=3650)
    recording_consent_policy: Literal['off', 'notify', 'require'] = 'require'

    @field_validator('stack_name')
    @classmethod
    def _stack_name(cls, value: str) -> str:
        if not STACK_NAME_RE.fullmatch(value):
            raise ValueError(f'{value!r}: a letter, then up to 63 letters, digits or -')
        return value

    @field_validator('region')
    @classmethod
    def _region(cls, value: str) -> str:
        return _checked(checks.region, value)

    @field_validator('site_domain')
    @classmethod
    def _domain(cls, value: str) -> str:
        cleaned = value.strip().lower().rstrip('.')
        if not DOMAIN_RE.fullmatch(cleaned):
            raise ValueError(f'{value!r} is not a DNS name such as video.example.com (no scheme, no path)')
        return cleaned

    @field_validator('hosted_zone_name')
    @classmethod
    def _zone(cls, value: str) -> str:
        cleaned = value.strip().lower().rstrip('.')
        if cleaned and not DOMAIN_RE.fullmatch(cleaned):
            raise ValueError(f'{value!r} is not a DNS zone name such as example.com')
        return cleaned

    @field_validator('connect_instance')
    @classmethod
    def _instance(cls, value: str) -> str:
        return value if value == NEW_INSTANCE else _checked(checks.instance_arn, value)

    @field_validator(*OPTIONAL_PATTERNS)
    @classmethod
    def _optional_pattern(cls, value: str, info: ValidationInfo) -> str:
        """Empty (not used), or in the shape AWS expects: said with an example."""
        pattern, problem = OPTIONAL_PATTERNS[str(info.field_name)]
        if value and not pattern.fullmatch(value):
            raise ValueError(problem.format(value=value))
        return value

    @field_validator(*OPTIONAL_CHECKS)
    @classmethod
    def _optional_check(cls, value: str, info: ValidationInfo) -> str:
        """Empty (not used), or checked as the server's own settings check it."""
        return _checked(OPTIONAL_CHECKS[str(info.field_name)], value) if value else value

    @field_validator('redis_node_type')
    @classmethod
    def _node_type(cls, value: str) -> str:
        if not NODE_TYPE_RE.fullmatch(value):
            raise ValueError(f'{value!r} is not an ElastiCache node type such as cache.t4g.micro')
        return value

    @field_validator('log_retention_days')
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f'{value} is not a CloudWatch Logs retention; one of {LOG_RETENTION_DAYS}')
        return value

    @field_validator('cognito_domain_prefix')
    @classmethod
    def _domain_prefix(cls, value: str) -> str:
        if value and (not ALIAS_RE.fullmatch(value) or any(word in value for word in ('aws', 'amazon', 'cognito'))):
            raise ValueError(f'{value!r}: lower-case letters, digits and -, without aws, amazon or cognito')
        return value

    @model_validator(mode='after')
    def _together(self) -> DeployConfig:
        problems = []
        if not self.certificate_arn and not (self.hosted_zone_name and self.hosted_zone_id):
            problems.append('give certificate_arn (an ACM certificate for site_domain), or hosted_zone_name and '
                            'hosted_zone_id (a Route 53 zone: the stack creates and validates the certificate)')
        if bool(self.hosted_zone_name) != bool(self.hosted_zone_id):
            problems.append('hosted_zone_name and hosted_zone_id go together')
        if self.hosted_zone_name and not (self.site_domain == self.hosted_zone_name
                                          or self.site_domain.endswith('.' + self.hosted_zone_name)):
            problems.append(f'site_domain {self.site_domain} is not in the zone {self.hosted_zone_name}')
        if self.certificate_arn and self.certificate_arn.split(':')[3] != self.region:
            problems.append('certificate_arn must be in the stack\'s region (the load balancer uses it)')
        if self.new_instance:
            if not self.connect_instance_alias:
                problems.append('connect_instance = "new" needs connect_instance_alias (the instance\'s name in its '
                                'URL https://<alias>.my.connect.aws)')
            if self.connect_instance_url or self.connect_queue_arn:
                problems.append('connect_instance_url and connect_queue_arn are for an existing instance only')
        else:
            instance = parse_instance_arn(self.connect_instance)
            if instance.region != self.region:
                problems.append(f'the Connect instance is in {instance.region}; deploy to that region')
            if not self.connect_instance_url:
                problems.append('an existing instance needs connect_instance_url (Connect console → the instance → '
                                'Access URL)')
            if self.connect_queue_arn and parse_queue_arn(self.connect_queue_arn).instance.arn != instance.arn:
                problems.append('connect_queue_arn belongs to another instance than connect_instance')
        if self.ccp_login_mode == 'federated' and (self.new_instance or not self.connect_federation_role_arn):
            problems.append('ccp_login_mode = "federated" needs an existing SAML instance and '
                            'connect_federation_role_arn (a new instance manages its own users: use "popup")')
        if self.connect_federation_role_arn and self.ccp_login_mode != 'federated':
            problems.append('connect_federation_role_arn is used only with ccp_login_mode = "federated"')
        if self.max_count < self.desired_count:
            problems.append(f'max_count ({self.max_count}) must be at least desired_count ({self.desired_count})')
        if len({agent.email for agent in self.agents}) != len(self.agents):
            problems.append('each agent email may appear once')
        if problems:
            raise ValueError('; '.join(problems))
        return self

    @property
    def new_instance(self) -> bool:
        return self.connect_instance == NEW_INSTANCE

    @property
    def site_url(self) -> str:
        return f'https://{self.site_domain}'

    @property
    def ssm_path(self) -> str:
        """The stack's own SSM hierarchy, so two stacks in one account never share settings."""
        return f'/VideoCallEscalation/{self.stack_name}/'

    @property
    def media_region(self) -> str:
        return self.chime_media_region or self.region


def load_config(path: Path) -> DeployConfig:
    """Read and check the config file; DeployConfigError lists every problem at once."""
    try:
        raw = tomllib.loads(path.read_text(encoding='utf-8'))
    except OSError as error:
        raise DeployConfigError(path, [f'cannot read it: {error.strerror or error}']) from None
    except tomllib.TOMLDecodeError as error:
        raise DeployConfigError(path, [f'not valid TOML: {error}']) from None
    return parse_config(raw, path)


def parse_config(raw: object, source: Path | str = 'config') -> DeployConfig:
    try:
        return DeployConfig.model_validate(raw)
    except ValidationError as error:
        raise DeployConfigError(source, [_problem(e) for e in error.errors()]) from None


def _problem(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    where = '.'.join(str(part) for part in details.get('loc', ()))
    message = str(details.get('msg', error)).removeprefix('Value error, ')
    if details.get('type') == 'extra_forbidden':
        message = 'not a known setting (see deploy/vce-deploy.example.toml)'
    return f'{where}: {message}' if where else message


def _checked(check: checks.Check, value: str) -> str:
    try:
        return check(value)
    except InvalidInput as error:
        raise ValueError(str(error)) from None

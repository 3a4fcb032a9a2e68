"""The aws-mode parameter tree: what `vce configure` asks for and stores in SSM, and what aws mode reads at start-up.

The tree is data: a child parameter names its parent and the parent value that switches it on, so prompting,
requiring, help text and the start-up check all follow from this table rather than from code paths. How a value is
checked is not in the table: each parameter takes the check of the Settings field it fills, so SSM, ``vce configure``
and ``VCE_*`` variables refuse a bad value with the same words.
Names keep the original sample's SSM names where it had the same parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args, get_origin

from backend.domain.connect_arns import parse_instance_arn, parse_queue_arn
from backend.domain.errors import DomainError, InvalidInput
from backend.settings.app_settings import Settings
from backend.settings.checks import Check
from backend.settings.value_types import ENV_PREFIX, field_check


@dataclass(frozen=True)
class Parameter:
    """One configuration value: its SSM name, the setting it fills (and is checked like), help and place in the tree."""

    name: str
    setting: str
    help: str
    required: bool = False
    default: str = ''
    secret: bool = False
    parent: str | None = None
    when: str | None = None

    @property
    def check(self) -> Check:
        """The check of the Settings field this parameter fills."""
        return field_check(Settings, self.setting)

    @property
    def choices(self) -> tuple[str, ...]:
        """The values a choice may take (its Settings field is a Literal), in the field's order; () otherwise."""
        annotation = Settings.model_fields[self.setting].annotation
        return get_args(annotation) if get_origin(annotation) is Literal else ()

    @property
    def option(self) -> str:
        """The CLI option without dashes, from the camelCase name: ``connectInstanceURL`` → ``connect-instance-url``."""
        return re.sub(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])', '-', self.name).lower()

    @property
    def env_var(self) -> str:
        return f'{ENV_PREFIX}{self.setting.upper()}'

    def describe(self) -> str:
        """``required`` / ``optional, default X`` plus the parent condition, for help and messages."""
        need = 'required' if self.required else 'optional'
        if self.default and not self.secret:
            need += f', default {self.default}'
        if self.parent:
            need += f'; only when --{BY_NAME[self.parent].option} is {self.when}'
        return need


PARAMETERS: tuple[Parameter, ...] = (
    Parameter('connectInstanceURL', 'connect_instance_url', 'Amazon Connect instance URL, e.g. '
              'https://my-alias.my.connect.aws (or the legacy https://my-alias.awsapps.com/connect)', required=True),
    Parameter('connectInstanceARN', 'connect_instance_arn', 'Amazon Connect instance ARN', required=True),
    Parameter('connectDefaultContactFlowId', 'connect_chat_flow_id', 'Id of the VideoCallEscalationChat flow '
              '(the inbound flow StartChatContact runs; `vce flows export --create-or-update` prints it)',
              required=True),
    Parameter('connectQueueFlowId', 'connect_queue_flow_id', 'Id of the VideoCallEscalationQueue customer queue '
              'flow (used by `vce flows export` and `vce doctor`)'),
    Parameter('connectVoiceQueueFlowId', 'connect_voice_queue_flow_id', 'Id of the VideoCallEscalationVoiceQueue '
              'customer queue flow that calls wait in (used by `vce flows export`)'),
    Parameter('connectBasicQueueARN', 'connect_queue_arn', 'ARN of the queue for chats without an ad-hoc reference '
              '(e.g. BasicQueue)', required=True),
    Parameter('chimeMediaRegion', 'chime_media_region', 'Amazon Chime SDK media region for meetings, e.g. '
              'eu-west-2 (near your agents and customers)', default='us-east-1'),
    Parameter('dynamodbTableName', 'dynamodb_table', 'DynamoDB table of the store (PK/SK, TTL attribute)',
              required=True, default='VideoCallEscalation'),
    Parameter('websiteURL', 'website_url', 'Public base URL of this server (customer website and agent desktop), '
              'e.g. https://video.example.com; an approved origin of the Connect instance', required=True),
    Parameter('storageSecret', 'storage_secret', 'Secret that signs session cookies and reference hashes '
              '(at least 16 characters; stored as a SecureString)', required=True, secret=True),
    Parameter('ccpLoginMode', 'connect_login_mode', 'How agents sign in to the Connect CCP: popup (Connect-managed '
              'users) or federated (GetFederationToken; the instance uses SAML)', required=True, default='popup'),
    Parameter('connectFederationRoleARN', 'connect_federation_role_arn', 'IAM role to assume before '
              'GetFederationToken (leave empty to use the server\'s own role)', parent='ccpLoginMode',
              when='federated'),
    Parameter('agentLoginMode', 'login_mode', 'How agents log in to the agent desktop: oidc (Cognito hosted UI or '
              'any OIDC provider) or local (accounts made with `vce agents add`)', required=True, default='oidc'),
    Parameter('oidcDiscoveryURL', 'oidc_discovery_url', 'OIDC discovery URL, e.g. https://cognito-idp.REGION.'
              'amazonaws.com/POOL_ID/.well-known/openid-configuration', required=True,
              parent='agentLoginMode', when='oidc'),
    Parameter('oidcClientId', 'oidc_client_id', 'OIDC client id (the Cognito app client id)', required=True,
              parent='agentLoginMode', when='oidc'),
    Parameter('oidcClientSecret', 'oidc_client_secret', 'OIDC client secret (empty for a public client; stored '
              'as a SecureString)', secret=True, parent='agentLoginMode', when='oidc'),
    Parameter('oidcScopes', 'oidc_scopes', 'OIDC scopes, space separated', default='openid email profile',
              parent='agentLoginMode', when='oidc'),
    Parameter('connectAgentRoutingProfileARN', 'connect_agent_routing_profile_arn', 'ARN of the routing profile '
              'of agents that `vce agents add` creates (chat and voice)'),
    Parameter('connectAgentSecurityProfileARN', 'connect_agent_security_profile_arn', 'ARN of the security profile '
              'of agents that `vce agents add` creates (e.g. Agent)'),
    Parameter('recordingBucket', 'recording_bucket', 'S3 bucket (KMS-encrypted) the Chime media pipelines record '
              'video calls into (docs/recording.md); empty: calls are not recorded'),
)
BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
BY_OPTION: dict[str, Parameter] = {p.option: p for p in PARAMETERS}
BY_SETTING: dict[str, Parameter] = {p.setting: p for p in PARAMETERS}


class InvalidValues(InvalidInput):
    """One or more values were refused; ``problems`` has one line each. Nothing was stored."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__('\n'.join(problems))
        self.problems = problems


class MissingConfiguration(DomainError):
    """aws mode cannot start: required values are missing (all of them are listed, with how to set each)."""

    def __init__(self, missing: list[Parameter], path: str) -> None:
        lines = [f'  - {p.name}: {p.help} (set {p.env_var} or run `vce configure --{p.option} VALUE`)'
                 for p in missing]
        super().__init__(f'aws mode needs {len(missing)} more setting(s), not found in SSM under {path} nor in '
                         'the environment:\n' + '\n'.join(lines))
        self.missing = missing


def effective(parameter: Parameter, values: Mapping[str, str]) -> str:
    """The value in use: the stored one, else the default."""
    return values.get(parameter.name) or parameter.default


def is_active(parameter: Parameter, values: Mapping[str, str]) -> bool:
    """A parameter counts only when every parent up the tree has the value that switches it on."""
    if parameter.parent is None:
        return True
    parent = BY_NAME[parameter.parent]
    return is_active(parent, values) and effective(parent, values) == parameter.when


def missing_required(values: Mapping[str, str]) -> list[Parameter]:
    return [p for p in PARAMETERS if p.required and is_active(p, values) and not effective(p, values)]


def clean(updates: Mapping[str, str]) -> dict[str, str]:
    """Check every value (keyed by parameter name); an empty value means "clear it" and stays empty.

    Raises InvalidValues listing every bad value, so one run tells the operator everything to fix.
    """
    cleaned: dict[str, str] = {}
    problems: list[str] = []
    for name, raw in updates.items():
        parameter = BY_NAME.get(name)
        if parameter is None:
            problems.append(f'{name}: not a known parameter (known: {", ".join(BY_NAME)})')
            continue
        if raw == '':
            cleaned[name] = ''
            continue
        try:
            cleaned[name] = parameter.check(raw)
        except InvalidInput as error:
            shown = '(secret)' if parameter.secret else ''
            problems.append(f'{name} (--{parameter.option}){" " + shown if shown else ""}: {error}')
    if problems:
        raise InvalidValues(problems)
    return cleaned


def consistency_problems(values: Mapping[str, str], region: str | None = None) -> list[str]:
    """Checks across values: the queue belongs to the instance, and the instance is in the server's region."""
    problems: list[str] = []
    arn = values.get('connectInstanceARN')
    instance = parse_instance_arn(arn) if arn else None
    if instance and region and instance.region != region:
        problems.append(f'connectInstanceARN is in region {instance.region} but this configuration is for region '
                        f'{region}: Connect, SSM and the server must use the same region (set VCE_AWS_REGION '
                        f'or --region {instance.region})')
    queue = values.get('connectBasicQueueARN')
    if instance and queue and parse_queue_arn(queue).instance.instance_id != instance.instance_id:
        problems.append('connectBasicQueueARN belongs to another Connect instance than connectInstanceARN')
    if values.get('connectQueueFlowId') and values.get('connectQueueFlowId') == values.get(
            'connectDefaultContactFlowId'):
        problems.append('connectQueueFlowId and connectDefaultContactFlowId must be two different flows')
    return problems


def check_all(values: Mapping[str, str], region: str | None = None) -> None:
    """Raise InvalidValues when the stored set would be inconsistent (values themselves already cleaned)."""
    problems = consistency_problems(values, region)
    if problems:
        raise InvalidValues(problems)

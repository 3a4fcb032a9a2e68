"""The types of the Settings fields that have a check: one Annotated type per kind of value, carrying its one check.

A Settings field validates with the check and names its ``VCE_*`` variable in the error; the SSM parameter tree
asks the field for the same check (:func:`field_check`), so there is no second table of checks to drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, GetCoreSchemaHandler, SecretStr, ValidationError, ValidationInfo
from pydantic_core import CoreSchema, core_schema

from backend.domain.errors import InvalidInput
from backend.settings import checks
from backend.settings.checks import Check

ENV_PREFIX = 'VCE_'


@dataclass(frozen=True)
class Checked:
    """Annotated marker: the value's check. An empty value means "not set" unless ``blank_means_unset`` is off."""

    check: Check
    blank_means_unset: bool = True

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.with_info_before_validator_function(self._validate, handler(source))

    def _validate(self, value: Any, info: ValidationInfo) -> Any:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(raw, str) or (raw == '' and self.blank_means_unset):
            return value
        try:
            return self.check(raw)
        except InvalidInput as error:
            variable = f'{ENV_PREFIX}{info.field_name.upper()}: ' if info.field_name else ''
            raise ValueError(f'{variable}{error}') from None


def field_check(model: type[BaseModel], name: str) -> Check:
    """The check a settings field validates with (the SSM parameter tree and the CLI use it on raw values)."""
    for marker in model.model_fields[name].metadata:
        if isinstance(marker, Checked):
            return marker.check
    raise LookupError(f'{model.__name__}.{name} has no check')


def validation_problems(error: ValidationError) -> list[str]:
    """One line per refused value, as the checks worded it (without pydantic's "Value error, ")."""
    return [problem['msg'].removeprefix('Value error, ') for problem in error.errors()]


CcpLoginMode = Literal['popup', 'federated']  # popup: Connect-managed users; federated: SAML
AgentLoginMode = Literal['oidc', 'local']  # agent login: an OpenID Connect provider, or local accounts
LogLevel = Literal['debug', 'info', 'warning', 'error', 'critical']
RecordingConsent = Literal['off', 'notify', 'require']  # docs/recording.md
LogFormat = Literal['text', 'json']  # json: one object per line, for log collectors (vce/log_format.py)

AwsRegion = Annotated[str, Checked(checks.region)]
ChimeMediaRegion = Annotated[str, Checked(checks.media_region)]
ConnectId = Annotated[str, Checked(checks.uuid_id)]  # an instance, flow or queue id: a UUID
ConnectInstanceArn = Annotated[str, Checked(checks.instance_arn)]
ConnectQueueArn = Annotated[str, Checked(checks.queue_arn)]
ConnectRoutingProfileArn = Annotated[str, Checked(checks.routing_profile_arn)]
ConnectSecurityProfileArn = Annotated[str, Checked(checks.security_profile_arn)]
ConnectInstanceUrl = Annotated[str, Checked(checks.connect_instance_url)]
IamRoleArn = Annotated[str, Checked(checks.role_arn)]
HttpsUrl = Annotated[str, Checked(checks.https_url)]
HttpsLink = Annotated[str, Checked(checks.https_link)]
DynamoTableName = Annotated[str, Checked(checks.table_name)]
S3BucketName = Annotated[str, Checked(checks.bucket_name)]
Text = Annotated[str, Checked(checks.text)]
OidcScopes = Annotated[str, Checked(checks.scopes)]
SsmPath = Annotated[str, Checked(checks.normalise_path)]
ProxyNetworks = Annotated[str, Checked(checks.proxy_networks)]  # comma-separated IPs / CIDRs; empty: none
StorageSecret = Annotated[SecretStr, Checked(checks.secret, blank_means_unset=False)]
ClientSecret = Annotated[SecretStr, Checked(checks.client_secret)]
RedisUrl = Annotated[SecretStr, Checked(checks.redis_url)]  # may carry a password
CcpLoginModeSetting = Annotated[CcpLoginMode, Checked(checks.choice(*get_args(CcpLoginMode)))]
AgentLoginModeSetting = Annotated[AgentLoginMode, Checked(checks.choice(*get_args(AgentLoginMode)))]
LogLevelSetting = Annotated[LogLevel, Checked(checks.choice(*get_args(LogLevel)))]
LogFormatSetting = Annotated[LogFormat, Checked(checks.choice(*get_args(LogFormat)))]
RecordingConsentSetting = Annotated[RecordingConsent, Checked(checks.choice(*get_args(RecordingConsent)))]

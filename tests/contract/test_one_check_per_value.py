"""The same bad value is refused with the same message from a VCE_* variable, from `vce configure` and from SSM at
aws start-up (moto), because each of them uses the value's one check (its Settings field's)."""

from __future__ import annotations

import boto3
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from backend.bootstrap import load_settings
from backend.domain.errors import InvalidInput
from backend.settings import Settings
from backend.settings.parameters import BY_NAME, InvalidValues
from backend.settings.value_types import field_check
from tests.contract.aws_config_fixtures import FULL, REGION
from vce.cli import app

PATH = '/VideoCallEscalation/'
GOOD = {**FULL, 'ccpLoginMode': 'federated', 'connectFederationRoleARN': 'arn:aws:iam::123456789012:role/Federation'}
BAD = [
    ('chimeMediaRegion', 'Europe'),
    ('connectFederationRoleARN', 'arn:aws:iam::123456789012:user/bob'),
    ('connectInstanceARN', 'arn:aws:connect:eu-west-2:123:instance/x'),
    ('connectDefaultContactFlowId', 'my-flow'),
]


def message_for(name: str, bad: str) -> str:
    """What the value's one check says, prefixed the way the parameter tree names the value."""
    parameter = BY_NAME[name]
    with pytest.raises(InvalidInput) as refused:
        field_check(Settings, parameter.setting)(bad)
    return str(refused.value)


def store(values: dict[str, str]) -> None:
    ssm = boto3.client('ssm', region_name=REGION)
    for name, value in values.items():
        kind = 'SecureString' if BY_NAME[name].secret else 'String'
        ssm.put_parameter(Name=f'{PATH}{name}', Value=value, Type=kind, Overwrite=True)


@pytest.mark.parametrize(('name', 'bad'), BAD)
def test_the_same_message_from_every_source(moto, monkeypatch, name, bad):
    message = message_for(name, bad)
    parameter = BY_NAME[name]
    where = f'{name} (--{parameter.option}): {message}'

    with monkeypatch.context() as local:  # a VCE_* variable in local mode
        local.setenv(parameter.env_var, bad)
        with pytest.raises(ValidationError) as from_env:
            load_settings(demo=True)
        assert f'{parameter.env_var}: {message}' in str(from_env.value)

    configured = CliRunner().invoke(app, ['configure', f'--{parameter.option}', bad])  # vce configure
    assert configured.exit_code == 1
    assert f'  - {where}' in configured.output

    store({**GOOD, name: bad})  # SSM, read at aws start-up
    with pytest.raises(InvalidValues) as from_ssm:
        load_settings(mode='aws')
    assert from_ssm.value.problems == [f'{where} (stored in SSM under {PATH})']

    store(GOOD)  # a VCE_* variable in aws mode, over good SSM values
    monkeypatch.setenv(parameter.env_var, bad)
    with pytest.raises(InvalidValues) as from_aws_env:
        load_settings(mode='aws')
    assert from_aws_env.value.problems == [f'{where} (set in the environment)']

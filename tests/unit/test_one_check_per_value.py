"""One definition per value: a Settings field's type carries the value's only check, and the SSM parameter tree uses
that same check, so a bad value reads the same whether it came from a VCE_* variable, SSM or `vce configure`."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from backend.domain.errors import InvalidInput
from backend.settings import BootstrapSettings, Settings
from backend.settings import checks as c
from backend.settings.parameters import BY_NAME, PARAMETERS, InvalidValues, Parameter, clean
from backend.settings.value_types import field_check

# (setting, its SSM parameter or None, a bad value); settings sharing a kind of value share its check
BAD_VALUES = [
    ('connect_region', None, 'Europe'),
    ('aws_region', None, 'eu_west_2'),
    ('chime_media_region', 'chimeMediaRegion', 'Europe'),
    ('connect_federation_role_arn', 'connectFederationRoleARN', 'arn:aws:iam::123456789012:user/bob'),
    ('connect_instance_id', None, 'my-instance'),
    ('connect_chat_flow_id', 'connectDefaultContactFlowId', 'my-instance'),
    ('connect_instance_arn', 'connectInstanceARN', 'arn:aws:connect:eu-west-2:123:instance/x'),
    ('connect_queue_arn', 'connectBasicQueueARN', 'arn:nope'),
    ('connect_instance_url', 'connectInstanceURL', 'https://example.com'),
    ('website_url', 'websiteURL', 'http://video.example.com'),
    ('connect_login_mode', 'ccpLoginMode', 'saml'),
]


def test_the_parameter_tree_has_no_checks_of_its_own():
    assert 'check' not in {f.name for f in dataclasses.fields(Parameter)}
    for parameter in PARAMETERS:
        assert parameter.check is field_check(Settings, parameter.setting), parameter.name


def test_one_kind_of_value_has_one_check():
    regions = {field_check(Settings, name) for name in ('aws_region', 'connect_region')}
    assert regions == {field_check(BootstrapSettings, 'aws_region')} == {c.region}
    assert field_check(Settings, 'connect_instance_id') is field_check(Settings, 'connect_chat_flow_id') \
        is field_check(Settings, 'connect_queue_flow_id') is c.uuid_id
    assert field_check(Settings, 'website_url') is field_check(Settings, 'oidc_discovery_url') \
        is field_check(Settings, 'oidc_redirect_base_url') is c.https_url
    assert field_check(BootstrapSettings, 'ssm_path') is field_check(Settings, 'ssm_path') is c.normalise_path
    assert BY_NAME['ccpLoginMode'].choices == ('popup', 'federated')
    assert BY_NAME['agentLoginMode'].choices == ('oidc', 'local')


@pytest.mark.parametrize(('setting', 'parameter', 'bad'), BAD_VALUES)
def test_a_bad_value_reads_the_same_from_the_environment_and_from_the_parameter_tree(monkeypatch, setting,
                                                                                     parameter, bad):
    with pytest.raises(InvalidInput) as checked:
        field_check(Settings, setting)(bad)
    message = str(checked.value)
    variable = f'VCE_{setting.upper()}'
    monkeypatch.setenv(variable, bad)
    with pytest.raises(ValidationError) as from_env:
        Settings(demo=True)
    assert f'{variable}: {message}' in str(from_env.value)
    if parameter:
        with pytest.raises(InvalidValues) as from_tree:
            clean({parameter: bad})
        assert from_tree.value.problems == [f'{parameter} (--{BY_NAME[parameter].option}): {message}']


@pytest.mark.parametrize(('check', 'good', 'expected'), [
    (c.region, 'us-gov-west-1', 'us-gov-west-1'),  # the region grammar both old checks accepted
    (c.region, 'us-isob-east-1', 'us-isob-east-1'),
    (c.region, ' EU-WEST-2 ', 'eu-west-2'),
    (c.media_region, 'nearest', 'nearest'),
    (c.role_arn, 'arn:aws-cn:iam::123456789012:role/vce/ConnectFederation',
     'arn:aws-cn:iam::123456789012:role/vce/ConnectFederation'),
    (c.connect_instance_url, 'https://Example.awsapps.com/connect/ccp-v2/', 'https://example.awsapps.com/connect'),
    (c.https_url, 'http://127.0.0.2:8080/', 'http://127.0.0.2:8080'),  # any loopback address
    (c.https_link, 'https://auth.example.com/logout?client_id=1', 'https://auth.example.com/logout?client_id=1'),
])
def test_the_one_check_accepts_what_the_settings_need(check, good, expected):
    assert check(good) == expected


@pytest.mark.parametrize(('check', 'bad', 'message'), [
    (c.region, 'eu-west', 'is not an AWS region code'),
    (c.region, 'xx-yy-zz-west-1', 'is not an AWS region code'),
    (c.media_region, 'closest', 'or nearest for the region nearest this server'),
    (c.role_arn, 'arn:awsx:iam::123456789012:role/ConnectFederation', 'is not an IAM role ARN'),  # no such partition
    (c.connect_instance_url, 'ftp://example.my.connect.aws', 'is not an https URL'),
    (c.connect_instance_url, 'https://example.com', 'is not an Amazon Connect instance domain'),
    (c.https_url, 'http://127.evil.example', 'http is allowed only for localhost'),
    (c.https_link, 'http://auth.example.com/logout', 'is not an https URL'),
])
def test_the_one_check_refuses_what_either_old_check_refused(check, bad, message):
    with pytest.raises(InvalidInput, match=message):
        check(bad)

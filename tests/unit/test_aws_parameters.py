"""The aws-mode parameter tree and its value checks (pure: no AWS, no boto3)."""

from __future__ import annotations

import pytest

from backend.domain.errors import InvalidInput
from backend.settings import Settings
from backend.settings import checks as v
from backend.settings.checks import normalise_path
from backend.settings.parameters import (
    BY_NAME,
    PARAMETERS,
    InvalidValues,
    MissingConfiguration,
    clean,
    consistency_problems,
    is_active,
    missing_required,
)

INSTANCE = 'arn:aws:connect:eu-west-2:123456789012:instance/0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
QUEUE = f'{INSTANCE}/queue/11111111-2222-3333-4444-555555555555'
OTHER_QUEUE = ('arn:aws:connect:eu-west-2:123456789012:instance/9b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
               '/queue/11111111-2222-3333-4444-555555555555')


def test_every_parameter_fills_a_setting_and_has_a_unique_option():
    assert {p.setting for p in PARAMETERS} <= set(Settings.model_fields)
    assert len({p.option for p in PARAMETERS}) == len(PARAMETERS)
    assert BY_NAME['connectInstanceURL'].option == 'connect-instance-url'
    assert BY_NAME['connectFederationRoleARN'].option == 'connect-federation-role-arn'
    assert BY_NAME['oidcClientSecret'].env_var == 'VCE_OIDC_CLIENT_SECRET'
    assert all(BY_NAME[p.parent] for p in PARAMETERS if p.parent)


def test_children_count_only_when_their_parent_has_the_value_that_switches_them_on():
    oidc_children = {'oidcDiscoveryURL', 'oidcClientId'}
    names = {p.name for p in missing_required({})}
    assert oidc_children <= names  # agentLoginMode defaults to oidc
    assert oidc_children.isdisjoint(p.name for p in missing_required({'agentLoginMode': 'local'}))
    role = BY_NAME['connectFederationRoleARN']
    assert not is_active(role, {})
    assert is_active(role, {'ccpLoginMode': 'federated'})
    assert BY_NAME['oidcScopes'].describe() == 'optional, default openid email profile; only when ' \
        '--agent-login-mode is oidc'


def test_missing_configuration_names_every_missing_value_and_how_to_set_it():
    error = MissingConfiguration(missing_required({'agentLoginMode': 'local'}), '/VideoCallEscalation/')
    text = str(error)
    for name in ('connectInstanceURL', 'connectInstanceARN', 'connectDefaultContactFlowId', 'websiteURL',
                 'storageSecret', 'connectBasicQueueARN'):
        assert name in text
    assert 'VCE_CONNECT_INSTANCE_URL' in text and 'vce configure --connect-instance-url VALUE' in text
    assert 'dynamodbTableName' not in text  # has a default


@pytest.mark.parametrize(('check', 'good', 'expected'), [
    (v.https_url, 'https://alias.my.connect.aws/', 'https://alias.my.connect.aws'),
    (v.https_url, 'https://alias.awsapps.com/connect', 'https://alias.awsapps.com/connect'),
    (v.https_url, 'http://localhost:8080', 'http://localhost:8080'),
    (v.instance_arn, f' {INSTANCE} ', INSTANCE),
    (v.queue_arn, QUEUE, QUEUE),
    (v.role_arn, 'arn:aws:iam::123456789012:role/ccp-login', 'arn:aws:iam::123456789012:role/ccp-login'),
    (v.region, 'EU-WEST-2', 'eu-west-2'),
    (v.region, 'us-gov-west-1', 'us-gov-west-1'),
    (v.uuid_id, '0B7C3F2E-6A1D-4C55-9E7A-2F1D3C4B5A69', '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'),
    (v.table_name, 'VideoCallEscalation', 'VideoCallEscalation'),
    (v.scopes, 'openid,email  profile email', 'openid email profile'),
])
def test_values_are_cleaned(check, good, expected):
    assert check(good) == expected


@pytest.mark.parametrize(('check', 'bad', 'message'), [
    (v.https_url, 'http://example.com', 'http is allowed only for localhost'),
    (v.https_url, 'ftp://example.com', 'is not an https URL'),
    (v.https_url, 'https://example.com/?q=1', 'leave out the query string'),
    (v.https_url, 'https://example.com:99999', 'not a valid URL'),
    (v.instance_arn, 'arn:aws:connect:eu-west-2:123:instance/x', 'is not an Amazon Connect instance ARN'),
    (v.instance_arn, QUEUE, 'is not an Amazon Connect instance ARN'),
    (v.queue_arn, INSTANCE, 'is not an Amazon Connect queue ARN'),
    (v.role_arn, 'arn:aws:iam::123456789012:user/bob', 'is not an IAM role ARN'),
    (v.region, 'europe', 'is not an AWS region code'),
    (v.uuid_id, 'chat-flow', 'ids are UUIDs'),
    (v.table_name, 'ab', 'is not a DynamoDB table name'),
    (v.secret, 'short', 'at least 16 characters'),
    (v.scopes, 'email profile', 'must include the "openid" scope'),
    (v.choice('popup', 'federated'), 'saml', "is not one of: popup, federated"),
])
def test_bad_values_get_a_clear_message(check, bad, message):
    with pytest.raises(InvalidInput) as raised:
        check(bad)
    assert message in str(raised.value)


def test_clean_reports_every_bad_value_and_never_shows_a_secret():
    with pytest.raises(InvalidValues) as raised:
        clean({'connectInstanceURL': 'ftp://x', 'storageSecret': 'tiny-secret', 'nope': 'x',
               'chimeMediaRegion': 'eu-west-2'})
    problems = raised.value.problems
    assert len(problems) == 3
    assert any(p.startswith('connectInstanceURL (--connect-instance-url)') for p in problems)
    assert any(p.startswith('storageSecret (--storage-secret) (secret)') for p in problems)
    assert any(p.startswith('nope: not a known parameter') for p in problems)
    assert 'tiny-secret' not in str(raised.value)
    assert clean({'connectQueueFlowId': ''}) == {'connectQueueFlowId': ''}  # empty = clear


def test_values_must_fit_together():
    assert consistency_problems({'connectInstanceARN': INSTANCE, 'connectBasicQueueARN': QUEUE}, 'eu-west-2') == []
    problems = consistency_problems({'connectInstanceARN': INSTANCE, 'connectBasicQueueARN': OTHER_QUEUE,
                                     'connectQueueFlowId': 'a', 'connectDefaultContactFlowId': 'a'}, 'us-east-1')
    assert len(problems) == 3
    assert 'is in region eu-west-2 but this configuration is for region us-east-1' in problems[0]
    assert 'belongs to another Connect instance' in problems[1]
    assert 'two different flows' in problems[2]


def test_ssm_paths_are_normalised_and_bad_ones_refused():
    assert normalise_path('/VideoCallEscalation') == '/VideoCallEscalation/'
    assert normalise_path('Team/VCE/') == '/Team/VCE/'
    for bad in ('/', '/aws/x', '/has space/', '/a//b/'):
        with pytest.raises(InvalidInput, match='not a usable SSM hierarchy'):
            normalise_path(bad)


def test_the_parameters_doc_lists_every_parameter():
    from backend.settings import PROJECT_ROOT

    doc = (PROJECT_ROOT / 'docs' / 'aws' / 'configure.md').read_text()
    for parameter in PARAMETERS:
        assert f'`{parameter.name}` | `--{parameter.option}` | `{parameter.env_var}`' in doc, parameter.name

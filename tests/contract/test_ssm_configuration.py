"""The configuration in SSM Parameter Store (moto): storing, undoing failed writes, and reading it at start-up."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from backend.adapters.aws.boto_clients import make_client
from backend.adapters.aws.error_messages import AwsCallFailed
from backend.adapters.aws.ssm_parameters import SsmParameters
from backend.bootstrap import load_settings
from backend.settings.parameters import InvalidValues, MissingConfiguration
from tests.contract.aws_config_fixtures import FULL, REGION, SECRET

PATH = '/VideoCallEscalation/'
SECRETS = {'storageSecret', 'oidcClientSecret'}


def ssm() -> Any:
    return boto3.client('ssm', region_name=REGION)


def store() -> SsmParameters:
    return SsmParameters(make_client('ssm', REGION), PATH)


def save_full() -> None:
    store().save(FULL, previous={}, secret=SECRETS)


def test_values_round_trip_and_secrets_are_secure_strings(moto):
    save_full()
    assert store().load() == FULL
    pages = ssm().get_paginator('describe_parameters').paginate()
    described = {p['Name']: p['Type'] for page in pages for p in page['Parameters']}
    assert described[f'{PATH}storageSecret'] == 'SecureString'
    assert described[f'{PATH}oidcClientSecret'] == 'SecureString'
    assert described[f'{PATH}connectInstanceURL'] == 'String'
    assert ssm().get_parameter(Name=f'{PATH}storageSecret')['Parameter']['Value'] != SECRET  # encrypted at rest


def test_an_empty_value_deletes_the_parameter(moto):
    save_full()
    store().save({'connectQueueFlowId': ''}, previous=FULL, secret=SECRETS)
    assert 'connectQueueFlowId' not in store().load()


class FailingPut:
    """The moto client, except that PutParameter of one name is throttled (after botocore's retries)."""

    def __init__(self, client: Any, failing_name: str) -> None:
        self._client, self._failing = client, failing_name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_parameter(self, **params: Any) -> Any:
        if params['Name'].endswith(self._failing):
            raise ClientError({'Error': {'Code': 'ThrottlingException', 'Message': 'Rate exceeded'}}, 'PutParameter')
        return self._client.put_parameter(**params)


def test_a_failed_write_puts_back_what_was_there_before(moto):
    before = {'connectInstanceURL': 'https://old.my.connect.aws', 'storageSecret': SECRET}
    store().save(before, previous={}, secret=SECRETS)
    changes = {'connectInstanceURL': 'https://new.my.connect.aws', 'websiteURL': 'https://video.example.com',
               'storageSecret': 'another-long-secret-value', 'connectBasicQueueARN': FULL['connectBasicQueueARN']}
    failing = SsmParameters(FailingPut(make_client('ssm', REGION), 'connectBasicQueueARN'), PATH)
    with pytest.raises(AwsCallFailed) as raised:
        failing.save(changes, previous=before, secret=SECRETS)
    message = str(raised.value)
    assert 'ssm:PutParameter failed: ThrottlingException: Rate exceeded' in message
    assert 'try again in a minute' in message and 'Nothing was changed' in message
    assert store().load() == before


def test_delete_all_removes_only_the_parameters_directly_under_the_path(moto):
    save_full()
    ssm().put_parameter(Name=f'{PATH}outputParameters/CdkBackendStackName', Value='x', Type='String')
    ssm().put_parameter(Name='/Other/connectInstanceURL', Value='x', Type='String')
    assert store().delete_all() == sorted(FULL)
    remaining = sorted(p['Name'] for page in ssm().get_paginator('describe_parameters').paginate()
                       for p in page['Parameters'])
    assert remaining == ['/Other/connectInstanceURL', f'{PATH}outputParameters/CdkBackendStackName']


@pytest.mark.parametrize(('code', 'expected'), [
    ('AccessDeniedException', 'give the IAM user or role you run as permission for ssm:GetParametersByPath'),
    ('ThrottlingException', 'AWS throttled the call and the retries did not get through'),
])
def test_aws_errors_become_clear_messages(aws_env, code, expected):
    client = make_client('ssm', REGION)
    with Stubber(client) as stub:
        stub.add_client_error('get_parameters_by_path', service_error_code=code, service_message='said AWS',
                              expected_params={'Path': '/VideoCallEscalation', 'Recursive': False,
                                               'WithDecryption': True})
        with pytest.raises(AwsCallFailed) as raised:
            SsmParameters(client, PATH).load()
    assert f'ssm:GetParametersByPath failed: {code}: said AWS' in str(raised.value)
    assert expected in str(raised.value)


def test_clients_use_botocore_standard_retry_mode(aws_env):
    for service in ('ssm', 'connect', 'chime-sdk-meetings', 'dynamodb', 'sts', 'cognito-idp'):
        assert make_client(service, REGION).meta.config.retries['mode'] == 'standard'


def test_aws_mode_reads_its_settings_from_ssm(moto):
    save_full()
    settings = load_settings(mode='aws')
    assert settings.mode == 'aws'
    assert settings.connect_instance_arn == FULL['connectInstanceARN']
    assert settings.connect_chat_flow_id == FULL['connectDefaultContactFlowId']
    assert settings.storage_secret.get_secret_value() == SECRET
    assert settings.oidc_client_secret.get_secret_value() == FULL['oidcClientSecret']
    assert settings.login_mode == 'oidc'  # the tree's default applies in aws mode
    assert settings.dynamodb_table == 'VideoCallEscalation'


def test_environment_variables_win_over_ssm(moto, monkeypatch):
    save_full()
    monkeypatch.setenv('VCE_CONNECT_INSTANCE_URL', 'https://override.my.connect.aws')
    monkeypatch.setenv('VCE_MODE', 'aws')
    settings = load_settings()
    assert settings.connect_instance_url == 'https://override.my.connect.aws'
    assert settings.website_url == FULL['websiteURL']


def test_every_missing_required_value_is_listed_at_start_up(moto):
    store().save({'connectInstanceURL': FULL['connectInstanceURL']}, previous={}, secret=SECRETS)
    with pytest.raises(MissingConfiguration) as raised:
        load_settings(mode='aws')
    names = {p.name for p in raised.value.missing}
    assert names == {'connectInstanceARN', 'connectDefaultContactFlowId', 'connectBasicQueueARN', 'websiteURL',
                     'storageSecret', 'oidcDiscoveryURL', 'oidcClientId'}
    assert 'VCE_STORAGE_SECRET or run `vce configure --storage-secret VALUE`' in str(raised.value)


def test_a_bad_value_in_ssm_or_the_environment_says_where_it_came_from(moto, monkeypatch):
    save_full()
    ssm().put_parameter(Name=f'{PATH}connectInstanceURL', Value='ftp://nope', Type='String', Overwrite=True)
    monkeypatch.setenv('VCE_CONNECT_BASIC_QUEUE_ARN', 'not-an-arn')  # not a setting name: ignored
    monkeypatch.setenv('VCE_CONNECT_QUEUE_ARN', 'not-an-arn')
    with pytest.raises(InvalidValues) as raised:
        load_settings(mode='aws')
    problems = raised.value.problems
    assert any('connectInstanceURL' in p and f'stored in SSM under {PATH}' in p for p in problems)
    assert any('connectBasicQueueARN' in p and 'set in the environment' in p for p in problems)


def test_local_mode_never_calls_aws(aws_env, monkeypatch):
    def no_clients(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError('local mode made an AWS client')

    monkeypatch.setattr(boto3, 'client', no_clients)
    monkeypatch.setenv('VCE_STORAGE_SECRET', SECRET)
    assert load_settings().mode == 'local'
    monkeypatch.setenv('VCE_MODE', 'aws')
    with pytest.raises(AssertionError, match='local mode made an AWS client'):  # the guard itself works
        load_settings()

"""`vce agents add` in aws mode: the Connect user (Stubber, botocore's connect model) and the Cognito user (moto's
cognito-idp) are made together, and the Connect user is deleted again when the Cognito user cannot be made."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from backend import bootstrap
from backend.adapters.aws.agent_accounts import ConnectCognitoAgents, NewAgent
from backend.adapters.aws.error_messages import AwsCallFailed
from tests.contract.aws_config_fixtures import INSTANCE_ARN, INSTANCE_ID, REGION
from vce.cli import app

ROUTING_ID = '66666666-7777-4888-8999-aaaaaaaaaaaa'
SECURITY_ID = '77777777-8888-4999-8aaa-bbbbbbbbbbbb'
USER_ID = '88888888-9999-4aaa-8bbb-cccccccccccc'
ANN = NewAgent(username='ann@example.com', display_name='Ann Marie Smith', email='ann@example.com',
               password='Ccp-Passw0rd-1')


def connect_stub() -> tuple[Any, Stubber]:
    client = boto3.client('connect', region_name=REGION)
    return client, Stubber(client)


def expect_create_user(stub: Stubber, agent: NewAgent = ANN) -> None:
    stub.add_response('create_user', {'UserId': USER_ID, 'UserArn': f'{INSTANCE_ARN}/agent/{USER_ID}'}, {
        'InstanceId': INSTANCE_ID, 'Username': agent.username, 'Password': agent.password,
        'IdentityInfo': {'FirstName': 'Ann Marie', 'LastName': 'Smith', 'Email': agent.email},
        'PhoneConfig': {'PhoneType': 'SOFT_PHONE', 'AutoAccept': False},
        'SecurityProfileIds': [SECURITY_ID], 'RoutingProfileId': ROUTING_ID})


def accounts(connect: Any, pool_id: str) -> ConnectCognitoAgents:
    return ConnectCognitoAgents(connect, boto3.client('cognito-idp', region_name=REGION), instance_id=INSTANCE_ID,
                                routing_profile_id=ROUTING_ID, security_profile_id=SECURITY_ID, user_pool_id=pool_id)


@pytest.fixture
def pool_id(moto) -> str:
    return boto3.client('cognito-idp', region_name=REGION).create_user_pool(PoolName='agents')['UserPool']['Id']


def test_the_connect_user_and_the_cognito_user_are_made_together(pool_id):
    connect, stub = connect_stub()
    expect_create_user(stub)
    with stub:
        created = accounts(connect, pool_id).add(ANN)
    stub.assert_no_pending_responses()
    assert (created.connect_user_id, created.username) == (USER_ID, 'ann@example.com')
    user = boto3.client('cognito-idp', region_name=REGION).admin_get_user(UserPoolId=pool_id,
                                                                          Username='ann@example.com')
    attributes = {a['Name']: a['Value'] for a in user['UserAttributes']}
    assert attributes['email'] == 'ann@example.com' and attributes['email_verified'] == 'true'
    assert attributes['name'] == 'Ann Marie Smith' and user['UserStatus'] == 'FORCE_CHANGE_PASSWORD'


def test_when_the_cognito_user_fails_the_connect_user_is_deleted_again(pool_id):
    connect, stub = connect_stub()
    expect_create_user(stub)
    stub.add_response('delete_user', {}, {'InstanceId': INSTANCE_ID, 'UserId': USER_ID})
    with stub, pytest.raises(AwsCallFailed) as failed:
        accounts(connect, 'eu-west-2_NoSuchPool').add(ANN)
    stub.assert_no_pending_responses()
    assert failed.value.operation == 'cognito-idp:AdminCreateUser'
    assert 'The Connect user ann@example.com was deleted again; nothing was created' in str(failed.value)


def test_when_the_undo_fails_too_the_message_says_what_to_delete(pool_id):
    connect, stub = connect_stub()
    expect_create_user(stub)
    stub.add_client_error('delete_user', 'AccessDeniedException', 'not allowed')
    with stub, pytest.raises(AwsCallFailed, match='delete it in the Connect console'):
        accounts(connect, 'eu-west-2_NoSuchPool').add(ANN)


def test_a_refused_connect_user_makes_no_cognito_user(pool_id):
    connect, stub = connect_stub()
    stub.add_client_error('create_user', 'DuplicateResourceException', 'exists', http_status_code=409)
    with stub, pytest.raises(AwsCallFailed, match='connect:CreateUser'):
        accounts(connect, pool_id).add(ANN)
    users = boto3.client('cognito-idp', region_name=REGION).list_users(UserPoolId=pool_id)['Users']
    assert users == []


def test_vce_agents_add_in_aws_mode(pool_id, monkeypatch):
    connect, stub = connect_stub()
    expect_create_user(stub)
    real = bootstrap.aws_client
    monkeypatch.setattr(bootstrap, 'aws_client', lambda service, region: connect if service == 'connect'
                        else real(service, region))
    instance = INSTANCE_ARN
    for name, value in {'MODE': 'aws', 'CONNECT_INSTANCE_ARN': instance,
                        'CONNECT_AGENT_ROUTING_PROFILE_ARN': f'{instance}/routing-profile/{ROUTING_ID}',
                        'CONNECT_AGENT_SECURITY_PROFILE_ARN': f'{instance}/security-profile/{SECURITY_ID}',
                        'OIDC_DISCOVERY_URL': f'https://cognito-idp.{REGION}.amazonaws.com/{pool_id}/.well-known/'
                                              'openid-configuration',
                        'NEW_AGENT_PASSWORD': ANN.password}.items():
        monkeypatch.setenv(f'VCE_{name}', value)
    with stub:
        result = CliRunner().invoke(app, ['agents', 'add', 'ann@example.com', '--name', 'Ann Marie Smith',
                                          '--email', 'Ann@Example.com'])
    assert result.exit_code == 0, result.output
    assert f'Connect user {USER_ID}, Cognito user ann@example.com' in result.output
    assert ANN.password not in result.output


def test_vce_agents_add_in_aws_mode_needs_the_email_and_the_profiles(moto, monkeypatch):
    monkeypatch.setenv('VCE_MODE', 'aws')
    monkeypatch.setenv('VCE_NEW_AGENT_PASSWORD', ANN.password)
    no_email = CliRunner().invoke(app, ['agents', 'add', 'ann', '--name', 'Ann'])
    assert no_email.exit_code == 2 and '--email' in no_email.output
    no_profiles = CliRunner().invoke(app, ['agents', 'add', 'ann', '--name', 'Ann', '--email', 'ann@example.com'])
    assert no_profiles.exit_code == 1
    assert 'connectAgentRoutingProfileARN' in no_profiles.output and 'vce deploy' in no_profiles.output

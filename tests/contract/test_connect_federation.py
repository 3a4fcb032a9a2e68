"""ConnectFederationClient against the real ``sts`` and ``connect`` service models (botocore Stubber, no network).

The Stubber validates every request we send and every canned response against the service model, so a wrong
parameter name, type or length fails here rather than in AWS.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from backend.adapters.aws.connect_federation import SESSION_SECONDS, ConnectFederationClient
from backend.domain.connect_instance import connect_instance_urls
from backend.domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from backend.services.ccp_login import CcpLoginService

REGION = 'eu-west-2'
INSTANCE_ID = '1a2b3c4d-1a2b-1a2b-1a2b-1a2b3c4d5e6f'
ROLE_ARN = 'arn:aws:iam::123456789012:role/ConnectFederation'
USERNAME = 'ann.agent@example.com'
ACCESS = 'SECRET-ACCESS-TOKEN'  # must never appear in a log line or an error
REFRESH = 'SECRET-REFRESH-TOKEN'
STS_SECRET = 'SECRET-STS-KEY'
ASSUME_PARAMS = {'RoleArn': ROLE_ARN, 'RoleSessionName': USERNAME, 'DurationSeconds': SESSION_SECONDS}
ROLE_CREDENTIALS = {'AccessKeyId': 'ASIAEXAMPLEEXAMPLE01', 'SecretAccessKey': STS_SECRET,
                    'SessionToken': 'SECRET-STS-SESSION-TOKEN', 'Expiration': datetime(2030, 1, 1, tzinfo=UTC)}
ACCESS_EXPIRES = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
REFRESH_EXPIRES = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)


def assume_role_response() -> dict[str, Any]:
    return {'Credentials': ROLE_CREDENTIALS,
            'AssumedRoleUser': {'AssumedRoleId': 'AROAEXAMPLEEXAMPLE:' + USERNAME,
                                'Arn': f'arn:aws:sts::123456789012:assumed-role/ConnectFederation/{USERNAME}'}}


def federation_response() -> dict[str, Any]:
    return {'Credentials': {'AccessToken': ACCESS, 'AccessTokenExpiration': ACCESS_EXPIRES,
                            'RefreshToken': REFRESH, 'RefreshTokenExpiration': REFRESH_EXPIRES},
            'SignInUrl': 'https://example.my.connect.aws/auth/sign-in',
            'UserArn': f'arn:aws:connect:{REGION}:123456789012:instance/{INSTANCE_ID}/agent/u-1',
            'UserId': 'u-1'}


def client_error(stub: Stubber, operation: str, code: str, status: int) -> None:
    stub.add_client_error(operation, service_error_code=code, service_message=f'{code} from AWS',
                          http_status_code=status)


@pytest.fixture
def sts() -> Iterator[Stubber]:
    client = boto3.client('sts', region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x')
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def connect() -> Iterator[Stubber]:
    client = boto3.client('connect', region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x')
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def used_credentials() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def federation(sts: Stubber, connect: Stubber, used_credentials: list[dict[str, Any]]) -> ConnectFederationClient:
    def connect_client(credentials: dict[str, Any]) -> Any:
        used_credentials.append(credentials)
        return connect.client
    return ConnectFederationClient(instance_id=INSTANCE_ID, region=REGION, role_arn=ROLE_ARN,
                                   sts_client=sts.client, connect_client_factory=connect_client)


def test_assumes_the_role_as_the_agent_then_gets_its_token(federation: ConnectFederationClient, sts: Stubber,
                                                           connect: Stubber, used_credentials: list[dict[str, Any]],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level('DEBUG')
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    connect.add_response('get_federation_token', federation_response(), {'InstanceId': INSTANCE_ID})

    token = federation.federation_token(f'  {USERNAME} ')

    assert used_credentials == [ROLE_CREDENTIALS]  # Connect is called as the assumed role session, not the server
    assert (token.access_token, token.refresh_token, token.user_id) == (ACCESS, REFRESH, 'u-1')
    assert token.access_token_expires_at == ACCESS_EXPIRES.timestamp()
    assert token.sign_in_credentials() == {
        'AccessToken': ACCESS, 'AccessTokenExpiration': int(ACCESS_EXPIRES.timestamp() * 1000),
        'RefreshToken': REFRESH, 'RefreshTokenExpiration': int(REFRESH_EXPIRES.timestamp() * 1000)}
    assert ACCESS not in repr(token) and REFRESH not in repr(token)
    assert USERNAME in caplog.text
    for secret in (ACCESS, REFRESH, STS_SECRET):
        assert secret not in caplog.text


def test_the_default_connect_client_uses_the_role_credentials_and_standard_retries() -> None:
    federation = ConnectFederationClient(instance_id=INSTANCE_ID, region=REGION, role_arn=ROLE_ARN,
                                         sts_client=object())
    client = federation._new_connect_client(ROLE_CREDENTIALS)
    credentials = client._request_signer._credentials
    assert (credentials.access_key, credentials.token) == ('ASIAEXAMPLEEXAMPLE01', 'SECRET-STS-SESSION-TOKEN')
    assert client.meta.region_name == REGION
    assert client.meta.config.retries['mode'] == 'standard'


@pytest.mark.parametrize('username', ['', ' ', 'a', 'ann agent', 'ann/agent', 'x' * 65])
def test_usernames_sts_would_refuse_change_nothing(federation: ConnectFederationClient, username: str) -> None:
    with pytest.raises(InvalidInput, match='federated Connect username'):
        federation.federation_token(username)  # the stubs have no responses queued: no call was made


def test_a_role_is_required() -> None:
    with pytest.raises(ValueError, match='needs a role'):
        ConnectFederationClient(instance_id=INSTANCE_ID, region=REGION, role_arn='', sts_client=object())


def test_unknown_connect_user_is_not_found(federation: ConnectFederationClient, sts: Stubber,
                                           connect: Stubber) -> None:
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    client_error(connect, 'get_federation_token', 'UserNotFoundException', 404)
    with pytest.raises(NotFound, match=f"no user '{USERNAME}'") as raised:
        federation.federation_token(USERNAME)
    assert 'UserNotFoundException from AWS' in str(raised.value)


def test_role_the_server_may_not_assume_is_not_allowed(federation: ConnectFederationClient, sts: Stubber) -> None:
    client_error(sts, 'assume_role', 'AccessDenied', 403)
    with pytest.raises(NotAllowed, match=r'may not assume .*ConnectFederation.*trust policy'):
        federation.federation_token(USERNAME)


def test_role_without_connect_permission_is_not_allowed(federation: ConnectFederationClient, sts: Stubber,
                                                        connect: Stubber) -> None:
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    client_error(connect, 'get_federation_token', 'AccessDeniedException', 403)
    with pytest.raises(NotAllowed, match='may not call connect:GetFederationToken'):
        federation.federation_token(USERNAME)


def test_non_saml_instance_says_so(federation: ConnectFederationClient, sts: Stubber, connect: Stubber) -> None:
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    client_error(connect, 'get_federation_token', 'InvalidRequestException', 400)
    with pytest.raises(DomainError, match='only on instances that use SAML'):
        federation.federation_token(USERNAME)


def test_throttling_after_retries_is_a_try_again_error(federation: ConnectFederationClient, sts: Stubber,
                                                       connect: Stubber) -> None:
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    client_error(connect, 'get_federation_token', 'ThrottlingException', 429)
    with pytest.raises(DomainError, match=r'busy or unavailable.*try signing in again'):
        federation.federation_token(USERNAME)


def test_a_response_without_token_is_an_error(federation: ConnectFederationClient, sts: Stubber,
                                              connect: Stubber) -> None:
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    connect.add_response('get_federation_token', {'UserId': 'u-1'}, {'InstanceId': INSTANCE_ID})
    with pytest.raises(DomainError, match='returned no token'):
        federation.federation_token(USERNAME)


async def test_service_runs_the_call_off_the_event_loop_only_in_federated_mode(
        federation: ConnectFederationClient, sts: Stubber, connect: Stubber) -> None:
    instance = connect_instance_urls('https://example.my.connect.aws')
    popup = CcpLoginService(instance, REGION, 'popup')
    assert popup.setup.login_url == 'https://example.my.connect.aws/login'
    with pytest.raises(NotAllowed, match='not enabled'):
        await popup.federation_token(USERNAME)

    service = CcpLoginService(instance, REGION, 'federated', federation)
    assert service.setup.federation_sign_in_url == 'https://example.my.connect.aws/auth/sign-in'
    sts.add_response('assume_role', assume_role_response(), ASSUME_PARAMS)
    connect.add_response('get_federation_token', federation_response(), {'InstanceId': INSTANCE_ID})
    token = await service.federation_token(USERNAME)
    assert token.access_token == ACCESS and token.refresh_token_expires_at > time.time()

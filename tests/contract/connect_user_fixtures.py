"""Canned Amazon Connect users and contacts, shaped as botocore's connect model requires (Stubber validates them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.stub import Stubber

REGION = 'eu-west-2'
INSTANCE_ID = '0b7c3f2e-6a1d-4c55-9e7a-2f1d3c4b5a69'
INSTANCE_ARN = f'arn:aws:connect:{REGION}:123456789012:instance/{INSTANCE_ID}'
ANN_ID = '1a1a1a1a-1111-4111-8111-111111111111'
BOB_ID = '2b2b2b2b-2222-4222-8222-222222222222'
CONTACT_ID = '3c3c3c3c-3333-4333-8333-333333333333'
STARTED = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


def connect_client() -> tuple[Any, Stubber]:
    client = boto3.client('connect', region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x')
    return client, Stubber(client)


def user(user_id: str, username: str, email: str = '', first: str = '', last: str = '') -> dict[str, Any]:
    identity = {k: v for k, v in (('FirstName', first), ('LastName', last), ('Email', email)) if v}
    return {'User': {'Id': user_id, 'Arn': f'{INSTANCE_ARN}/agent/{user_id}', 'Username': username,
                     'IdentityInfo': identity, 'RoutingProfileId': 'rp-1', 'SecurityProfileIds': ['sp-1']}}


def expect_search(stub: Stubber, username: str, found: list[tuple[str, str]]) -> None:
    stub.add_response('search_users', {
        'Users': [{'Id': user_id, 'Username': name} for user_id, name in found], 'ApproximateTotalCount': len(found),
    }, {'InstanceId': INSTANCE_ID, 'MaxResults': 100,
        'SearchCriteria': {'StringCondition': {'FieldName': 'Username', 'Value': username,
                                               'ComparisonType': 'EXACT'}}})


def expect_describe_user(stub: Stubber, described: dict[str, Any]) -> None:
    stub.add_response('describe_user', described, {'InstanceId': INSTANCE_ID, 'UserId': described['User']['Id']})


def contact(agent_id: str | None, *, connected: bool = True, ended: bool = False, channel: str = 'CHAT',
            attributes: dict[str, str] | None = None) -> dict[str, Any]:
    """A DescribeContact answer; ``agent_id`` None: no agent has accepted it yet."""
    described: dict[str, Any] = {'Arn': f'{INSTANCE_ARN}/contact/{CONTACT_ID}', 'Id': CONTACT_ID, 'Channel': channel,
                                 'InitiationMethod': 'API', 'InitiationTimestamp': STARTED}
    if agent_id is not None:
        described['AgentInfo'] = {'Id': agent_id, **({'ConnectedToAgentTimestamp': STARTED} if connected else {})}
    if ended:
        described['DisconnectTimestamp'] = STARTED
    if attributes is not None:
        described['Attributes'] = attributes
    return {'Contact': described}


def expect_describe_contact(stub: Stubber, answer: dict[str, Any], contact_id: str = CONTACT_ID) -> None:
    stub.add_response('describe_contact', answer, {'InstanceId': INSTANCE_ID, 'ContactId': contact_id})

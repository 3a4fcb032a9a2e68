"""The composition root in aws mode: settings from SSM (moto), DynamoDB and STS in moto, Connect, the Participant
Service and Chime SDK meetings as botocore Stubbers (a call nobody expected fails the test, so nothing reaches AWS).

It builds and starts every service, then drives one escalation's agent side through the wired services: the
DescribeContact check, Chime CreateMeetingWithAttendees with the configured media region, the attributes written to
the contact, the store, and DeleteMeeting at "end for all".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from backend.adapters.aws.dynamo_table import ensure_table
from backend.bootstrap import build_services, load_settings
from backend.domain.errors import InvalidInput, NotAllowed
from backend.settings import Settings
from tests.contract.aws_config_fixtures import ACCOUNT, CHAT_FLOW_ID, FULL, INSTANCE_ID, REGION
from tests.contract.connect_user_fixtures import user
from tests.contract.test_chime_meetings import attendee, meeting

ROLE_ARN = f'arn:aws:iam::{ACCOUNT}:role/ConnectFederation'
CONTACT_ID = '3c3c3c3c-3333-4333-8333-333333333333'
ANN_ID = '1a1a1a1a-1111-4111-8111-111111111111'
BOB_ID = '2b2b2b2b-2222-4222-8222-222222222222'
IDS = [uuid.UUID(f'{n}{n}{n}{n}{n}{n}{n}{n}-0000-4000-8000-00000000000{n}') for n in (1, 2, 3)]


class Clients:
    """The ``aws_clients`` factory: moto for DynamoDB/STS, Stubbers for the rest; records what was asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.clients = {'dynamodb': boto3.client('dynamodb', region_name=REGION),
                        'sts': boto3.client('sts', region_name=REGION)}
        self.stubs: dict[str, Stubber] = {}
        for service in ('connect', 'connectparticipant', 'chime-sdk-meetings'):
            self.clients[service] = boto3.client(service, region_name=REGION)  # type: ignore[call-overload]
            self.stubs[service] = Stubber(self.clients[service])
            self.stubs[service].activate()

    def __call__(self, service: str, region: str) -> Any:
        self.asked.append((service, region))
        return self.clients[service]


@pytest.fixture
def aws_settings(moto: None) -> Settings:
    ssm = boto3.client('ssm', region_name=REGION)
    values = {**FULL, 'ccpLoginMode': 'federated', 'connectFederationRoleARN': ROLE_ARN}
    for name, value in values.items():
        kind = 'SecureString' if name in ('storageSecret', 'oidcClientSecret') else 'String'
        ssm.put_parameter(Name=f'/VideoCallEscalation/{name}', Value=value, Type=kind)
    ensure_table(boto3.client('dynamodb', region_name=REGION), 'VideoCallEscalation')
    return load_settings(mode='aws')


@pytest.fixture
def clients(aws_settings: Settings) -> Iterator[Clients]:
    made = Clients()
    yield made
    for stub in made.stubs.values():
        stub.assert_no_pending_responses()
        stub.deactivate()


async def test_aws_mode_builds_starts_and_stops_without_calling_aws(aws_settings: Settings, clients: Clients) -> None:
    services = build_services(aws_settings, aws_clients=clients)
    await services.start()
    await services.stop()

    assert services.agent_desk is None and services.voice is None  # the local engine's parts do not exist
    assert services.meetings.backend == 'chime'
    assert services.single_sign_on is not None  # agentLoginMode defaults to oidc in aws mode
    assert services.ccp_login is not None and services.ccp_login.setup.login_mode == 'federated'
    assert {service for service, _ in clients.asked} == {'dynamodb', 'connect', 'connectparticipant',
                                                         'chime-sdk-meetings', 'sts'}
    assert {region for _, region in clients.asked} == {REGION}


async def test_an_escalation_through_the_wired_services(aws_settings: Settings, clients: Clients,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    connect, chime = clients.stubs['connect'], clients.stubs['chime-sdk-meetings']
    meeting_id, agent_attendee, customer_attendee = (str(i) for i in IDS)
    monkeypatch.setattr('backend.services.media_sessions.uuid', SimpleNamespace(uuid4=iter(IDS).__next__))
    connect.add_response('search_users', {'Users': [{'Id': ANN_ID, 'Username': 'ann'}]})
    connect.add_response('describe_user', user(ANN_ID, 'ann', first='Ann', last='Lee'))
    connect.add_response('describe_contact', {'Contact': {
        'Id': CONTACT_ID, 'Channel': 'CHAT', 'AgentInfo': {'Id': ANN_ID, 'ConnectedToAgentTimestamp': 1.0e9},
        'Attributes': {'customerName': 'Zoë'}}}, {'InstanceId': INSTANCE_ID, 'ContactId': CONTACT_ID})
    created = {'Meeting': meeting(meeting_id), 'Errors': [],
               'Attendees': [attendee(agent_attendee, 'a' * 36), attendee(customer_attendee, 'c' * 36)]}
    chime.add_response('create_meeting_with_attendees', created, {
        'ClientRequestToken': meeting_id, 'ExternalMeetingId': meeting_id, 'MediaRegion': 'eu-west-2',
        'Attendees': [{'ExternalUserId': agent_attendee}, {'ExternalUserId': customer_attendee}]})
    connect.add_response('update_contact_attributes', {}, {
        'InstanceId': INSTANCE_ID, 'InitialContactId': CONTACT_ID,
        'Attributes': {'videoExternalMeetingId': meeting_id, 'videoAttendeeExternalUserId': customer_attendee}})
    chime.add_response('delete_meeting', {}, {'MeetingId': meeting()['MeetingId']})

    services = build_services(aws_settings, aws_clients=clients)
    await services.start()
    join = await services.meetings.start_video('ann', CONTACT_ID)
    assert (join.meeting_id, join.attendee_id, join.name, join.backend) == (meeting_id, agent_attendee, 'Ann Lee',
                                                                           'chime')
    assert services.meetings.names(meeting_id) == {agent_attendee: 'Ann Lee', customer_attendee: 'Zoë'}
    assert services.meetings.agent_join_info('ann', CONTACT_ID) == join
    with pytest.raises(NotAllowed, match='Only the agent who started'):
        await services.meetings.end_for_all('bob', CONTACT_ID)
    await services.meetings.end_for_all('ann', CONTACT_ID)
    assert services.meetings.agent_join_info('ann', CONTACT_ID) is None
    await services.stop()  # also waits for the contact-attributes write


def test_missing_connect_values_are_named(moto: None) -> None:
    settings = Settings(mode='aws', storage_secret='a-long-storage-secret-0123456789',
                        connect_instance_url='https://example-bank.my.connect.aws')
    with pytest.raises(InvalidInput, match=r'aws mode needs VCE_CONNECT_INSTANCE_ID .*VCE_CONNECT_CHAT_FLOW_ID'):
        build_services(settings, aws_clients=Clients())


def test_browser_to_browser_meetings_only_when_asked_for(moto: None) -> None:
    common: dict[str, Any] = {'mode': 'aws', 'storage_secret': 'a-long-storage-secret-0123456789',
                              'connect_instance_url': 'https://example-bank.my.connect.aws',
                              'connect_instance_id': INSTANCE_ID, 'connect_chat_flow_id': CHAT_FLOW_ID}
    assert build_services(Settings(**common), aws_clients=Clients()).meetings.backend == 'chime'
    local = build_services(Settings(**common, meeting_backend='local'), aws_clients=Clients())
    assert local.meetings.backend == 'local'

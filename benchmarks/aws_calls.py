"""Count the AWS API calls aws mode makes per web→video escalation and per ad-hoc redemption, offline.

The services are built by the composition root (``build_services`` in aws mode) with every boto3 client supplied by
this script: DynamoDB in moto, Connect and the Participant Service as the contract tests' stateful fakes (real boto3
clients; the participant websocket is a loopback server), Chime SDK meetings as a model-validated fake. A botocore
``before-call`` hook on each client counts one per API call (botocore retries are not extra calls). Nothing leaves
127.0.0.1.

Each step is labelled "customer waits" when the customer is waiting on its answer (their page is blocked on it),
else "agent / background". Run: ``.venv/bin/python -m benchmarks.aws_calls``
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws

from backend.adapters.aws.connect_chat import ConnectCustomerChannel
from backend.adapters.aws.dynamo_table import ensure_table
from backend.bootstrap import build_services
from backend.domain.model import ContactState
from backend.domain.video_signal import VideoAction, format_video_signal
from backend.settings import Settings
from tests.contract.connect_chat_fixtures import FLOW_ID, INSTANCE_ID, REGION, clients, joined, message
from tests.contract.fake_connect import FakeConnectChat, ModelFake
from tests.contract.fake_participant_server import FakeParticipantServer

AGENT_ID = '1a1a1a1a-1111-4111-8111-111111111111'
SESSION = 'benchmark-session-key-0001'

# The sample's calls (original-solution-spec.md §3.3-3.10, §8.1-8.2), recording off. How they were counted is in
# benchmarks/README.md ("AWS calls per escalation").
SAMPLE = {
    'escalation': [
        ('customer starts chat', 'customer waits', 'StartChatContact, CreateParticipantConnection', 2),
        ('agent starts video', 'agent / background',
         'GetItem (meeting exists?), CreateMeetingWithAttendees, TransactWriteItems', 3),
        ('customer gets join data', 'customer waits', 'Query (attendee-join-data)', 1),
        ('names on the tiles', 'customer waits', 'GetItem per /attendee-name (at least 1 per side)', 2),
        ('end for all', 'agent / background', 'DeleteMeeting, UpdateItem (endedAt)', 2),
    ],
    'redemption': [
        ('customer starts chat with a reference', 'customer waits',
         'GetItem + UpdateItem (route), StartChatContact, CreateParticipantConnection', 4),
    ],
}


class FakeConnectUsersAndContacts(FakeConnectChat):
    """The chat fake plus the few Connect calls the meetings use (answers validated against the model)."""

    contact_id = 'c-0c1d2e3f'

    def start_chat_contact(self, **params: Any) -> dict[str, Any]:
        """A new contact id per chat (the chat fake has one contact only)."""
        started = super().start_chat_contact(**params)
        self.contact_id = f'c-{len(self.started):08d}'
        self.transcript.clear()
        return {**started, 'ContactId': self.contact_id}

    def search_users(self, **_: Any) -> dict[str, Any]:
        return {'Users': [{'Id': AGENT_ID, 'Username': 'ann'}]}

    def describe_user(self, **_: Any) -> dict[str, Any]:
        return {'User': {'Id': AGENT_ID, 'Username': 'ann', 'IdentityInfo': {'FirstName': 'Ann'}}}

    def describe_contact(self, **_: Any) -> dict[str, Any]:
        return {'Contact': {'Id': self.contact_id, 'Channel': 'CHAT',
                            'AgentInfo': {'Id': AGENT_ID, 'ConnectedToAgentTimestamp': self.now},
                            'Attributes': {'customerName': 'Carla'}}}

    def update_contact_attributes(self, **_: Any) -> dict[str, Any]:
        return {}


class FakeChime(ModelFake):
    def create_meeting_with_attendees(self, *, ExternalMeetingId: str, Attendees: list[dict[str, str]],
                                      **_: Any) -> dict[str, Any]:
        meeting = {'MeetingId': f'chime-{ExternalMeetingId[:30]}', 'ExternalMeetingId': ExternalMeetingId,
                   'MediaRegion': REGION}
        return {'Meeting': meeting, 'Errors': [],
                'Attendees': [{'ExternalUserId': a['ExternalUserId'], 'AttendeeId': f'att-{n}', 'JoinToken': 'tok'}
                              for n, a in enumerate(Attendees)]}

    def delete_meeting(self, **_: Any) -> dict[str, Any]:
        return {}


def _is_participant_record(operation: str, params: Any) -> bool:
    item = (params or {}).get('Item') or {}
    return operation == 'PutItem' and item.get('SK', {}).get('S') == 'PARTICIPANT'


class Calls:
    def __init__(self) -> None:
        self.all: Counter[str] = Counter()
        self.rows: list[tuple[str, str, Counter[str]]] = []
        self._step: Counter[str] | None = None
        self.records: Counter[str] = Counter()

    def watch(self, client: Any) -> Any:
        """Register the counter first: a fake's hook answers the call and stops later hooks."""
        client.meta.events.register_first('before-parameter-build.*.*', self._classify)
        client.meta.events.register_first('before-call.*.*', self._count)
        return client

    @staticmethod
    def _classify(model: Any, params: Any, context: Any, **_: Any) -> None:
        """``before-call`` sees the serialised request; the API parameters are seen here, in the same context."""
        context['vce_participant_record'] = _is_participant_record(model.name, params)

    def _count(self, model: Any, context: Any = None, **_: Any) -> None:
        self.all[model.name] += 1
        if (context or {}).get('vce_participant_record'):
            self.records[model.name] += 1  # written in a worker thread, possibly while a step awaits something else
        elif self._step is not None:
            self._step[model.name] += 1

    def add_records(self) -> None:
        """The participant-session writes as one background row (they happen whenever the chat's state changes)."""
        self.rows.append(('participant record writes (one per state change)', 'agent / background',
                          self.records))
        self.records = Counter()

    @contextmanager
    def step(self, name: str, path: str) -> Any:
        self._step = Counter()
        try:
            yield
        finally:
            self.rows.append((name, path, self._step))
            self._step = None


async def eventually(condition: Any) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.005)


async def run() -> tuple[list[tuple[str, str, Counter[str]]], list[tuple[str, str, Counter[str]]]]:
    calls = Calls()
    server = FakeParticipantServer()
    await server.start()
    connect, participant = (calls.watch(c) for c in clients())
    fake = FakeConnectUsersAndContacts(server, asyncio.get_running_loop(), (connect, participant))
    chime = calls.watch(boto3.client('chime-sdk-meetings', region_name=REGION))
    FakeChime().attach(chime)
    dynamodb = calls.watch(boto3.client('dynamodb', region_name=REGION))
    ensure_table(dynamodb, 'VideoCallEscalation')
    made = {'connect': connect, 'connectparticipant': participant, 'chime-sdk-meetings': chime, 'dynamodb': dynamodb,
            'sts': boto3.client('sts', region_name=REGION)}
    settings = Settings(mode='aws', storage_secret='benchmark-storage-secret-0123456789', aws_region=REGION,
                        connect_instance_url='https://example.my.connect.aws', connect_instance_id=INSTANCE_ID,
                        connect_chat_flow_id=FLOW_ID, chime_media_region=REGION)
    services = build_services(settings, aws_clients=lambda service, region: made[service])
    await services.start()
    chat, meetings = services.customer_chat, services.meetings
    channel = chat._channel  # to wait for its background writes, which are counted too
    assert isinstance(channel, ConnectCustomerChannel)

    # web → chat → video
    with calls.step('customer starts chat (until the page shows the chat)', 'customer waits'):
        contact = await chat.start_chat(SESSION, name='Carla', email='carla@example.com')
    with calls.step('chat connects (socket subscribed, catch-up)', 'agent / background'):
        await eventually(lambda: fake.calls['get_transcript'] >= 1)
        await channel.drain()
    with calls.step('agent accepts (participant joined, over the websocket)', 'agent / background'):
        await fake.happen(joined())
        await eventually(lambda: (c := chat.current_contact(SESSION)) is not None and c.state is ContactState.CONNECTED)
        await channel.drain()
    with calls.step('agent starts video (first time: Connect user looked up)', 'agent / background'):
        join = await meetings.start_video('ann', contact.contact_id)
    with calls.step('video signal reaches the customer (agent\'s chat message)', 'customer waits'):
        await fake.happen(message('sig-1', format_video_signal(VideoAction.STARTED, join.meeting_id)))
        await asyncio.sleep(0.05)
    with calls.step('customer gets join data (+ names for the tiles)', 'customer waits'):
        customer_join = meetings.customer_join_info(SESSION)
        assert customer_join is not None
        meetings.names(join.meeting_id)
    with calls.step('agent ends for all', 'agent / background'):
        await meetings.end_for_all('ann', contact.contact_id)
    with calls.step('customer ends the chat', 'customer waits'):
        await chat.end_chat(SESSION)
    await channel.drain()
    calls.add_records()
    escalation = list(calls.rows)

    # ad-hoc redemption (voice → video): the agent creates a reference, the customer redeems it when starting a chat
    calls.rows.clear()
    fake.participant_ended = False
    with calls.step('agent creates the reference', 'agent / background'):
        created = services.references.create('ann', 'dave@example.com')
    with calls.step('customer starts chat with the reference', 'customer waits'):
        await chat.start_chat('benchmark-session-key-0002', name='Dave', email='dave@example.com',
                              reference=created.reference, client_address='127.0.0.1')
    with calls.step('chat connects (socket subscribed, catch-up)', 'agent / background'):
        await eventually(lambda: fake.calls['get_transcript'] >= 2)
        await channel.drain()
    calls.add_records()
    redemption = list(calls.rows)
    await services.stop()
    fake.close()
    await server.stop()
    return escalation, redemption


def table(rows: list[tuple[str, str, Counter[str]]]) -> list[str]:
    lines = ['| step | path | calls | which |', '| --- | --- | --- | --- |']
    for name, path, counted in rows:
        which = ', '.join(f'{op} ×{n}' if n > 1 else op for op, n in sorted(counted.items())) or '—'
        lines.append(f'| {name} | {path} | {sum(counted.values())} | {which} |')
    waiting = sum(sum(c.values()) for _, p, c in rows if p == 'customer waits')
    total = sum(sum(c.values()) for _, _, c in rows)
    lines.append(f'| **total** | customer waits: **{waiting}** | **{total}** | |')
    return lines


def sample_table(rows: list[tuple[str, str, str, int]]) -> list[str]:
    lines = ['| step (sample) | path | calls | which |', '| --- | --- | --- | --- |']
    lines += [f'| {name} | {path} | {count} | {which} |' for name, path, which, count in rows]
    waiting = sum(count for _, path, _, count in rows if path == 'customer waits')
    lines.append(f'| **total** | customer waits: **{waiting}** | **{sum(c for *_, c in rows)}** | |')
    return lines


def main() -> None:
    for name in ('AWS_PROFILE', 'AWS_ENDPOINT_URL'):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID='benchmark', AWS_SECRET_ACCESS_KEY='benchmark',
                      AWS_EC2_METADATA_DISABLED='true')
    with mock_aws():
        escalation, redemption = asyncio.run(run())
    for title, ours, sample in (('Web → video escalation', escalation, SAMPLE['escalation']),
                                ('Ad-hoc redemption', redemption, SAMPLE['redemption'])):
        print(f'\n### {title}\n\nThis project (aws mode):\n')
        print('\n'.join(table(ours)))
        print('\nThe sample:\n')
        print('\n'.join(sample_table(sample)))



if __name__ == '__main__':
    main()

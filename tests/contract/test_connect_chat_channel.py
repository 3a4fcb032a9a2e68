"""ConnectCustomerChannel end to end on loopback: real boto3 clients answered by model-validated stateful fakes, and
the participant websocket against a local fake server (``websockets.serve`` on 127.0.0.1).

Covers what the customer page relies on: the same domain events as the local engine (messages, typing, join/leave,
end), reconnects with backoff and a transcript catch-up without duplicates, new connections when a URL or token
expired, resuming after a restart, the agent's video signal (valid, forged, stale), and the AWS calls it all costs.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from backend.adapters.aws.backoff import Backoff
from backend.adapters.aws.chat_items import TYPING
from backend.adapters.aws.connect_chat import ENDED_TEXT, ConnectChatConfig, ConnectCustomerChannel
from backend.adapters.aws.connect_chat_api import ConnectChatApi
from backend.adapters.aws.connect_chat_session import CHAT_ENDED_TEXT, CUSTOMER_LEFT_TEXT
from backend.adapters.aws.connect_users import ConnectUserDirectory
from backend.adapters.aws.participant_sessions import InMemoryParticipantSessions
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import NotAllowed
from backend.domain.model import (
    Agent,
    Attendee,
    ContactState,
    Meeting,
    MeetingState,
    MessageKind,
    ParticipantRole,
    ParticipantSession,
)
from backend.domain.video_signal import ENDED_TEXT as VIDEO_ENDED_TEXT
from backend.domain.video_signal import STARTED_TEXT, VideoAction, format_video_signal
from backend.events import (
    ALL_CONTACTS_TOPIC,
    ContactChanged,
    Event,
    EventBus,
    MeetingChanged,
    MessageAdded,
    TypingStarted,
    contact_topic,
)
from backend.services.customer_chat import CustomerChatService
from backend.services.references import ReferenceService
from tests.contract.connect_chat_fixtures import (
    FLOW_ID,
    INSTANCE_ID,
    REGION,
    SECRET,
    clients,
    ended,
    event,
    joined,
    left,
    message,
    typing,
)
from tests.contract.connect_user_fixtures import ANN_ID, connect_client, expect_describe_user, expect_search, user
from tests.contract.connect_user_fixtures import INSTANCE_ARN as USERS_INSTANCE_ARN
from tests.contract.fake_connect import AwsError, FakeConnectChat
from tests.contract.fake_participant_server import FakeParticipantServer
from tests.unit.engine_fixtures import Refs, agent_named

E = TypeVar('E')
CONTACT = 'c-0c1d2e3f'
ATTRIBUTES = {'customerName': 'Carla', 'customerEmailAddress': 'carla@example.com'}
NEVER = 3600.0  # a heartbeat interval no test reaches
BACKOFF = Backoff(base=0.01, cap=0.04, rng=lambda: 1.0)  # fast and deterministic: the ceiling every time


@dataclass
class World:
    server: FakeParticipantServer
    fake: FakeConnectChat
    bus: EventBus
    sessions: InMemoryParticipantSessions
    meetings: SqliteStore
    events: list[Event] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    monotonic: list[float] = field(default_factory=lambda: [100.0])
    channels: list[ConnectCustomerChannel] = field(default_factory=list)

    def channel(self, heartbeat_seconds: float = NEVER) -> ConnectCustomerChannel:
        api = ConnectChatApi(self.fake.connect_client, self.fake.participant_client, region=REGION,
                             instance_id=INSTANCE_ID, chat_flow_id=FLOW_ID, clock=lambda: self.fake.now)

        async def sleep(seconds: float) -> None:
            self.delays.append(seconds)
            await asyncio.sleep(0)

        channel = ConnectCustomerChannel(api, self.bus, self.sessions, self.meetings,
                                         config=ConnectChatConfig(heartbeat_seconds=heartbeat_seconds),
                                         backoff=BACKOFF, clock=lambda: self.fake.now,
                                         monotonic=lambda: self.monotonic[0], sleep=sleep)
        self.channels.append(channel)
        return channel

    @staticmethod
    def state(channel: ConnectCustomerChannel) -> ContactState | None:
        contact = channel.contact(CONTACT)
        return contact.state if contact else None

    def texts(self, channel: ConnectCustomerChannel) -> list[str]:
        return [m.text for m in channel.transcript(CONTACT)]

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture(scope='module')
def boto_clients() -> tuple[Any, Any]:
    return clients()  # made once: building clients is the slow part of these tests


@pytest.fixture
async def world(boto_clients: tuple[Any, Any]) -> AsyncIterator[World]:
    server = FakeParticipantServer()
    await server.start()
    bus = EventBus()
    world = World(server, FakeConnectChat(server, asyncio.get_running_loop(), boto_clients), bus,
                  InMemoryParticipantSessions(clock=time.time), SqliteStore(':memory:'))
    bus.subscribe(contact_topic(CONTACT), world.events.append)
    yield world
    for channel in world.channels:
        await channel.stop()
    await server.stop()
    world.fake.close()
    world.meetings.close()


async def eventually(condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Wait until something that happens over the socket has happened (the timeout only stops a broken test)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def started(world: World, heartbeat_seconds: float = NEVER) -> ConnectCustomerChannel:
    channel = world.channel(heartbeat_seconds)
    await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))
    await world.server.wait_for(subscriptions=1)
    await eventually(lambda: world.fake.calls['get_transcript'] >= 1)
    return channel


# starting


async def test_start_chat_starts_the_configured_flow_connects_and_costs_three_calls(world: World) -> None:
    channel = world.channel()
    contact = await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))

    assert (contact.contact_id, contact.state, contact.attributes) == (CONTACT, ContactState.QUEUED, ATTRIBUTES)
    [request] = world.fake.started
    assert request['ContactFlowId'] == FLOW_ID and request['InstanceId'] == INSTANCE_ID
    assert request['Attributes'] == ATTRIBUTES and request['ParticipantDetails'] == {'DisplayName': 'Carla'}
    uuid.UUID(request['ClientToken'])
    await world.server.wait_for(subscriptions=1)
    await eventually(lambda: world.fake.calls['get_transcript'] == 1)
    assert world.fake.api_calls == {'start_chat_contact': 1, 'create_participant_connection': 1,
                                    'get_transcript': 1}
    assert channel.api_calls == {'StartChatContact': 1, 'CreateParticipantConnection': 1, 'GetTranscript': 1}
    await channel.drain()  # the record is written in the background
    stored = world.sessions.participant_session(CONTACT)
    assert stored is not None and stored.participant_token.startswith(SECRET) and stored.connection_token
    assert SECRET not in repr(stored) and SECRET not in repr(contact)


async def test_the_service_drives_the_aws_channel_like_the_local_engine(world: World) -> None:
    service = CustomerChatService(world.channel(), SqliteStore(':memory:'), Refs(), world.bus)
    key = 'tab-0123456789abcdef'

    contact = await service.start_chat(key, name=' Carla ', email='carla@example.com')
    await world.server.wait_for(subscriptions=1)
    sent = await service.send(key, 'Hello')

    assert service.current_contact(key) is not None and contact.contact_id == CONTACT
    assert (sent.role, sent.text, sent.seq) == (ParticipantRole.CUSTOMER, 'Hello', 1)
    assert [m.text for m in service.transcript(key)] == ['Hello']


class OneReference:
    def redeem(self, reference: str, email: str, client_address: str) -> Agent | None:
        return agent_named('ann') if (reference, email) == ('24681357', 'carla@example.com') else None


@pytest.mark.parametrize(('reference', 'expected'), [
    ('', {}),
    ('2468 1357', {'videoReferenceId': '24681357', 'videoRouteToAgent': 'id-ann'}),  # the user id, not the name
    ('11112222', {'videoReferenceId': 'error'}),
])
async def test_routing_to_an_agent_reaches_connect_only_through_a_redeemed_reference(
        world: World, reference: str, expected: dict[str, str]) -> None:
    service = CustomerChatService(world.channel(), SqliteStore(':memory:'), OneReference(), world.bus)
    await service.start_chat('tab-0123456789abcdef', name='Carla', email='carla@example.com', reference=reference)
    [request] = world.fake.started
    assert request['Attributes'] == {**ATTRIBUTES, **expected}
    assert request['ContactFlowId'] == FLOW_ID


async def test_a_redeemed_reference_gives_connect_the_user_id_of_its_agent(world: World) -> None:
    """UpdateContactTargetQueue.AgentId takes a user id or ARN: the attribute carries the Connect user's id."""
    client, stub = connect_client()
    expect_search(stub, 'ann', [(ANN_ID, 'ann')])
    expect_describe_user(stub, user(ANN_ID, 'ann', first='Ann'))
    with stub:
        references = ReferenceService(SqliteStore(':memory:'),
                                      ConnectUserDirectory(client, instance_id=USERS_INSTANCE_ARN),
                                      b'contract-test-reference-secret-01')
        created = references.create('ann', 'carla@example.com')
        service = CustomerChatService(world.channel(), SqliteStore(':memory:'), references, world.bus)
        await service.start_chat('tab-0123456789abcdef', name='Carla', email='carla@example.com',
                                 reference=created.reference)
    stub.assert_no_pending_responses()
    [request] = world.fake.started
    assert request['Attributes']['videoRouteToAgent'] == ANN_ID


async def test_a_greeting_sent_before_the_socket_subscribed_is_caught_up(world: World) -> None:
    world.fake.add(message('greet', 'Welcome to Example Bank.', role='SYSTEM', name='SYSTEM_MESSAGE'), push=False)
    channel = await started(world)
    await eventually(lambda: world.texts(channel) == ['Welcome to Example Bank.'])
    [greeting] = channel.transcript(CONTACT)
    assert greeting.role is ParticipantRole.SYSTEM and greeting.seq == 1


async def test_a_failed_start_is_a_clear_error_and_leaves_nothing(world: World) -> None:
    world.fake.failures['start_chat_contact'] = [AwsError('LimitExceededException')]
    channel = world.channel()
    with pytest.raises(Exception, match='busy'):
        await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))
    assert channel.contact(CONTACT) is None and world.server.paths == []


async def test_a_failed_first_connection_is_retried_rather_than_leaving_a_contact_without_its_customer(
        world: World) -> None:
    world.fake.failures['create_participant_connection'] = [AwsError('InternalServerException', 500)]
    channel = world.channel()
    contact = await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))
    assert contact.state is ContactState.QUEUED
    await world.server.wait_for(subscriptions=1)
    assert world.fake.calls['create_participant_connection'] == 2  # the socket's first connect asked again


# the incoming stream


async def test_agent_join_typing_messages_leave_and_end_become_the_local_engines_events(world: World) -> None:
    channel = await started(world)
    all_contacts: list[Event] = []
    world.bus.subscribe(ALL_CONTACTS_TOPIC, all_contacts.append)

    await world.fake.happen(joined())
    await world.fake.happen(typing())
    await world.fake.happen(typing(role='CUSTOMER'))  # the echo of our own typing: not shown
    await world.fake.happen(message('m1', 'How can I help?'))
    await world.fake.happen(left())
    await world.fake.happen(ended())
    await eventually(lambda: world.state(channel) is ContactState.AFTER_CONTACT_WORK)

    # as in the local engine: a chat an agent had goes to after-contact work (the agent's desktop clears it)
    assert [e.contact.state for e in world.of(ContactChanged)] == [
        ContactState.CONNECTED, ContactState.QUEUED, ContactState.AFTER_CONTACT_WORK]
    assert world.of(TypingStarted) == [TypingStarted(CONTACT, ParticipantRole.AGENT)]
    assert world.texts(channel) == ['Ann Agent joined the chat.', 'How can I help?', 'Ann Agent left the chat.',
                                    CHAT_ENDED_TEXT]
    agent_line = channel.transcript(CONTACT)[1]
    assert (agent_line.role, agent_line.display_name, agent_line.kind) == (
        ParticipantRole.AGENT, 'Ann Agent', MessageKind.MESSAGE)
    assert [m.seq for m in channel.transcript(CONTACT)] == [1, 2, 3, 4]
    assert [e.contact.state for e in all_contacts if isinstance(e, ContactChanged)] == [
        ContactState.CONNECTED, ContactState.QUEUED, ContactState.AFTER_CONTACT_WORK]
    assert channel.socket(CONTACT) is None  # no socket is held for an ended chat
    await eventually(lambda: world.server.open_connections == 0)
    await channel.drain()  # the record is written in the background
    stored = world.sessions.participant_session(CONTACT)
    assert stored is not None and stored.contact.state is ContactState.AFTER_CONTACT_WORK
    assert stored.participant_token == '' and stored.connection_token == ''


async def test_a_chat_no_agent_had_simply_ends(world: World) -> None:
    channel = await started(world)
    await world.fake.happen(ended())
    await eventually(lambda: world.state(channel) is ContactState.ENDED)
    assert world.texts(channel) == [CHAT_ENDED_TEXT]


async def test_repeated_items_and_noise_change_nothing(world: World) -> None:
    channel = await started(world)
    await world.fake.happen(message('m1', 'Once'))
    await world.fake.server.push(message('m1', 'Once'))  # Connect delivered it twice
    await world.fake.server.push(event('receipt', 'application/vnd.amazonaws.connect.event.message.read'))
    await world.fake.happen(message('m2', 'Twice?'))
    await eventually(lambda: len(channel.transcript(CONTACT)) == 2)
    assert world.texts(channel) == ['Once', 'Twice?']


# the customer's actions


async def test_a_customer_message_costs_one_call_and_shows_once_despite_the_echo(world: World) -> None:
    channel = await started(world)
    before = world.fake.api_calls

    sent = await channel.customer_message(CONTACT, 'I need help with my card')
    await eventually(lambda: world.fake.transcript and world.server.subscriptions == 1)
    await world.fake.happen(message('m-after', 'Sure.'))  # anything after the echo proves the echo was handled
    await eventually(lambda: len(channel.transcript(CONTACT)) == 2)

    assert (sent.role, sent.display_name, sent.seq) == (ParticipantRole.CUSTOMER, 'Carla', 1)
    assert world.texts(channel) == ['I need help with my card', 'Sure.']
    assert [e.message.text for e in world.of(MessageAdded)] == ['I need help with my card', 'Sure.']
    assert {k: v - before.get(k, 0) for k, v in world.fake.api_calls.items() if v != before.get(k, 0)} == {
        'send_message': 1}


async def test_typing_is_sent_only_to_a_connected_agent_and_throttled(world: World) -> None:
    channel = await started(world)
    channel.customer_typing(CONTACT)  # nobody there yet
    await world.fake.happen(joined())
    await eventually(lambda: world.state(channel) is ContactState.CONNECTED)

    for _ in range(3):
        channel.customer_typing(CONTACT)
    await channel.drain()
    assert world.fake.calls['send_event'] == 1
    world.monotonic[0] += ConnectChatConfig().typing_interval_seconds
    channel.customer_typing(CONTACT)
    channel.customer_typing(CONTACT)
    await channel.drain()
    assert world.fake.calls['send_event'] == 2


async def test_typing_is_sent_as_often_as_chatjs_sends_it(world: World) -> None:
    """ChatJS throttles typing to one SendEvent per 10 s (TYPING_VALIDITY_TIME, leading edge): so do we."""
    channel = await started(world)
    await world.fake.happen(joined())
    await eventually(lambda: world.state(channel) is ContactState.CONNECTED)
    channel.customer_typing(CONTACT)
    world.monotonic[0] += 9.9
    channel.customer_typing(CONTACT)
    await channel.drain()
    assert world.fake.calls['send_event'] == 1
    world.monotonic[0] += 0.1
    channel.customer_typing(CONTACT)
    await channel.drain()
    assert world.fake.calls['send_event'] == 2


async def test_customer_end_disconnects_and_ends_the_chat(world: World) -> None:
    channel = await started(world)

    await channel.customer_end(CONTACT)

    assert world.fake.calls['disconnect_participant'] == 1
    assert world.state(channel) is ContactState.ENDED
    assert world.texts(channel)[-1] == CUSTOMER_LEFT_TEXT
    with pytest.raises(NotAllowed, match='This chat has ended'):
        await channel.customer_message(CONTACT, 'Still there?')
    await channel.customer_end(CONTACT)  # twice is harmless
    assert world.fake.calls['disconnect_participant'] == 1
    await eventually(lambda: world.server.open_connections == 0)


async def test_a_customer_leaving_a_connected_chat_leaves_it_in_after_contact_work(world: World) -> None:
    channel = await started(world)
    await world.fake.happen(joined())
    await eventually(lambda: world.state(channel) is ContactState.CONNECTED)

    await channel.customer_end(CONTACT)  # Connect's "chat ended" arrives over the socket during the call

    assert world.state(channel) is ContactState.AFTER_CONTACT_WORK
    assert world.texts(channel) == ['Ann Agent joined the chat.', CUSTOMER_LEFT_TEXT]
    assert [e.contact.end_reason for e in world.of(ContactChanged)][-1] == 'customer_ended'


async def test_no_secret_reaches_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level('DEBUG')
    channel = await started(world)
    await world.fake.happen(joined())
    await channel.customer_message(CONTACT, 'Hi')
    world.fake.expire_connections()
    world.fake.now += 200
    world.server.drop()
    await world.server.wait_for(subscriptions=2)
    await channel.customer_end(CONTACT)
    assert 'participant_socket.connected' in caplog.text
    assert SECRET not in caplog.text


async def test_an_expired_connection_token_is_replaced_and_the_message_sent_once(world: World) -> None:
    channel = await started(world)
    world.fake.expire_connections()

    await channel.customer_message(CONTACT, 'Hello again')

    assert world.fake.calls['send_message'] == 2  # refused once, then sent with the new token
    assert world.fake.calls['create_participant_connection'] == 2
    await eventually(lambda: world.texts(channel) == ['Hello again'])
    await channel.drain()  # the record is written in the background
    stored = world.sessions.participant_session(CONTACT)
    assert stored is not None and stored.connection_token.endswith('-2')


async def test_a_refused_participant_means_the_chat_is_over(world: World) -> None:
    channel = await started(world)
    world.fake.expire_connections()
    world.fake.participant_ended = True

    with pytest.raises(NotAllowed, match=ENDED_TEXT):
        await channel.customer_message(CONTACT, 'Hello?')
    assert world.state(channel) is ContactState.ENDED


# connection loss


async def test_a_dropped_socket_reconnects_with_backoff_and_catches_up_without_duplicates(world: World) -> None:
    channel = await started(world)
    await world.fake.happen(message('m1', 'Before the drop'))
    await eventually(lambda: world.texts(channel) == ['Before the drop'])
    world.fake.add(message('m2', 'Sent while we were away'), push=False)

    world.server.drop()
    await world.server.wait_for(subscriptions=2)
    await eventually(lambda: world.texts(channel) == ['Before the drop', 'Sent while we were away'])

    assert world.delays == [0.01]
    assert world.server.paths == ['/socket-1', '/socket-1']  # the URL was still good: no new connection needed
    assert world.fake.calls['get_transcript'] == 2
    await world.fake.happen(message('m3', 'After'))
    await eventually(lambda: world.texts(channel)[-1] == 'After')
    assert len(channel.transcript(CONTACT)) == 3


async def test_backoff_grows_to_its_cap_while_connect_fails(world: World) -> None:
    await started(world)
    world.server.expired_paths.add('/socket-1')  # the old URL is refused: a new connection is needed
    world.fake.failures['create_participant_connection'] = [AwsError('InternalServerException', 500)] * 2

    world.server.drop()
    await world.server.wait_for(subscriptions=2)

    assert world.delays == [0.01, 0.02, 0.04, 0.04]  # exponential, capped (jitter pinned to its ceiling here)
    assert world.server.paths == ['/socket-1', '/socket-1', '/socket-2']


async def test_an_expired_url_is_not_tried_again(world: World) -> None:
    channel = await started(world)
    world.fake.now += 200  # the websocket URL's 100 s connect window has passed
    world.server.drop()
    await world.server.wait_for(subscriptions=2)
    assert world.server.paths == ['/socket-1', '/socket-2']
    assert channel.api_calls['CreateParticipantConnection'] == 2


async def test_a_refused_subscription_gets_a_new_connection(world: World) -> None:
    world.server.refuse_subscribe = True
    channel = world.channel()
    await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))
    await eventually(lambda: world.fake.calls['create_participant_connection'] >= 2)
    world.server.refuse_subscribe = False
    await world.server.wait_for(subscriptions=1)
    assert len(set(world.server.paths)) >= 2


async def test_a_silent_connection_is_closed_and_reopened(world: World) -> None:
    world.server.answer_heartbeats = False
    await started(world, heartbeat_seconds=0.02)
    await world.server.wait_for(subscriptions=2)
    assert world.server.heartbeats >= 1


async def test_heartbeats_keep_a_healthy_connection(world: World) -> None:
    await started(world, heartbeat_seconds=0.01)
    await eventually(lambda: world.server.heartbeats >= 5)
    assert world.server.subscriptions == 1


async def test_a_participant_gone_while_away_ends_the_chat(world: World) -> None:
    channel = await started(world)
    world.server.expired_paths.add('/socket-1')
    world.fake.participant_ended = True
    world.server.drop()
    await eventually(lambda: world.state(channel) is ContactState.ENDED)
    assert world.texts(channel)[-1] == CHAT_ENDED_TEXT


# reload and restart


async def test_a_restarted_server_resumes_the_chat_from_the_store(world: World) -> None:
    first = await started(world)
    await world.fake.happen(joined())
    await world.fake.happen(message('m1', 'Hello Carla'))
    await eventually(lambda: len(first.transcript(CONTACT)) == 2)
    before = world.texts(first)
    await first.stop()

    second = world.channel()  # a new process: same store, nothing in memory
    assert world.state(second) is ContactState.CONNECTED
    await world.server.wait_for(subscriptions=2)
    await eventually(lambda: world.texts(second) == before)
    assert [m.seq for m in second.transcript(CONTACT)] == [1, 2]
    sent = await second.customer_message(CONTACT, 'Thanks')
    assert sent.seq == 3


async def test_an_unknown_contact_is_none(world: World) -> None:
    channel = world.channel()
    assert channel.contact('nope') is None and channel.transcript('nope') == []


# the agent's video signal


def save_meeting(world: World, contact_id: str = CONTACT, state: MeetingState = MeetingState.LIVE) -> str:
    meeting_id = str(uuid.uuid4())
    meeting = Meeting(meeting_id, contact_id, 'ann', 1.0, {'MeetingId': 'chime-1'}, state=state)
    world.meetings.save_meeting(meeting, [Attendee(meeting_id, str(uuid.uuid4()), ParticipantRole.CUSTOMER, 'Carla',
                                                   {})])
    return meeting_id


async def signal(world: World, channel: ConnectCustomerChannel, text: str, role: str = 'AGENT') -> None:
    """Send a chat line and a plain follow-up; once the follow-up is shown the signal has been handled."""
    await world.fake.happen(message(f'sig-{uuid.uuid4()}', text, role=role))
    follow_up = f'follow-up {uuid.uuid4()}'
    await world.fake.happen(message(f'f-{uuid.uuid4()}', follow_up))
    await eventually(lambda: follow_up in world.texts(channel))


async def test_a_valid_video_signal_tells_the_customer_to_join(world: World) -> None:
    channel = await started(world)
    meeting_id = save_meeting(world)

    await signal(world, channel, format_video_signal(VideoAction.STARTED, meeting_id))

    assert world.of(MeetingChanged) == [MeetingChanged(CONTACT, meeting_id, True)]
    assert world.texts(channel)[0] == STARTED_TEXT
    assert not any('vce-video' in text for text in world.texts(channel))
    assert channel.transcript(CONTACT)[0].kind is MessageKind.EVENT


async def test_the_video_ended_signal_is_believed_once_the_meeting_ended(world: World) -> None:
    channel = await started(world)
    meeting_id = save_meeting(world, state=MeetingState.ENDED)
    await signal(world, channel, format_video_signal(VideoAction.ENDED, meeting_id))
    assert world.of(MeetingChanged) == [MeetingChanged(CONTACT, meeting_id, False)]
    assert world.texts(channel)[0] == VIDEO_ENDED_TEXT


@pytest.mark.parametrize('case', ['unknown meeting', 'other contact', 'stale', 'from the customer',
                                  'ended but live', 'malformed'])
async def test_forged_or_stale_video_signals_do_nothing(world: World, case: str) -> None:
    channel = await started(world)
    text = {
        'unknown meeting': lambda: format_video_signal(VideoAction.STARTED, str(uuid.uuid4())),
        'other contact': lambda: format_video_signal(VideoAction.STARTED, save_meeting(world, 'c-other')),
        'stale': lambda: format_video_signal(VideoAction.STARTED, save_meeting(world, state=MeetingState.ENDED)),
        'from the customer': lambda: format_video_signal(VideoAction.STARTED, save_meeting(world)),
        'ended but live': lambda: format_video_signal(VideoAction.ENDED, save_meeting(world)),
        'malformed': lambda: 'vce-video:v1:started:not-a-uuid',
    }[case]()

    await signal(world, channel, text, role='CUSTOMER' if case == 'from the customer' else 'AGENT')

    assert world.of(MeetingChanged) == []
    assert STARTED_TEXT not in world.texts(channel) and VIDEO_ENDED_TEXT not in world.texts(channel)
    shown = [m for m in channel.transcript(CONTACT) if 'vce-video' in m.text]
    if case in ('from the customer', 'malformed'):  # ordinary text someone typed: shown as typed, believed never
        assert [m.kind for m in shown] == [MessageKind.MESSAGE]
    else:
        assert shown == []


# what Connect sends that this chat does not render


async def test_attachments_and_rich_messages_become_readable_lines(world: World) -> None:
    channel = await started(world)
    attachment = message('att-1', '', role='AGENT')
    attachment.update(Type='ATTACHMENT', ContentType='application/pdf',
                      Attachments=[{'ContentType': 'application/pdf', 'AttachmentId': 'a1',
                                    'AttachmentName': 'statement.pdf', 'Status': 'APPROVED'}])
    rich = message('rich-1', '{"templateType": "ListPicker"}')
    rich['ContentType'] = 'application/vnd.amazonaws.connect.message.interactive'
    await world.fake.happen(attachment)
    await world.fake.happen(rich)
    await eventually(lambda: len(channel.transcript(CONTACT)) == 2)
    assert world.texts(channel) == ['Ann Agent shared a file (statement.pdf); files cannot be shown in this chat.',
                                    'Ann Agent sent a message this chat cannot show.']
    assert all(e.message.kind is MessageKind.EVENT for e in world.of(MessageAdded))


def test_typing_content_type_is_connects() -> None:
    assert TYPING == 'application/vnd.amazonaws.connect.event.typing'


# the participant-session record is written off the customer's path

class GatedSessions(InMemoryParticipantSessions):
    """Holds every write until the test opens the gate, and records the order the writes landed in."""

    def __init__(self) -> None:
        super().__init__(clock=time.time)
        self.gate = threading.Event()
        self.written: list[ContactState] = []

    def save_participant_session(self, session: ParticipantSession) -> None:
        assert self.gate.wait(5)
        super().save_participant_session(session)
        self.written.append(session.contact.state)


async def test_the_customer_does_not_wait_for_the_record_and_the_writes_land_in_order(world: World) -> None:
    world.sessions = sessions = GatedSessions()
    channel = world.channel()

    contact = await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))

    assert contact.state is ContactState.QUEUED and sessions.written == []  # the chat shows; the write waits
    await world.server.wait_for(subscriptions=1)
    await world.fake.happen(joined())
    await eventually(lambda: World.state(channel) is ContactState.CONNECTED)
    await channel.customer_end(CONTACT)
    assert sessions.written == []
    sessions.gate.set()
    await channel.drain()
    assert sessions.written[-1] is ContactState.AFTER_CONTACT_WORK  # the latest state is what a resume finds
    assert sessions.written.index(ContactState.CONNECTED) < sessions.written.index(ContactState.AFTER_CONTACT_WORK)
    assert sessions.participant_session(CONTACT).participant_token == ''  # an ended chat keeps no credentials


async def test_stopping_finishes_the_pending_writes_so_a_restart_resumes(world: World) -> None:
    world.sessions = sessions = GatedSessions()
    channel = world.channel()
    await channel.start_chat(name='Carla', email='carla@example.com', attributes=dict(ATTRIBUTES))
    stopping = asyncio.get_running_loop().create_task(channel.stop())
    await asyncio.sleep(0.01)
    assert not stopping.done()
    sessions.gate.set()
    await stopping
    assert sessions.participant_session(CONTACT) is not None

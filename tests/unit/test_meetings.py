"""The escalation contract (docs/architecture.md): who may start, who gets which join data, how it ends."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from backend.adapters.local.contact_assignments import DeskContactAssignments
from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import AgentStatus, ContactState
from backend.domain.video_signal import ENDED_TEXT, STARTED_TEXT
from backend.events import MEETINGS_TOPIC, MeetingChanged, SignalReceived, contact_topic
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import MeetingService
from tests.unit.engine_fixtures import RecordingProvider, chat_service, settle, tab


@pytest.fixture
async def world(centre):
    engine, store, bus = centre
    chat = chat_service(engine, store, bus)
    provider = RecordingProvider()
    meetings = MeetingService(MediaSessions(provider, store, bus), DeskContactAssignments(engine), engine, chat, bus)
    meetings.start()
    key = tab()
    contact = await chat.start_chat(key, name='Cara', email='cara@example.com')
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    yield meetings, engine, chat, key, contact.contact_id, provider, bus
    await meetings.stop()


async def test_start_creates_one_meeting_with_both_attendees(world):
    meetings, engine, chat, key, contact_id, provider, bus = world
    announced = []
    bus.subscribe(contact_topic(contact_id), announced.append)
    agent = await meetings.start_video('ann', contact_id)
    assert agent.name == 'Ann Agent' and agent.backend == 'local'
    uuid.UUID(agent.meeting_id)  # server-generated ids
    customer = meetings.customer_join_info(key)
    assert customer is not None and customer.meeting_id == agent.meeting_id
    assert customer.attendee_id != agent.attendee_id and customer.name == 'Cara'
    assert meetings.names(agent.meeting_id) == {agent.attendee_id: 'Ann Agent', customer.attendee_id: 'Cara'}
    contact = engine.contact(contact_id)
    assert contact.attributes['videoExternalMeetingId'] == agent.meeting_id
    assert contact.attributes['videoAttendeeExternalUserId'] == customer.attendee_id
    assert chat.transcript(key)[-1].text == STARTED_TEXT
    assert MeetingChanged(contact_id, agent.meeting_id, True) in announced
    assert provider.created == [agent.meeting_id]


async def test_starting_twice_reuses_the_live_meeting(world):
    meetings, _, _, _, contact_id, provider, _ = world
    first, second = await asyncio.gather(meetings.start_video('ann', contact_id),
                                         meetings.start_video('ann', contact_id))
    third = await meetings.start_video('ann', contact_id)
    assert first == second == third
    assert len(provider.created) == 1


async def test_only_the_assigned_agent_can_start_or_end(world):
    meetings, _, _, _, contact_id, _, _ = world
    with pytest.raises(NotFound):
        await meetings.start_video('bob', contact_id)
    await meetings.start_video('ann', contact_id)
    with pytest.raises(NotAllowed, match='Only the agent who started'):
        await meetings.end_for_all('bob', contact_id)
    with pytest.raises(NotFound):
        meetings.agent_join_info('bob', contact_id)


async def test_no_video_once_the_chat_is_over(world):
    meetings, engine, _, _, contact_id, provider, _ = world
    engine.end_contact('ann', contact_id)
    with pytest.raises(NotAllowed, match='only while the chat is connected'):
        await meetings.start_video('ann', contact_id)
    assert provider.created == []


async def test_customer_gets_only_its_own_join_data_and_only_while_live(world):
    meetings, _, chat, key, contact_id, _, _ = world
    assert meetings.customer_join_info(key) is None  # no meeting while the customer just chats
    agent = await meetings.start_video('ann', contact_id)
    customer = meetings.customer_join_info(key)
    assert customer.data == {'meeting_id': agent.meeting_id, 'attendee_id': customer.attendee_id, 'name': 'Cara'}
    assert agent.attendee_id not in str(customer.data)
    other_key = tab()
    await chat.start_chat(other_key, name='Dan', email='dan@example.com')
    assert meetings.customer_join_info(other_key) is None
    assert meetings.customer_join_info('tab-never-had-a-chat-000') is None
    await meetings.end_for_all('ann', contact_id)
    assert meetings.customer_join_info(key) is None


async def test_end_for_all_tells_everyone_and_frees_the_meeting(world):
    meetings, _, chat, key, contact_id, provider, bus = world
    announced = []
    bus.subscribe(contact_topic(contact_id), announced.append)
    agent = await meetings.start_video('ann', contact_id)
    await meetings.end_for_all('ann', contact_id)
    assert provider.deleted == [agent.meeting_id]
    assert MeetingChanged(contact_id, agent.meeting_id, False) in announced
    assert chat.transcript(key)[-1].text == ENDED_TEXT
    assert meetings.agent_join_info('ann', contact_id) is None
    with pytest.raises(NotFound, match='already ended'):
        await meetings.end_for_all('ann', contact_id)
    again = await meetings.start_video('ann', contact_id)  # a new session can start while the chat lasts
    assert again.meeting_id != agent.meeting_id


async def test_no_per_contact_lock_outlives_its_work(world):
    meetings, _, _, _, contact_id, _, _ = world
    await asyncio.gather(meetings.start_video('ann', contact_id), meetings.start_video('ann', contact_id))
    await meetings.end_for_all('ann', contact_id)
    assert len(meetings._locks) == 0  # a lock per contact ever seen grew without end


async def test_a_meeting_ended_elsewhere_is_forgotten_here(world):
    """Another process's end arrives on MEETINGS_TOPIC (over Redis): what this process knew of it goes."""
    meetings, _, _, _, contact_id, _, bus = world
    agent = await meetings.start_video('ann', contact_id)
    forgotten = []
    meetings._media._store.forget_live_meeting = lambda c, m: forgotten.append((c, m))  # type: ignore[method-assign]
    bus.publish(MEETINGS_TOPIC, MeetingChanged(contact_id, agent.meeting_id, False))
    assert forgotten == [(contact_id, agent.meeting_id)]


async def test_clearing_the_contact_ends_the_meeting(world):
    meetings, engine, chat, key, contact_id, provider, _ = world
    agent = await meetings.start_video('ann', contact_id)
    await chat.end_chat(key)  # the customer leaves: after-contact work, the meeting still lives
    assert engine.contact(contact_id).state is ContactState.AFTER_CONTACT_WORK
    assert provider.deleted == []
    engine.clear_contact('ann', contact_id)
    await meetings.stop()  # waits for the end-of-meeting work that clearing started
    assert provider.deleted == [agent.meeting_id]
    assert meetings.customer_join_info(key) is None


async def test_rejoin_after_reload_returns_the_same_join_data(world):
    meetings, _, _, key, contact_id, _, _ = world
    agent = await meetings.start_video('ann', contact_id)
    customer = meetings.customer_join_info(key)
    assert meetings.agent_join_info('ann', contact_id) == agent
    assert meetings.customer_join_info(key) == customer


async def test_signals_reach_only_the_other_attendees_of_a_live_meeting(world):
    meetings, _, _, key, contact_id, _, _ = world
    agent = await meetings.start_video('ann', contact_id)
    customer = meetings.customer_join_info(key)
    to_customer, to_agent = [], []
    meetings.subscribe_signals(customer, to_customer.append)
    meetings.subscribe_signals(agent, to_agent.append)
    meetings.relay_signal(agent, '*', {'type': 'hello'})
    meetings.relay_signal(customer, agent.attendee_id, {'type': 'offer'})
    meetings.relay_signal(customer, 'someone-else', {'type': 'offer'})
    assert to_customer == [SignalReceived(agent.meeting_id, agent.attendee_id, {'type': 'hello'})]
    assert to_agent == [SignalReceived(agent.meeting_id, customer.attendee_id, {'type': 'offer'})]
    await meetings.end_for_all('ann', contact_id)
    meetings.relay_signal(agent, '*', {'type': 'late'})
    assert len(to_customer) == 1


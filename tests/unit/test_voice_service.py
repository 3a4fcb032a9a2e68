"""VoiceService: the caller's session, the call's audio session, join data, hold, and no video on calls."""

from __future__ import annotations

import pytest

from backend.adapters.local.contact_assignments import DeskContactAssignments
from backend.adapters.local.meetings import LocalMeetingProvider
from backend.bootstrap import build_services
from backend.domain.errors import InvalidInput, NotAllowed, NotFound
from backend.domain.model import AgentStatus, Channel, ContactState
from backend.events import SignalReceived, VoiceChanged, agent_topic, contact_topic
from backend.services.agent_desk import AgentDeskService
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import NO_VIDEO_ON_CALLS_TEXT, MeetingService
from backend.services.voice import HOLD_TEXT, RESUME_TEXT, VoiceService
from backend.settings import Settings
from tests.unit.engine_fixtures import RecordingProvider, chat_service, settle, tab


@pytest.fixture
async def world(centre):
    engine, store, bus = centre
    desk = AgentDeskService(engine, bus)
    chat = chat_service(engine, store, bus)
    provider = RecordingProvider()
    voice = VoiceService(engine, store, MediaSessions(provider, store, bus), engine, desk, bus)
    meetings = MeetingService(MediaSessions(LocalMeetingProvider(), store, bus), DeskContactAssignments(engine), engine,
                              chat, bus)
    voice.start()
    meetings.start()
    yield voice, meetings, engine, chat, provider, bus
    await voice.stop()
    await meetings.stop()


async def answered(voice, engine, key=None, name='Vic'):
    key = key or tab()
    contact = await voice.start_call(key, name)
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    return key, contact.contact_id


async def test_a_call_is_bound_to_the_tab_and_reports_the_flow_prompts(world):
    voice, _, _, _, _, _ = world
    key = tab()
    contact = await voice.start_call(key, '  Vic   Caller ')
    await settle()
    assert contact.channel is Channel.VOICE and contact.customer_name == 'Vic Caller'
    assert contact.attributes == {'customerName': 'Vic Caller'}
    assert voice.current_call(key).contact_id == contact.contact_id
    assert voice.current_call(tab()) is None
    assert voice.prompts(key)[0].text.startswith('Hi Vic Caller! Thank you for calling')
    assert (await voice.start_call(key, 'Vic')).contact_id == contact.contact_id  # a double click: same call


@pytest.mark.parametrize(('name', 'message'), [
    ('', 'Please enter your name.'),
    ('x' * 65, 'Please keep your name to 64 characters or fewer.'),
])
async def test_a_bad_name_is_refused_and_no_call_starts(world, name, message):
    voice, _, _, _, _, _ = world
    key = tab()
    with pytest.raises(InvalidInput, match=message):
        await voice.start_call(key, name)
    assert voice.current_call(key) is None
    with pytest.raises(InvalidInput, match='session is not ready'):
        await voice.start_call('short', 'Vic')


async def test_a_tab_can_have_a_chat_and_a_call(world):
    voice, _, _, chat, _, _ = world
    key = tab()
    chatting = await chat.start_chat(key, name='Vic', email='vic@example.com')
    calling = await voice.start_call(key, 'Vic')
    assert chat.current_contact(key).contact_id == chatting.contact_id
    assert voice.current_call(key).contact_id == calling.contact_id != chatting.contact_id


async def test_answering_opens_the_audio_session_with_both_attendees(world):
    voice, meetings, engine, _, provider, bus = world
    key = tab()
    contact = await voice.start_call(key, 'Vic')
    await settle()
    heard, agent_heard = [], []
    bus.subscribe(contact_topic(contact.contact_id), heard.append)
    bus.subscribe(agent_topic('ann'), agent_heard.append)
    assert voice.customer_join_info(key) is None and provider.created == []  # nothing while the call waits
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    agent = voice.agent_join_info('ann', contact.contact_id)
    customer = voice.customer_join_info(key)
    assert provider.created == [agent.meeting_id] == [customer.meeting_id]
    assert agent.backend == 'local' and agent.name == 'Ann Agent' and customer.name == 'Vic'
    assert customer.data == {'meeting_id': agent.meeting_id, 'attendee_id': customer.attendee_id, 'name': 'Vic'}
    assert agent.attendee_id not in str(customer.data) and customer.attendee_id not in str(agent.data)
    assert meetings.names(agent.meeting_id) == {agent.attendee_id: 'Ann Agent', customer.attendee_id: 'Vic'}
    live = VoiceChanged(contact.contact_id, agent.meeting_id, live=True, on_hold=False)
    assert live in heard and live in agent_heard


@pytest.mark.parametrize('who_ends', ['agent', 'customer'])
async def test_the_audio_session_ends_with_the_conversation(world, who_ends):
    voice, _, engine, _, provider, bus = world
    key, contact_id = await answered(voice, engine)
    meeting_id = voice.agent_join_info('ann', contact_id).meeting_id
    heard = []
    bus.subscribe(contact_topic(contact_id), heard.append)
    if who_ends == 'agent':
        engine.end_contact('ann', contact_id)
    else:
        await voice.hang_up(key)
    assert engine.contact(contact_id).state is ContactState.AFTER_CONTACT_WORK
    assert provider.deleted == [meeting_id]
    assert VoiceChanged(contact_id, meeting_id, live=False) in heard
    assert voice.customer_join_info(key) is None
    assert voice.agent_join_info('ann', contact_id) is None
    engine.clear_contact('ann', contact_id)
    assert provider.deleted == [meeting_id]  # ended once


async def test_join_data_is_only_for_the_own_attendee(world):
    voice, _, engine, _, _, _ = world
    _, contact_id = await answered(voice, engine)
    with pytest.raises(NotFound):
        voice.agent_join_info('bob', contact_id)
    other = tab()
    await voice.start_call(other, 'Dan')
    assert voice.customer_join_info(other) is None  # another caller, still waiting
    assert voice.customer_join_info(tab()) is None


async def test_only_the_assigned_agent_can_hold_and_both_sides_hear_of_it(world):
    voice, _, engine, _, _, bus = world
    key, contact_id = await answered(voice, engine)
    meeting_id = voice.agent_join_info('ann', contact_id).meeting_id
    heard = []
    bus.subscribe(contact_topic(contact_id), heard.append)
    with pytest.raises(NotFound):
        voice.hold('bob', contact_id, True)
    assert not voice.customer_on_hold(key)
    voice.hold('ann', contact_id, True)
    voice.hold('ann', contact_id, True)  # already on hold: nothing more happens
    assert voice.customer_on_hold(key) and voice.is_on_hold('ann', contact_id)
    assert [e for e in heard if isinstance(e, VoiceChanged)] == [VoiceChanged(contact_id, meeting_id, True, True)]
    voice.hold('ann', contact_id, False)
    assert not voice.customer_on_hold(key)
    assert heard[-1] == VoiceChanged(contact_id, meeting_id, True, False)
    texts = [m.text for m in engine.transcript(contact_id)]
    assert texts[-2:] == [HOLD_TEXT, RESUME_TEXT]


async def test_hold_needs_a_connected_call(world):
    voice, _, engine, _, _, _ = world
    key, contact_id = await answered(voice, engine)
    engine.end_contact('ann', contact_id)
    with pytest.raises(NotAllowed, match='Only a connected call'):
        voice.hold('ann', contact_id, True)
    assert not voice.customer_on_hold(key)


async def test_a_held_call_that_ends_is_no_longer_on_hold(world):
    voice, _, engine, _, _, _ = world
    key, contact_id = await answered(voice, engine)
    voice.hold('ann', contact_id, True)
    await voice.hang_up(key)
    assert not voice.customer_on_hold(key)


async def test_signals_are_relayed_between_the_two_ends_of_a_call(world):
    voice, meetings, engine, _, _, _ = world
    key, contact_id = await answered(voice, engine)
    agent, customer = voice.agent_join_info('ann', contact_id), voice.customer_join_info(key)
    to_customer = []
    meetings.subscribe_signals(customer, to_customer.append)
    meetings.relay_signal(agent, '*', {'type': 'hello'})
    assert to_customer == [SignalReceived(agent.meeting_id, agent.attendee_id, {'type': 'hello'})]


async def test_video_is_refused_on_a_call(world):
    voice, meetings, engine, _, _, _ = world
    _, contact_id = await answered(voice, engine)
    audio = voice.agent_join_info('ann', contact_id)
    with pytest.raises(NotAllowed, match='Video starts from a chat') as refused:
        await meetings.start_video('ann', contact_id)
    assert str(refused.value) == NO_VIDEO_ON_CALLS_TEXT
    assert meetings.agent_join_info('ann', contact_id) is None  # the audio session is not a video call to rejoin
    assert voice.agent_join_info('ann', contact_id) == audio


async def test_calls_use_browser_webrtc_even_with_chime_meetings(tmp_path):
    services = build_services(Settings(demo=True, data_dir=tmp_path, meeting_backend='chime'))
    await services.start()
    try:
        services.accounts.add_agent('ann', 'Ann Agent', 'agent-password')
        services.agent_desk.load_agent('ann')
        key = tab()
        contact = await services.voice.start_call(key, 'Vic')
        await settle()
        services.agent_desk.set_status('ann', AgentStatus.AVAILABLE)
        services.agent_desk.accept('ann', contact.contact_id)
        assert services.meetings.backend == 'chime'
        assert services.voice.customer_join_info(key).backend == 'local'
    finally:
        await services.stop()

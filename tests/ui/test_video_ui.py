"""Video escalation wiring under the simulated User: the meeting element's events are triggered by hand
(its JavaScript does not run here; the Playwright tests cover the real media)."""

from __future__ import annotations

import pytest
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from backend.domain.video_signal import STARTED_TEXT
from tests.ui.helpers import (
    accepted_chat,
    calls,
    capture_js,
    choose,
    create_agent,
    elements,
    find,
    start_chat,
    wait_for,
)
from ui_common.call_panel import ERROR_TEXT, CallPanel
from ui_common.chat_transcript import ChatTranscript
from ui_common.meeting import MeetingElement

DEVICES = {'audio_inputs': [{'id': 'mic-1', 'label': 'Desk microphone'}],
           'video_inputs': [{'id': 'cam-1', 'label': 'Desk camera'}],
           'audio_outputs': [{'id': 'spk-1', 'label': 'Headset'}]}


def panel(user: User) -> CallPanel:
    return next(e for e in user.client.layout.descendants() if isinstance(e, CallPanel))


def trigger(user: User, event: str, args: dict) -> None:
    element = next(e for e in user.client.layout.descendants() if isinstance(e, MeetingElement))
    UserInteraction(user, {element}, None).trigger(event, args)


@pytest.fixture
async def chatting(create_user):
    create_agent('ann', 'Ann Agent')
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer)
    return agent, customer, capture_js(agent), capture_js(customer)


async def both_in_call(agent: User, customer: User, agent_js: list[str], customer_js: list[str]) -> None:
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    await join(agent, agent_js)
    (await wait_for(customer, 'join-video')).click()
    await join(customer, customer_js)


async def join(user: User, sent: list[str]) -> dict:
    trigger(user, 'devices', DEVICES)
    find(user, 'join-meeting').click()
    (join_info, options), = await calls(sent, 'join')
    trigger(user, 'joined', {'attendee_id': join_info['attendee_id']})
    await wait_for(user, 'leave')
    return join_info | options


async def test_start_video_opens_device_setup_and_invites_the_customer(chatting) -> None:
    agent, customer, agent_js, _ = chatting
    find(agent, 'start-video').click()
    await agent.should_see('Join meeting as Ann Agent')
    await agent.should_see('The camera stays off until you turn it on.')
    assert await calls(agent_js, 'listDevices')
    await customer.should_see(STARTED_TEXT)
    await customer.should_see('Join video call')


async def test_devices_fill_the_selects_and_join_starts_with_the_camera_off(chatting) -> None:
    agent, _, agent_js, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    trigger(agent, 'devices', DEVICES)
    assert find(agent, 'microphone-select').elements.pop().value == 'mic-1'
    assert find(agent, 'camera-select').elements.pop().value == 'cam-1'
    assert (await calls(agent_js, 'startPreview'))[-1] == ['mic-1', 'cam-1']
    choose(agent, 'quality-select', '540p')
    joined = await join(agent, agent_js)
    assert joined['camera_on'] is False and joined['quality'] == '540p'
    assert joined['audio_input'] == 'mic-1' and joined['video_input'] == 'cam-1' and joined['name'] == 'Ann Agent'
    await agent.should_see('Ann Agent (you)')
    find(agent, 'camera').click()
    find(agent, 'mute').click()
    assert await calls(agent_js, 'setCamera') == [[True]] and await calls(agent_js, 'setMuted') == [[True]]


async def test_customer_joins_and_signals_are_relayed_between_the_two_pages(chatting) -> None:
    agent, customer, agent_js, customer_js = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    agent_join = await join(agent, agent_js)
    (await wait_for(customer, 'join-video')).click()
    await customer.should_see('Join meeting as Cara Customer')
    transcript = next(e for e in customer.client.layout.descendants() if isinstance(e, ChatTranscript))
    assert transcript.props['height'] == '9rem'  # the chat makes room for the video
    customer_join = await join(customer, customer_js)
    assert customer_join['meeting_id'] == agent_join['meeting_id']
    assert customer_join['attendee_id'] != agent_join['attendee_id']

    trigger(agent, 'signal', {'to': '*', 'data': {'type': 'hello'}})
    trigger(customer, 'signal', {'to': agent_join['attendee_id'], 'data': {'type': 'answer', 'sdp': 'v=0'}})
    assert await calls(customer_js, 'receiveSignal') == [[agent_join['attendee_id'], {'type': 'hello'}]]
    assert await calls(agent_js, 'receiveSignal') == [
        [customer_join['attendee_id'], {'type': 'answer', 'sdp': 'v=0'}]]

    trigger(agent, 'attendeeJoined', {'attendee_id': customer_join['attendee_id'], 'name': '<b>spoofed</b>'})
    await agent.should_see('Cara Customer')  # names come from the server, not from the other browser
    await agent.should_not_see('<b>spoofed</b>')
    trigger(agent, 'attendeeLeft', {'attendee_id': customer_join['attendee_id'], 'name': ''})
    await agent.should_see('Cara Customer left the video call.')


async def test_start_video_twice_reuses_the_meeting(chatting) -> None:
    agent, customer, _, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    first = panel(agent).join_info
    find(agent, 'start-video').click()
    await agent.should_see('Join meeting as Ann Agent')
    assert panel(agent).join_info == first
    await customer.should_see(STARTED_TEXT)
    transcript = next(e for e in customer.client.layout.descendants() if isinstance(e, ChatTranscript))
    assert transcript.texts.count(STARTED_TEXT) == 1


async def test_device_errors_explain_and_joining_still_works(chatting) -> None:
    agent, _, agent_js, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    trigger(agent, 'error', {'code': 'permission-denied', 'message': 'NotAllowedError'})
    await agent.should_see(ERROR_TEXT['permission-denied'])
    trigger(agent, 'devices', {'audio_inputs': [], 'video_inputs': [], 'audio_outputs': []})
    find(agent, 'join-meeting').click()
    assert (await calls(agent_js, 'join'))[-1][1]['video_input'] is None
    trigger(agent, 'joined', {'attendee_id': 'x'})
    await wait_for(agent, 'share')
    find(agent, 'share').click()
    assert await calls(agent_js, 'startShare')
    trigger(agent, 'error', {'code': 'share-cancelled', 'message': ''})
    await agent.should_see('Screen sharing was cancelled.')


async def test_end_for_all_tells_the_customer(chatting) -> None:
    agent, customer, agent_js, customer_js = chatting
    await both_in_call(agent, customer, agent_js, customer_js)
    find(agent, 'end-for-all').click()
    await customer.should_see('The agent ended the video session')
    await agent.should_see('The video session has ended.')
    assert await calls(customer_js, 'leave') and await calls(agent_js, 'leave')
    assert not elements(customer, 'join-video')


async def test_leave_then_rejoin_while_the_meeting_lives(chatting) -> None:
    agent, customer, _, customer_js = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    (await wait_for(customer, 'join-video')).click()
    await join(customer, customer_js)
    find(customer, 'leave').click()
    await customer.should_see('You left the video call.')
    (await wait_for(customer, 'rejoin')).click()
    await customer.should_see('Join meeting as Cara Customer')


async def test_reloading_either_side_offers_rejoin(chatting) -> None:
    agent, customer, agent_js, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    await join(agent, agent_js)
    await customer.open('/')
    await customer.should_see('Rejoin video call')
    await agent.open('/agent')
    await agent.should_see('A video call is in progress.')
    await wait_for(agent, 'rejoin')


async def test_ending_the_chat_leaves_the_call_and_clearing_ends_the_meeting(chatting) -> None:
    agent, customer, agent_js, customer_js = chatting
    await both_in_call(agent, customer, agent_js, customer_js)
    find(customer, 'end-chat').click()
    await customer.should_see('This chat has ended')
    assert await calls(customer_js, 'leave')
    assert not elements(customer, 'call-panel')
    (await wait_for(agent, 'clear-contact')).click()
    await agent.should_see('The video session has ended.')
    assert await calls(agent_js, 'leave')


async def test_no_camera_still_joins_with_audio_only(chatting) -> None:
    agent, _, agent_js, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    trigger(agent, 'devices', {**DEVICES, 'video_inputs': []})
    trigger(agent, 'error', {'code': 'no-camera', 'message': 'NotFoundError'})
    await agent.should_see(ERROR_TEXT['no-camera'])
    find(agent, 'join-meeting').click()
    (_, options), = await calls(agent_js, 'join')
    assert options['video_input'] is None and options['audio_input'] == 'mic-1'


async def test_agent_can_cancel_video_before_joining(chatting) -> None:
    agent, customer, _, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'cancel-video')
    await wait_for(customer, 'join-video')
    find(agent, 'cancel-video').click()
    await customer.should_see('The agent ended the video session.')
    await agent.should_see('The video session has ended.')
    assert not elements(customer, 'join-video')


async def test_a_resync_shows_what_the_store_has_after_events_were_lost(chatting) -> None:
    """Between server processes, events can be lost while Redis is away; on reconnect the bus tells each topic's
    pages to look again (``Resync``), and the customer's page shows the meeting's state from the store."""
    from backend.domain.model import MeetingState
    from backend.events import Resync, contact_topic
    from customer_ui.chat_panel import CustomerChatPanel

    agent, customer, _, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(customer, 'join-video')
    chat_panel = next(e for e in customer.client.layout.descendants() if isinstance(e, CustomerChatPanel))
    contact = chat_panel._chat.current_contact(chat_panel._session_key)
    assert contact is not None
    store = chat_panel._meetings._media._store
    meeting = store.live_meeting_for_contact(contact.contact_id)
    meeting.state = MeetingState.ENDED  # ended elsewhere; its MeetingChanged never arrived here
    store.update_meeting(meeting)
    assert elements(customer, 'join-video')
    topic = contact_topic(contact.contact_id)
    chat_panel._meetings._bus.publish(topic, Resync(topic))
    assert not elements(customer, 'join-video')


async def test_a_device_list_that_comes_back_after_join_starts_no_preview(chatting) -> None:
    """Join clicked before the device list was back: the late list fills the selects but must not reopen the camera
    for a preview (it used to stay on above the call while the camera button said off)."""
    agent, _, agent_js, _ = chatting
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    find(agent, 'join-meeting').click()
    assert await calls(agent_js, 'join')
    trigger(agent, 'devices', DEVICES)
    assert find(agent, 'camera-select').elements.pop().value == 'cam-1'
    assert await calls(agent_js, 'startPreview') == []  # waits for one as long as calls() waits for any call


async def test_ending_the_chat_during_device_setup_closes_the_setup(chatting) -> None:
    """A customer who ends the chat while still in device setup leaves it: the element stops its preview."""
    agent, customer, _, customer_js = chatting
    find(agent, 'start-video').click()
    (await wait_for(customer, 'join-video')).click()
    await wait_for(customer, 'join-meeting')
    find(customer, 'end-chat').click()
    await customer.should_see('This chat has ended')
    assert await calls(customer_js, 'leave')


async def test_the_share_button_says_what_it_does(chatting) -> None:
    agent, customer, agent_js, customer_js = chatting
    await both_in_call(agent, customer, agent_js, customer_js)
    assert panel(customer).share_tooltip.text == 'Share screen'
    attendee = panel(customer).join_info
    assert attendee is not None
    trigger(customer, 'contentShare', {'attendee_id': attendee.attendee_id, 'on': True, 'local': True})
    assert panel(customer).share_tooltip.text == 'Stop sharing'
    trigger(customer, 'contentShare', {'attendee_id': attendee.attendee_id, 'on': False, 'local': True})
    assert panel(customer).share_tooltip.text == 'Share screen'


async def test_the_next_contact_starts_with_a_clean_call_column(chatting, create_user) -> None:
    """After Clear contact the note about the ended video stays until the agent opens the next customer's chat."""
    agent, customer, agent_js, customer_js = chatting
    await both_in_call(agent, customer, agent_js, customer_js)
    find(customer, 'end-chat').click()
    (await wait_for(agent, 'clear-contact')).click()
    await agent.should_see('The video session has ended.')
    choose(agent, 'status-select', 'Available')
    await start_chat(create_user(), name='Nina Next', email='nina@example.com')
    (await wait_for(agent, 'accept')).click()
    await agent.should_see('Nina Next')
    await agent.should_not_see('The video session has ended.')
    assert not panel(agent).visible

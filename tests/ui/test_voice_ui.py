"""Phone calls under the simulated User: the customer's "Call us" page and the agent's softphone. The meeting
elements' events are triggered by hand (their JavaScript does not run here; the Playwright test covers real audio)."""

from __future__ import annotations

from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from agent_ui.local_desktop.softphone import Softphone
from customer_ui.phone_page import MICROPHONE_HINT
from tests.ui.helpers import (
    calls,
    capture_js,
    choose,
    create_agent,
    elements,
    find,
    login,
    start_chat,
    status_is,
    wait_for,
)
from ui_common.chat_transcript import ChatTranscript
from ui_common.meeting import MeetingElement

GREETING = ('Hi Vic Caller! Thank you for calling our video contact centre. '
            'Please hold while we connect you to an agent.')


def phone_element(user: User) -> MeetingElement:
    """The audio-only meeting element: the softphone's on the agent desktop, the only one on the phone page."""
    softphones = [e for e in user.client.layout.descendants() if isinstance(e, Softphone)]
    root = softphones[0] if softphones else user.client.layout
    return next(e for e in root.descendants() if isinstance(e, MeetingElement))


def trigger(user: User, event: str, args: dict) -> None:
    UserInteraction(user, {phone_element(user)}, None).trigger(event, args)


async def dial(user: User, name: str = 'Vic Caller') -> None:
    await user.open('/call')
    await user.should_see('Call us')
    find(user, 'caller-name').type(name)
    find(user, 'call').click()
    await user.should_see('Calling Example Bank…')


async def on_call(agent: User, customer: User) -> tuple[list[str], list[str]]:
    """Agent logged in and Available, the customer calls, the agent answers; both pages' JS is recorded."""
    create_agent('ann', 'Ann Agent')
    await login(agent)
    agent_js = capture_js(agent)
    choose(agent, 'status-select', 'Available')
    await dial(customer)
    customer_js = capture_js(customer)
    await agent.should_see('Incoming call')
    await agent.should_see('Vic Caller')
    find(agent, 'accept').click()
    await agent.should_see('On call with Vic Caller')
    return agent_js, customer_js


async def test_the_website_links_to_the_phone_page(user: User) -> None:
    await user.open('/')
    await user.should_see('Call us')
    (link,) = elements(user, 'call-us')
    assert link.props['href'] == '/call'


async def test_the_phone_page_explains_the_microphone_and_validates_the_name(user: User) -> None:
    await user.open('/call')
    await user.should_see('Example Bank')
    await user.should_see(MICROPHONE_HINT)
    find(user, 'call').click()
    await user.should_see('Please enter your name.')
    find(user, 'caller-name').type('x' * 65)
    find(user, 'call').click()
    await user.should_see('Please keep your name to 64 characters or fewer.')
    await user.should_not_see('Calling Example Bank…')
    assert elements(user, 'call'), 'the form stays so the caller can fix the name'


async def test_calling_shows_the_flow_prompts_as_captions(user: User) -> None:
    await dial(user)
    await user.should_see('You are number 1 in the queue.')  # the latest prompt, after the greeting
    (caption,) = elements(user, 'call-caption')
    assert caption.text.startswith('You are number 1 in the queue.')  # type: ignore[attr-defined]
    assert elements(user, 'call-timer') and elements(user, 'hang-up') and elements(user, 'mute-call')


async def test_answering_connects_both_sides_audio_only(create_user) -> None:
    agent, customer = create_user(), create_user()
    agent_js, customer_js = await on_call(agent, customer)
    (agent_join, agent_options), = await calls(agent_js, 'join')
    (customer_join, customer_options), = await calls(customer_js, 'join')
    assert agent_join['meeting_id'] == customer_join['meeting_id']
    assert agent_join['attendee_id'] != customer_join['attendee_id']
    assert agent_join['name'] == 'Ann Agent' and customer_join['name'] == 'Vic Caller'
    for options in (agent_options, customer_options):
        assert options['video_input'] is None and options['camera_on'] is False  # the camera is never used
    assert phone_element(agent).props['audioOnly'] and phone_element(customer).props['audioOnly']

    trigger(customer, 'attendeeJoined', {'attendee_id': agent_join['attendee_id'], 'name': 'Ann Agent'})
    await customer.should_see('Connected')
    trigger(agent, 'attendeeJoined', {'attendee_id': customer_join['attendee_id'], 'name': 'Vic Caller'})
    await agent.should_see('Connected')

    trigger(agent, 'signal', {'to': '*', 'data': {'type': 'hello'}})
    trigger(customer, 'signal', {'to': agent_join['attendee_id'], 'data': {'type': 'offer', 'sdp': 'v=0'}})
    assert await calls(customer_js, 'receiveSignal') == [[agent_join['attendee_id'], {'type': 'hello'}]]
    assert await calls(agent_js, 'receiveSignal') == [[customer_join['attendee_id'], {'type': 'offer', 'sdp': 'v=0'}]]


async def test_the_agent_sees_a_read_only_phone_contact(create_user) -> None:
    agent, customer = create_user(), create_user()
    await on_call(agent, customer)
    await agent.should_see('Phone call')
    assert elements(agent, 'channel-voice') and elements(agent, 'voice-contact')
    transcript = next(e for e in agent.client.layout.descendants() if isinstance(e, ChatTranscript))
    assert GREETING in transcript.texts and 'Ann Agent answered the call.' in transcript.texts
    for hidden in ('agent-reply', 'start-video', 'end-contact', 'clear-contact'):
        assert not elements(agent, hidden), hidden


async def test_hold_mutes_and_silences_both_sides(create_user) -> None:
    agent, customer = create_user(), create_user()
    agent_js, customer_js = await on_call(agent, customer)
    await calls(customer_js, 'join')
    find(agent, 'hold').click()
    await customer.should_see('You are on hold')
    await agent.should_see('On hold: you and the caller cannot hear each other.')
    await agent.should_see('Resume')
    await agent.should_see('The agent put the call on hold.')
    for sent in (agent_js, customer_js):  # each page joined unmuted, then hold muted and silenced it
        assert await calls(sent, 'setMuted', expected=2) == [[False], [True]]
        assert await calls(sent, 'setRemoteAudioMuted', expected=2) == [[False], [True]]
    find(agent, 'hold').click()
    await agent.should_see('The agent resumed the call.')
    await customer.should_not_see('You are on hold')
    for sent in (agent_js, customer_js):
        assert (await calls(sent, 'setMuted', expected=3))[-1] == [False]
        assert (await calls(sent, 'setRemoteAudioMuted', expected=3))[-1] == [False]


async def test_mute_stays_on_through_hold_and_resume(create_user) -> None:
    agent, customer = create_user(), create_user()
    agent_js, _ = await on_call(agent, customer)
    find(agent, 'softphone-mute').click()
    find(agent, 'hold').click()
    await agent.should_see('Resume')
    find(agent, 'hold').click()
    await agent.should_see('Hold')
    assert await calls(agent_js, 'setMuted', expected=4) == [[False], [True], [True], [True]]


async def test_end_call_gives_after_contact_work_and_the_caller_can_call_again(create_user) -> None:
    agent, customer = create_user(), create_user()
    agent_js, customer_js = await on_call(agent, customer)
    find(agent, 'end-call').click()
    await customer.should_see('Call ended')
    await agent.should_see('After contact work')
    await agent.should_see('The agent ended the call.')
    assert await calls(agent_js, 'leave') and await calls(customer_js, 'leave')
    assert not elements(agent, 'softphone')
    assert not elements(customer, 'hang-up')
    (await wait_for(agent, 'clear-contact')).click()
    await agent.should_see('No contact selected')
    await status_is(agent, 'Available')
    find(customer, 'call-again').click()
    await customer.should_see(MICROPHONE_HINT)
    assert elements(customer, 'call')


async def test_the_customer_hanging_up_tells_the_agent(create_user) -> None:
    agent, customer = create_user(), create_user()
    await on_call(agent, customer)
    find(customer, 'hang-up').click()
    await customer.should_see('Call ended')
    await agent.should_see('The customer hung up.')
    await agent.should_see('After contact work')
    assert not elements(agent, 'softphone')


async def test_a_reload_on_either_side_rejoins_the_call(create_user) -> None:
    agent, customer = create_user(), create_user()
    _, customer_js = await on_call(agent, customer)
    (first, _), = await calls(customer_js, 'join')
    find(agent, 'hold').click()
    await customer.should_see('You are on hold')

    await customer.open('/call')  # same tab: the server finds the same call
    await customer.should_see('You are on hold')
    page = next(e for e in customer.client.layout.descendants() if isinstance(e, MeetingElement))
    assert page.props['audioOnly']
    find(customer, 'hang-up')  # still on the call

    await agent.open('/agent')
    await agent.should_see('On call with Vic Caller')
    softphone = next(e for e in agent.client.layout.descendants() if isinstance(e, Softphone))
    assert softphone.join_info is not None and softphone.join_info.meeting_id == first['meeting_id']
    assert softphone.on_hold
    await agent.should_see('Resume')


async def test_a_call_is_not_offered_during_a_chat(create_user) -> None:
    create_agent('ann', 'Ann Agent')
    agent, chatter, caller = create_user(), create_user(), create_user()
    await login(agent)
    choose(agent, 'status-select', 'Available')
    await start_chat(chatter)
    (await wait_for(agent, 'accept')).click()
    await wait_for(agent, 'end-contact')
    await dial(caller)
    await caller.should_see('You are number 1 in the queue.')
    await agent.should_not_see('Incoming call')
    find(agent, 'end-contact').click()  # the chat goes to after-contact work: nothing is live any more
    await agent.should_see('Incoming call')


async def test_only_the_active_desktop_tab_is_in_the_call(create_user) -> None:
    agent, customer = create_user(), create_user()
    agent_js, _ = await on_call(agent, customer)
    (first, _), = await calls(agent_js, 'join')
    second_tab = create_user()
    await login(second_tab)  # the same agent opens the desktop again: it takes over
    await second_tab.should_see('On call with Vic Caller')
    await agent.should_see('Your desktop is open in another tab.')
    await agent.should_see('This call continues in your other tab.')
    assert await calls(agent_js, 'leave')
    softphone = next(e for e in second_tab.client.layout.descendants() if isinstance(e, Softphone))
    assert softphone.join_info is not None and softphone.join_info.attendee_id == first['attendee_id']

"""The agent desktop in aws mode (the Amazon Connect CCP in the drawer) under the simulated User.

The app is the real one with aws mode's agent-side services: no agent desk, a ``CcpLoginService`` (popup login) and
a ``MeetingService`` that asks ``ContactAssignments`` who a contact belongs to (a fake here, DescribeContact in
production) over the browser-to-browser meeting provider. The CCP element's JavaScript does not run here: its events
are fired by hand, as Streams would report them, and the element's method calls are read from the page's outbox.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

import vce.web
from agent_ui.connect_desktop.connect_ccp import ConnectCcp
from backend.adapters.local.meetings import LocalMeetingProvider
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.connect_instance import connect_instance_urls
from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import AssignedContact, Channel, Contact, ContactState
from backend.domain.video_signal import VideoAction, format_video_signal
from backend.events import EventBus
from backend.services.bundle import Services
from backend.services.ccp_login import CcpLoginService
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import MeetingService
from backend.settings import Settings
from tests.ui.helpers import create_agent, elements, find, login, wait_for
from tests.ui.test_video_ui import calls, capture_js

CHAT = '2b9f8e1c-5a4d-4c3b-9e2f-1a0b9c8d7e6f'
OTHERS_CHAT = '7c1d0e2f-3a4b-4c5d-8e9f-0a1b2c3d4e5f'
ATTRIBUTES = {'customerName': 'Cara <b>Customer</b>', 'customerEmailAddress': 'cara@example.com',
              'videoReferenceId': ''}
ANOTHER_AGENT_TEXT = 'This contact is assigned to another agent.'


class FakeAssignments:
    """``ContactAssignments`` as DescribeContact answers it: ann has CHAT (connected); OTHERS_CHAT is bob's."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        self.asked.append((username, contact_id))
        if contact_id == OTHERS_CHAT:
            raise NotAllowed(ANOTHER_AGENT_TEXT)
        if contact_id != CHAT or username != 'ann':
            raise NotFound('There is no such contact.')
        contact = Contact(contact_id=CHAT, customer_name='Cara <b>Customer</b>', customer_email='cara@example.com',
                          initiated_at=0.0, state=ContactState.CONNECTED, channel=Channel.CHAT,
                          agent_username='ann')
        return AssignedContact(contact=contact, agent_name='Ann Agent')

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        return True


class QuietNotes:
    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None: ...
    def add_event(self, contact_id: str, text: str) -> None: ...


@dataclasses.dataclass
class AwsSide:
    assignments: FakeAssignments
    store: SqliteStore


@pytest.fixture
def aws_side(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsSide]:
    """Build the app as usual, then give it aws mode's agent side (before the ``user`` fixtures run)."""
    side = AwsSide(FakeAssignments(), SqliteStore(':memory:'))
    build_local = vce.web.build_services

    def build(settings: Settings) -> Services:
        services = build_local(settings)
        bus = EventBus()
        meetings = MeetingService(MediaSessions(LocalMeetingProvider(), side.store, bus), side.assignments,
                                  QuietNotes(), services.customer_chat, bus)
        ccp_login = CcpLoginService(connect_instance_urls('https://desk-test.my.connect.aws'), 'eu-west-2', 'popup')
        return dataclasses.replace(services, agent_desk=None, voice=None, meetings=meetings, ccp_login=ccp_login)

    monkeypatch.setattr(vce.web, 'build_services', build)
    create_agent('ann', 'Ann Agent')
    yield side
    side.store.close()


@pytest.fixture
async def agent(aws_side: AwsSide, user: User) -> User:
    await login(user)
    return user


def ccp(user: User) -> ConnectCcp:
    assert user.client is not None
    return next(e for e in user.client.layout.descendants() if isinstance(e, ConnectCcp))


def ccp_event(user: User, event: str, args: dict) -> None:
    UserInteraction(user, {ccp(user)}, None).trigger(event, args)


def signed_in(user: User, username: str = 'ann') -> None:
    ccp_event(user, 'agent', {'username': username, 'name': 'Ann Agent', 'arn': 'arn:agent', 'state_name': 'Available',
                              'state_type': 'routable'})


def contact(user: User, state: str, contact_id: str = CHAT, channel: str = 'CHAT') -> None:
    ccp_event(user, 'contact', {'contact_id': contact_id, 'state': state, 'channel': channel,
                                'attributes': ATTRIBUTES, 'reason': ''})


async def open_contact(user: User, contact_id: str = CHAT) -> None:
    (await wait_for(user, 'contact-item')).click()
    await wait_for(user, 'customer-name')


async def test_the_desktop_embeds_the_ccp_once_with_the_configured_instance(agent: User) -> None:
    await agent.should_see('Ann Agent')
    await agent.should_see('Create ad-hoc')
    element = ccp(agent)
    assert element.props['ccpUrl'] == 'https://desk-test.my.connect.aws/ccp-v2/'
    assert element.props['loginMode'] == 'popup' and element.props['region'] == 'eu-west-2'
    await agent.should_see('No contacts yet')
    signed_in(agent)
    contact(agent, 'connected')
    await open_contact(agent)
    assert ccp(agent) is element  # the sub-page changed; the CCP was not rebuilt


async def test_a_connecting_then_connected_chat_is_listed_and_shown(agent: User) -> None:
    signed_in(agent)
    contact(agent, 'connecting')
    await agent.should_see('Incoming')
    await open_contact(agent)
    assert find(agent, 'customer-name').elements.pop().text == 'Cara <b>Customer</b>'  # as text
    await agent.should_see('cara@example.com')
    assert not elements(agent, 'start-video')  # not before the chat is connected
    contact(agent, 'connected')
    await wait_for(agent, 'start-video')
    assert find(agent, 'contact-state').elements.pop().text == 'Connected'
    assert not elements(agent, 'agent-reply')  # the chat itself is in the CCP


async def test_start_video_checks_the_contact_opens_setup_and_signals_the_customer(agent: User,
                                                                                     aws_side: AwsSide) -> None:
    sent = capture_js(agent)
    signed_in(agent)
    contact(agent, 'connected')
    await open_contact(agent)
    find(agent, 'start-video').click()
    await agent.should_see('Join meeting as Ann Agent')
    assert aws_side.assignments.asked == [('ann', CHAT)]
    meeting = aws_side.store.live_meeting_for_contact(CHAT)
    assert meeting is not None and meeting.owner_username == 'ann'
    assert await calls(sent, 'sendChatMessage') == [[CHAT, format_video_signal(VideoAction.STARTED,
                                                                                meeting.meeting_id)]]

    find(agent, 'cancel-video').click()  # End for all, before joining
    await agent.should_see('The video session has ended.')
    assert aws_side.store.live_meeting_for_contact(CHAT) is None
    assert (await calls(sent, 'sendChatMessage', expected=2))[1] == \
        [CHAT, format_video_signal(VideoAction.ENDED, meeting.meeting_id)]


async def test_another_agents_contact_is_refused_with_the_services_message(agent: User, aws_side: AwsSide) -> None:
    sent = capture_js(agent)
    signed_in(agent)
    contact(agent, 'connected', contact_id=OTHERS_CHAT)
    await open_contact(agent, OTHERS_CHAT)
    find(agent, 'start-video').click()
    await agent.should_see(ANOTHER_AGENT_TEXT)
    assert aws_side.store.live_meeting_for_contact(OTHERS_CHAT) is None
    assert await calls(sent, 'sendChatMessage', expected=0) == []
    assert not elements(agent, 'join-meeting')


async def test_a_contact_cleared_in_the_ccp_ends_its_meeting(agent: User, aws_side: AwsSide) -> None:
    signed_in(agent)
    contact(agent, 'connected')
    await open_contact(agent)
    find(agent, 'start-video').click()
    await wait_for(agent, 'join-meeting')
    assert aws_side.store.live_meeting_for_contact(CHAT) is not None
    contact(agent, 'after_contact_work')
    await agent.should_see('After contact work')
    assert aws_side.store.live_meeting_for_contact(CHAT) is not None  # as in local mode: only clearing ends it
    contact(agent, 'ended')
    await agent.should_see('The video session has ended.')
    assert aws_side.store.live_meeting_for_contact(CHAT) is None
    await agent.should_see('No contact selected')
    await agent.should_see('No contacts yet')


async def test_a_ccp_signed_in_as_somebody_else_blocks_video(agent: User, aws_side: AwsSide) -> None:
    sent = capture_js(agent)
    signed_in(agent, 'bob')
    await agent.should_see('The contact control panel is signed in as "bob"')
    contact(agent, 'connected')
    await open_contact(agent)
    find(agent, 'start-video').click()
    await agent.should_see('video stays off until then')
    assert aws_side.assignments.asked == []
    assert aws_side.store.live_meeting_for_contact(CHAT) is None
    assert await calls(sent, 'sendChatMessage', expected=0) == []

    signed_in(agent, 'ann')  # signed out of the CCP and in again as the right user
    assert not elements(agent, 'ccp-user-warning')
    find(agent, 'start-video').click()
    await agent.should_see('Join meeting as Ann Agent')


async def test_video_waits_until_the_ccp_has_signed_in(agent: User, aws_side: AwsSide) -> None:
    contact(agent, 'connected')
    await open_contact(agent)
    find(agent, 'start-video').click()
    await agent.should_see('The contact control panel has not signed in yet')
    assert aws_side.assignments.asked == []


async def test_logout_ends_the_session(agent: User) -> None:
    find(agent, 'logout').click()
    await agent.should_see('Log in')
    await agent.open('/agent')
    await agent.should_see('Log in')

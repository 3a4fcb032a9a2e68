"""The unchanged customer page on Amazon Connect: the app's customer chat runs on ConnectCustomerChannel, answered
by model-validated Connect fakes and a participant websocket server on 127.0.0.1 (no AWS, no internet).

Only the customer side is swapped (the agent side is the Connect CCP in aws mode, simulated here by pushing chat
items into the fake); the page, its elements and the service are the local mode's.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import User

import vce.web
from backend.adapters.aws.backoff import Backoff
from backend.adapters.aws.connect_chat import ConnectCustomerChannel
from backend.adapters.aws.connect_chat_api import ConnectChatApi
from backend.adapters.aws.participant_sessions import InMemoryParticipantSessions
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import Attendee, Meeting, ParticipantRole
from backend.domain.video_signal import STARTED_TEXT, VideoAction, format_video_signal
from backend.events import EventBus
from backend.services.bundle import Services
from backend.services.customer_chat import CustomerChatService
from backend.settings import Settings
from tests.contract.connect_chat_fixtures import FLOW_ID, INSTANCE_ID, REGION, clients, joined, message, typing
from tests.contract.fake_connect import FakeConnectChat
from tests.contract.fake_participant_server import FakeParticipantServer
from tests.ui.helpers import find, start_chat
from tests.unit.engine_fixtures import Refs
from ui_common.chat_transcript import ChatTranscript

CONTACT = 'c-0c1d2e3f'
GREETING = 'Hi Cara! Welcome to our video contact centre.'


@dataclasses.dataclass
class ConnectSide:
    server: FakeParticipantServer
    meetings: SqliteStore
    fake: FakeConnectChat | None = None

    @property
    def connect(self) -> FakeConnectChat:
        assert self.fake is not None, 'the app has not started'
        return self.fake


@pytest.fixture
def connect_side(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ConnectSide]:
    """Build the app as usual, then give its customer chat the Connect channel (before the ``user`` fixture runs)."""
    side = ConnectSide(FakeParticipantServer(), SqliteStore(':memory:'))
    build_local = vce.web.build_services

    def build(settings: Settings) -> Services:
        services = build_local(settings)
        boto = clients()
        api = ConnectChatApi(*boto, region=REGION, instance_id=INSTANCE_ID, chat_flow_id=FLOW_ID)
        bus = EventBus()
        channel = ConnectCustomerChannel(api, bus, InMemoryParticipantSessions(), side.meetings,
                                         backoff=Backoff(base=0.01, cap=0.05))
        chat = CustomerChatService(channel, SqliteStore(tmp_path / 'customer-sessions.sqlite3'), Refs(), bus)

        async def start() -> None:
            await services.start()
            await side.server.start()
            side.fake = FakeConnectChat(side.server, asyncio.get_running_loop(), boto)
            side.fake.add(message('greet', GREETING, role='SYSTEM', name='SYSTEM_MESSAGE'), push=False)

        async def stop() -> None:
            await channel.stop()
            await side.server.stop()
            await services.stop()

        return dataclasses.replace(services, customer_chat=chat, start=start, stop=stop)

    monkeypatch.setattr(vce.web, 'build_services', build)
    yield side
    side.meetings.close()


@pytest.fixture
def customer(connect_side: ConnectSide, user: User) -> User:
    return user


def shown(user: User, text: str) -> int:
    assert user.client is not None
    return sum(t == text for e in user.client.layout.descendants() if isinstance(e, ChatTranscript) for t in e.texts)


async def test_the_customer_page_chats_through_connect(connect_side: ConnectSide, customer: User) -> None:
    user = customer
    await start_chat(user, name='Cara')  # the flow's greeting arrives through the transcript catch-up
    await user.should_see('Connecting you to an agent…')
    connect = connect_side.connect
    assert connect.started[0]['ContactFlowId'] == FLOW_ID

    await connect.happen(joined())
    await user.should_see('You are chatting with an agent')
    await user.should_see('Ann Agent joined the chat.')
    await connect.happen(message('m1', 'Hello Cara, how can I help?'))
    await user.should_see('Hello Cara, how can I help?')
    await connect.happen(typing())
    await user.should_see('Agent is typing…')

    find(user, 'reply').type('My card is <b>blocked</b>')
    find(user, 'send').click()
    await user.should_see('My card is <b>blocked</b>')  # as text, once, although Connect echoes it
    await connect.happen(message('m2', 'Let me check.'))
    await user.should_see('Let me check.')
    assert shown(user, 'My card is <b>blocked</b>') == 1
    assert connect.calls['send_message'] == 1

    meeting_id = str(uuid.uuid4())
    connect_side.meetings.save_meeting(Meeting(meeting_id, CONTACT, 'ann', 1.0, {}), [
        Attendee(meeting_id, str(uuid.uuid4()), ParticipantRole.CUSTOMER, 'Cara', {})])
    await connect.happen(message('sig', format_video_signal(VideoAction.STARTED, meeting_id)))
    await user.should_see(STARTED_TEXT)
    await user.should_see('Join video call')
    await user.should_not_see('vce-video')

    find(user, 'end-chat').click()
    await user.should_see('This chat has ended')
    await user.should_see('Start a new chat')
    assert connect.calls['disconnect_participant'] == 1


async def test_a_forged_video_signal_shows_nothing(connect_side: ConnectSide, customer: User) -> None:
    user = customer
    await start_chat(user, name='Cara')
    connect = connect_side.connect
    await connect.happen(joined())
    await connect.happen(message('sig', format_video_signal(VideoAction.STARTED, str(uuid.uuid4()))))
    await connect.happen(message('m1', 'Anything else?'))
    await user.should_see('Anything else?')
    await user.should_not_see('Join video call')
    await user.should_not_see(STARTED_TEXT)

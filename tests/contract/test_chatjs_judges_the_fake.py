"""Amazon Connect ChatJS judges our fake Participant Service, and our adapter is held to what ChatJS does.

Our fakes encode our reading of the protocol. ChatJS is AWS's own client of the same protocol (the version the
vendored agent bundle ships, pinned in ``tests/contract/chatjs/package.json``), so here it runs in Node.js as a chat
customer against the fake's REST endpoints (``fake_participant_http.py``, through ChatJS's ``endpoint`` setting) and
its websocket: connect, subscribe, heartbeats, receive, typing, send, reconnect, transcript, disconnect. Then our
adapter (a boto3 client pointed at the same endpoints) runs a chat and must send what ChatJS sends. Everything stays
on 127.0.0.1; docs/aws/fidelity.md says which assumptions this proves (rows marked "ChatJS").

Needs Node.js 20 and ``npm ci`` in tests/contract/chatjs (scripts/test.sh runs it); skipped otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from backend.adapters.aws.chat_items import TYPING
from backend.adapters.aws.connect_chat import ConnectCustomerChannel
from backend.adapters.aws.connect_chat_api import ConnectChatApi
from backend.adapters.aws.participant_sessions import InMemoryParticipantSessions
from backend.adapters.local.sqlite_store import SqliteStore
from backend.events import EventBus, MessageAdded, contact_topic
from tests.contract.connect_chat_fixtures import FLOW_ID, INSTANCE_ID, REGION, clients, joined, message, typing
from tests.contract.fake_connect import CONTACT, FakeConnectChat
from tests.contract.fake_participant_http import ParticipantHttpFront
from tests.contract.fake_participant_server import FakeParticipantServer

CHATJS_DIR = Path(__file__).parent / 'chatjs'
SCRIPT = CHATJS_DIR / 'customer_chat.js'
STEP_TIMEOUT = 15.0  # seconds for one thing ChatJS does (a reconnect waits ChatJS's own 1 s backoff)

pytestmark = pytest.mark.skipif(
    shutil.which('node') is None or not (CHATJS_DIR / 'node_modules' / 'amazon-connect-chatjs').is_dir(),
    reason='needs Node.js and `npm ci --prefix tests/contract/chatjs` (scripts/test.sh runs it)')


@dataclass
class Fake:
    server: FakeParticipantServer
    connect: FakeConnectChat
    http: ParticipantHttpFront


@pytest.fixture
async def fake() -> AsyncIterator[Fake]:
    server = FakeParticipantServer()
    await server.start()
    connect = FakeConnectChat(server, asyncio.get_running_loop(), clients())
    http = ParticipantHttpFront(connect)
    http.start()
    yield Fake(server, connect, http)
    http.stop()
    await server.stop()
    connect.close()


class ChatJs:
    """The Node.js process: commands in on stdin, ChatJS's reports out on stdout (one JSON object a line)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []

    async def do(self, command: str, **fields: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps({'do': command, **fields}) + '\n').encode())
        await self.process.stdin.drain()

    async def expect(self, event: str, where: Callable[[dict[str, Any]], bool] = lambda e: True) -> dict[str, Any]:
        """The first report of ``event`` (past or coming) that ``where`` accepts."""
        assert self.process.stdout is not None
        async with asyncio.timeout(STEP_TIMEOUT):
            seen = 0
            while True:
                for report in self.events[seen:]:
                    if report.get('event') == event and where(report):
                        return report
                seen = len(self.events)
                line = await self.process.stdout.readline()
                if not line:
                    raise AssertionError(f'ChatJS exited before {event!r}; it said: {self.events}')
                self.events.append(json.loads(line))

    def count(self, event: str) -> int:
        return sum(1 for e in self.events if e.get('event') == event)

    def problems(self, until: str) -> list[dict[str, Any]]:
        """Failures and errors ChatJS reported before ``until`` (after the chat ended, ChatJS may still try a new
        connection and log the AccessDeniedException it gets: that is how it learns the chat is over)."""
        reports = self.events[:next((i for i, e in enumerate(self.events) if e.get('event') == until),
                                    len(self.events))]
        return [e for e in reports if e.get('event') == 'failed' or e.get('level') == 'error']


@contextlib.asynccontextmanager
async def chatjs_customer(fake: Fake) -> AsyncIterator[ChatJs]:
    started = fake.connect.start_chat_contact(InstanceId=INSTANCE_ID, ContactFlowId=FLOW_ID)
    config = {'endpoint': fake.http.url, 'region': REGION, 'contactId': started['ContactId'],
              'participantId': started['ParticipantId'], 'participantToken': started['ParticipantToken']}
    process = await asyncio.create_subprocess_exec(
        shutil.which('node') or 'node', str(SCRIPT), json.dumps(config), cwd=CHATJS_DIR,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    chatjs = ChatJs(process)
    try:
        yield chatjs
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def requests_of(front: ParticipantHttpFront, operation: str) -> list[dict[str, Any]]:
    return [params for op, params in front.requests if op == operation]


async def test_chatjs_chats_through_the_fake_participant_service(fake: Fake) -> None:
    async with chatjs_customer(fake) as chatjs:
        # connect: CreateParticipantConnection over REST, then the websocket ChatJS was given, then subscribe
        await chatjs.expect('connected')
        await chatjs.expect('connect-result', lambda e: e['ok'])
        connections = requests_of(fake.http, 'CreateParticipantConnection')  # more when a slow socket is retried
        assert connections and all(c['Type'] == ['WEBSOCKET', 'CONNECTION_CREDENTIALS'] for c in connections)
        assert not any('ConnectParticipant' in c for c in connections)  # a customer on a websocket does not send it
        await fake.server.wait_for(subscriptions=1)
        # ChatJS's heartbeats: aws/heartbeat must be echoed (else it reconnects), aws/ping answered with a status
        await chatjs.expect('deep-heartbeat', lambda e: e['ok'])
        assert {'topic': 'aws/heartbeat'} in fake.server.received and {'topic': 'aws/ping'} in fake.server.received

        # receive: an agent's message and typing, pushed on the websocket
        await fake.connect.happen(message('m-agent-1', 'Hello Carla, how can I help?'))
        received = await chatjs.expect('message', lambda e: e['item'].get('Id') == 'm-agent-1')
        assert received['item']['Content'] == 'Hello Carla, how can I help?'
        await fake.connect.happen(typing('ev-agent-typing'))
        await chatjs.expect('typing', lambda e: e['item'].get('ParticipantRole') == 'AGENT')

        # send: SendMessage over REST; the echo of the customer's own message arrives on the websocket
        await chatjs.do('send', text='I would like a video call')
        sent = await chatjs.expect('sent')
        echo = await chatjs.expect('message', lambda e: e['item'].get('Id') == sent['id'])
        assert (echo['item']['Content'], echo['item']['ParticipantRole']) == ('I would like a video call', 'CUSTOMER')
        await chatjs.do('typing')
        await chatjs.expect('typed')
        [typed] = requests_of(fake.http, 'SendEvent')
        assert typed['ContentType'] == TYPING and 'Content' not in typed

        # reconnect: the connection drops (no closing handshake); ChatJS reconnects and subscribes again
        fake.server.drop()
        await chatjs.expect('lost')
        await fake.server.wait_for(subscriptions=2)
        await fake.connect.happen(message('m-agent-2', 'Still there?'))
        await chatjs.expect('message', lambda e: e['item'].get('Id') == 'm-agent-2')

        # the transcript over REST has everything, in ChatJS's own paging parameters
        await chatjs.do('transcript')
        transcript = await chatjs.expect('transcript')
        assert [i['Id'] for i in transcript['items'] if i['Type'] == 'MESSAGE'] == ['m-agent-1', sent['id'],
                                                                                  'm-agent-2']
        # leave: DisconnectParticipant; Connect's chat.ended reaches ChatJS, which ends the session
        await chatjs.do('disconnect')
        await chatjs.expect('disconnected')
        await chatjs.expect('ended')
        assert chatjs.problems(until='ended') == []


async def test_our_adapter_sends_what_chatjs_sends(fake: Fake) -> None:
    """The same fake, over HTTP, for both clients: every Participant Service call our adapter makes carries the
    parameters ChatJS sends for it (ChatJS adds only empty or optional ones), with the same values where they are
    not tokens or ids."""
    async with chatjs_customer(fake) as chatjs:
        await chatjs.expect('connected')
        await chatjs.do('send', text='Hi')
        await chatjs.expect('sent')
        await chatjs.do('typing')
        await chatjs.expect('typed')
        await chatjs.do('transcript')
        await chatjs.expect('transcript')
        await chatjs.do('disconnect')
        await chatjs.expect('disconnected')
    by_chatjs = list(fake.http.requests)
    fake.http.requests.clear()
    fake.connect.transcript.clear()  # a new chat on the same fake
    fake.connect.participant_ended = False

    await run_our_adapter(fake)
    ours = list(fake.http.requests)

    assert {op for op, _ in ours} == {op for op, _ in by_chatjs} == {
        'CreateParticipantConnection', 'SendMessage', 'SendEvent', 'GetTranscript', 'DisconnectParticipant'}
    secret = {'ParticipantToken', 'ConnectionToken', 'ClientToken', 'Content'}
    for operation in {op for op, _ in ours}:
        [theirs] = {json.dumps({k: v for k, v in p.items() if k not in secret}, sort_keys=True)
                    for op, p in by_chatjs if op == operation} or [None]
        for _, params in [(op, p) for op, p in ours if op == operation]:
            chatjs_params = json.loads(theirs)
            extra = set(params) - set(chatjs_params) - secret
            assert extra == set(), f'{operation}: we send {extra} that ChatJS does not'
            for name in set(params) - secret:
                assert params[name] == chatjs_params[name], f'{operation}.{name}: {params[name]!r} vs ChatJS\'s'


async def run_our_adapter(fake: Fake) -> None:
    """ConnectCustomerChannel with a Participant Service client that talks HTTP to the fake (no botocore hooks)."""
    participant = boto3.session.Session(region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x').client(
        'connectparticipant', endpoint_url=fake.http.url)
    api = ConnectChatApi(fake.connect.connect_client, participant, region=REGION, instance_id=INSTANCE_ID,
                         chat_flow_id=FLOW_ID, clock=lambda: fake.connect.now)
    bus, events = EventBus(), []
    bus.subscribe(contact_topic(CONTACT), events.append)
    channel = ConnectCustomerChannel(api, bus, InMemoryParticipantSessions(), SqliteStore(':memory:'))
    subscribed = fake.server.subscriptions
    try:
        await channel.start_chat(name='Carla', email='carla@example.com', attributes={'customerName': 'Carla'})
        await fake.server.wait_for(subscriptions=subscribed + 1)
        await fake.connect.happen(joined())  # an agent is there: the customer's typing is sent from now on
        await fake.connect.happen(message('m-agent-9', 'Hello'))
        async with asyncio.timeout(STEP_TIMEOUT):  # both items reached our socket, in order
            while not any(isinstance(e, MessageAdded) and e.message.text == 'Hello' for e in events):
                await asyncio.sleep(0.01)
        await channel.customer_message(CONTACT, 'Hi')
        channel.customer_typing(CONTACT)
        await channel.drain()
        await channel.customer_end(CONTACT)
    finally:
        await channel.stop()

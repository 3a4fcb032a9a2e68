"""The Redis event bus against a real redis-server: what crosses, in what order, to whom, and after a Redis restart.

Two buses with their own connections stand for two server processes (each has its own id, as a process does);
``tests/contract/test_two_processes.py`` runs two real ones.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from backend.adapters.redis.event_bus import RedisEventBus, connect
from backend.adapters.redis.event_codec import UndecodableEvent, decode, dumps, encode, loads
from backend.domain.model import Agent, AgentStatus, Channel, Contact, ContactState, Message, ParticipantRole
from backend.events import (
    ALL_CONTACTS_TOPIC,
    AgentChanged,
    ContactChanged,
    DesktopTakenOver,
    Event,
    MeetingChanged,
    MessageAdded,
    PagePresent,
    RecordingChanged,
    Resync,
    SignalReceived,
    TypingStarted,
    VoiceChanged,
    agent_topic,
    contact_topic,
    signal_topic,
)
from tests.redis_server import RedisServer

TIMEOUT = 10.0


def message_event(contact_id: str, seq: int) -> MessageAdded:
    return MessageAdded(contact_id, Message(contact_id, seq, ParticipantRole.CUSTOMER, 'Carla', f'hello {seq} ✓',
                                            1_800_000_000.0 + seq))


@contextlib.asynccontextmanager
async def bus_on(url: str) -> AsyncIterator[RedisEventBus]:
    bus = RedisEventBus(connect(url))
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


class Inbox:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = asyncio.Event()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(self, count: int) -> list[Event]:
        async with asyncio.timeout(TIMEOUT):
            while len(self.events) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.events


async def test_events_of_one_topic_arrive_in_order_and_equal(redis_url: str) -> None:
    async with bus_on(redis_url) as a, bus_on(redis_url) as b:
        inbox = Inbox()
        b.subscribe(contact_topic('c1'), inbox)
        await b.settled()
        sent = [message_event('c1', seq) for seq in range(1, 501)]
        for event in sent:
            a.publish(contact_topic('c1'), event)
        assert await inbox.wait_for(500) == sent


async def test_no_cross_talk_between_topics(redis_url: str) -> None:
    async with bus_on(redis_url) as a, bus_on(redis_url) as b:
        on_c1, on_agent = Inbox(), Inbox()
        b.subscribe(contact_topic('c1'), on_c1)
        b.subscribe(agent_topic('ann'), on_agent)
        await b.settled()
        for seq in range(1, 21):
            a.publish(contact_topic('c2'), message_event('c2', seq))
            a.publish(contact_topic('c1'), message_event('c1', seq))
            a.publish(agent_topic('bob'), MeetingChanged('c9', 'm9', True))
        a.publish(agent_topic('ann'), MeetingChanged('c1', 'm1', True))
        assert [e.message.seq for e in await on_c1.wait_for(20)] == list(range(1, 21))  # type: ignore[union-attr]
        assert await on_agent.wait_for(1) == [MeetingChanged('c1', 'm1', True)]
        await asyncio.sleep(0.2)
        assert len(on_c1.events) == 20 and len(on_agent.events) == 1


async def test_process_local_topics_and_events_stay_in_their_process(redis_url: str) -> None:
    async with bus_on(redis_url) as a, bus_on(redis_url) as b:
        remote, local = Inbox(), Inbox()
        for bus, inbox in ((b, remote), (a, local)):
            bus.subscribe(ALL_CONTACTS_TOPIC, inbox)
            bus.subscribe(signal_topic('m1', 'att1'), inbox)
            bus.subscribe(agent_topic('ann'), inbox)
        await b.settled()
        contact = Contact('c1', 'Carla', 'c@example.com', 1.0, state=ContactState.ENDED)
        a.publish(ALL_CONTACTS_TOPIC, ContactChanged(contact))
        a.publish(signal_topic('m1', 'att1'), SignalReceived('m1', 'att2', {'sdp': 'x'}))
        a.publish(agent_topic('ann'), DesktopTakenOver('ann', 'desk-1'))
        a.publish(agent_topic('ann'), MeetingChanged('c1', 'm1', False))  # crosses: shows the others did not
        assert await remote.wait_for(1) == [MeetingChanged('c1', 'm1', False)]
        assert len(local.events) == 4  # the publisher's own subscribers get everything, at once
        await asyncio.sleep(0.1)
        assert len(local.events) == 4  # and never again from Redis


async def test_local_subscribers_get_each_event_once_and_at_once(redis_url: str) -> None:
    async with bus_on(redis_url) as a:
        inbox = Inbox()
        a.subscribe(contact_topic('c1'), inbox)
        await a.settled()
        a.publish(contact_topic('c1'), message_event('c1', 1))
        assert len(inbox.events) == 1  # synchronous, like the in-process bus
        await asyncio.sleep(0.2)
        assert len(inbox.events) == 1  # its own echo from Redis is skipped


async def test_redis_subscriptions_follow_local_ones(redis_url: str) -> None:
    async with bus_on(redis_url) as b:
        admin = connect(redis_url)
        channel = 'vce:events:' + contact_topic('c1')

        async def subscribers() -> int:
            return int(dict(await admin.pubsub_numsub(channel))[channel.encode()])

        assert await subscribers() == 0
        first = b.subscribe(contact_topic('c1'), lambda e: None)
        second = b.subscribe(contact_topic('c1'), lambda e: None)
        await b.settled()
        assert await subscribers() == 1  # one Redis subscription, however many pages
        first.close()
        await b.settled()
        assert await subscribers() == 1
        second.close()
        await b.settled()
        assert await subscribers() == 0  # the last page went: the channel goes
        b.subscribe(ALL_CONTACTS_TOPIC, lambda e: None)
        await b.settled()
        assert b'vce:events:contacts' not in await admin.pubsub_channels()
        await admin.aclose()


async def test_a_redis_restart_is_survived_and_pages_are_told_to_resync(own_redis: RedisServer) -> None:
    async with bus_on(own_redis.url) as a, bus_on(own_redis.url) as b:
        inbox = Inbox()
        b.subscribe(contact_topic('c1'), inbox)
        await b.settled()
        a.publish(contact_topic('c1'), message_event('c1', 1))
        await inbox.wait_for(1)

        own_redis.stop()  # kill -9: every pub/sub message from now until the restart is lost
        a.publish(contact_topic('c1'), message_event('c1', 2))
        await asyncio.sleep(0.3)
        own_redis.start()

        events = await inbox.wait_for(2)
        assert Resync(contact_topic('c1')) in events  # the page reloads from the store
        await b.settled()
        a.publish(contact_topic('c1'), message_event('c1', 3))
        async with asyncio.timeout(TIMEOUT):
            while message_event('c1', 3) not in inbox.events:
                await asyncio.sleep(0.02)
        assert b.reconnects >= 1
        seqs = [e.message.seq for e in inbox.events if isinstance(e, MessageAdded)]
        assert seqs == sorted(seqs)  # whatever got through came in order


@pytest.mark.parametrize('event', [
    message_event('c1', 7),
    TypingStarted('c1', ParticipantRole.AGENT),
    ContactChanged(Contact('c1', 'Carla', 'c@example.com', 1.5, state=ContactState.CONNECTED,
                           attributes={'customerName': 'Carla'}, priority=1, queue_id='q', enqueued_at=2.0,
                           agent_username='ann', connected_at=3.0, channel=Channel.CHAT,
                           flow_settings={'Tags': {'a': 'b'}}), offer_expires_at=9.5),
    MeetingChanged('c1', 'm1', True),
    VoiceChanged('c1', 'm1', True, on_hold=True),
    PagePresent('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'),
    RecordingChanged('c1', 'r1', 'm1', 'recording', 'require'),
])
def test_the_codec_round_trips_every_event_that_crosses(event: Event) -> None:
    data = dumps('process-1', event)
    assert data is not None
    assert loads(data) == ('process-1', event)


def test_an_agent_crosses_without_its_password_hash() -> None:
    agent = Agent('ann', 'Ann', 'id-1', 'argon2-hash-secret', ('BasicQueue',), AgentStatus.AVAILABLE, 5.0)
    data = dumps('p', AgentChanged(agent))
    assert data is not None and b'argon2-hash-secret' not in data
    _, decoded = loads(data)
    assert isinstance(decoded, AgentChanged)
    assert decoded.agent.password_hash == '' and decoded.agent.username == 'ann'
    assert decoded.agent.routing_queues == ('BasicQueue',) and decoded.agent.status is AgentStatus.AVAILABLE


def test_process_local_events_have_no_wire_form() -> None:
    for event in (SignalReceived('m', 'a', {}), DesktopTakenOver('ann', 'd'), Resync('t')):
        assert encode(event) is None


@pytest.mark.parametrize('raw', [b'not json', b'{}', b'{"origin": 1, "event": {}}',
                                 b'{"origin": "p", "event": {"v": 2, "type": "MeetingChanged"}}',
                                 b'{"origin": "p", "event": {"v": 1, "type": "Pickled"}}',
                                 b'{"origin": "p", "event": {"v": 1, "type": "MeetingChanged", "contact_id": 1,'
                                 b' "meeting_id": "m", "live": true}}'])
def test_undecodable_messages_are_refused(raw: bytes) -> None:
    with pytest.raises(UndecodableEvent):
        loads(raw)
    with pytest.raises(UndecodableEvent):
        decode(None)


async def test_an_undecodable_message_on_a_channel_reaches_nobody(redis_url: str) -> None:
    async with bus_on(redis_url) as b:
        inbox = Inbox()
        b.subscribe(contact_topic('c1'), inbox)
        await b.settled()
        admin = connect(redis_url)
        await admin.publish('vce:events:' + contact_topic('c1'), b'{"origin": "x", "event": {"type": "Bad"}}')
        await admin.publish('vce:events:' + contact_topic('c1'),
                            dumps('x', MeetingChanged('c1', 'm1', True)) or b'')
        assert await inbox.wait_for(1) == [MeetingChanged('c1', 'm1', True)]
        await admin.aclose()

"""The event bus across server processes: Redis pub/sub, one channel per topic (aws mode with ``VCE_REDIS_URL``).

Local subscribers get every event at once, on the publisher's call, exactly as from the in-process bus (this class
is that bus plus a bridge). What other processes need (``event_codec``: contact state, messages, typing, meetings,
voice, agent status) is also published to Redis, and events from other processes are delivered to this process's
subscribers of the same topic.

- **Only the topics of the pages this process serves**: a channel is subscribed while its topic has a local
  subscriber (reference-counted by the in-process bus's ``_topic_opened`` / ``_topic_closed``) and unsubscribed
  with the last one. ``ALL_CONTACTS_TOPIC`` (the lifecycle services' topic) and local meetings' signalling topics
  never cross: each contact's lifecycle is handled once, by the process that saw the change, and the shared store
  is the truth for the others.
- **Order per topic**: one publishing task sends in publish order on one connection (batched in a pipeline, one
  round trip per batch); one listening task delivers in arrival order. Redis keeps the order of one connection.
- **Redis restarts**: the listener reconnects with backoff and subscribes again; then every topic that crosses gets
  a local ``Resync`` so its pages reload from the store what they show (pub/sub messages sent meanwhile are gone).
  The publisher keeps at most ``outbox_limit`` events while Redis is away (the oldest are dropped first).
- This process's own events come back from Redis too; they carry its id and are skipped (delivered already).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

from backend.adapters.aws.backoff import Backoff
from backend.adapters.redis.event_codec import UndecodableEvent, dumps, loads
from backend.events import ALL_CONTACTS_TOPIC, Event, EventBus, Resync

log = logging.getLogger('vce.redis_bus')

CHANNEL_PREFIX = 'vce:events:'
LOCAL_TOPIC_PREFIXES = ('meeting/',)  # a local meeting's WebRTC signalling: one process by design
DEFAULT_OUTBOX_LIMIT = 10_000
BATCH_SIZE = 200  # events per pipeline round trip
IDLE_READ_SECONDS = 5.0  # the listener wakes this often to check the connection's health


def crosses(topic: str) -> bool:
    """Whether events of ``topic`` reach other processes."""
    return topic != ALL_CONTACTS_TOPIC and not topic.startswith(LOCAL_TOPIC_PREFIXES)


def connect(url: str) -> Redis:
    """A client for ``redis://`` or ``rediss://`` (TLS, as ElastiCache serves it)."""
    return Redis.from_url(url, health_check_interval=10, socket_keepalive=True, socket_connect_timeout=5)


class RedisEventBus(EventBus):
    def __init__(self, client: Redis, *, channel_prefix: str = CHANNEL_PREFIX, backoff: Backoff | None = None,
                 outbox_limit: int = DEFAULT_OUTBOX_LIMIT,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__()
        self._client, self._prefix = client, channel_prefix
        self._backoff = backoff or Backoff(base=0.2, cap=5.0)
        self._sleep = sleep
        self.origin = uuid.uuid4().hex  # this process, on every event it publishes
        self._control = f'{channel_prefix}_process/{self.origin}'  # keeps the subscriber connection open
        self._outbox: deque[tuple[str, bytes]] = deque(maxlen=outbox_limit)
        self._wanted: set[str] = set()  # channels of the crossing topics with local subscribers
        self._subscribed: set[str] = set()  # what the current subscriber connection has
        self._pubsub: Any = None
        self._outbox_ready: asyncio.Event | None = None
        self._wanted_changed: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.dropped = 0  # events the full outbox dropped (Redis away for long)
        self.reconnects = 0

    async def start(self) -> None:
        self._outbox_ready, self._wanted_changed = asyncio.Event(), asyncio.Event()
        if self._outbox:
            self._outbox_ready.set()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._publishing(), name='redis-bus-publish'),
                       loop.create_task(self._listening(), name='redis-bus-listen'),
                       loop.create_task(self._following_subscriptions(), name='redis-bus-subscriptions')]

    async def stop(self) -> None:
        with contextlib.suppress(Exception):  # send what is queued, briefly, so a clean stop loses nothing
            async with asyncio.timeout(2):
                while self._outbox and self._tasks and not self._tasks[0].done():
                    await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        with contextlib.suppress(Exception):
            await self._client.aclose()

    async def settled(self, timeout: float = 5.0) -> None:
        """Wait until Redis is connected and every crossing topic with a local subscriber is subscribed there (for
        tests and benchmarks: pub/sub drops what nobody is subscribed to yet)."""
        async with asyncio.timeout(timeout):
            while self._pubsub is None or self._subscribed != self._wanted:
                await asyncio.sleep(0.005)

    # the port

    def publish(self, topic: str, event: Event) -> None:
        super().publish(topic, event)
        if not crosses(topic):
            return
        data = dumps(self.origin, event)
        if data is None:
            return
        if len(self._outbox) == self._outbox.maxlen:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning('redis_bus.outbox_full dropped=%d', self.dropped)
        self._outbox.append((self._channel(topic), data))
        if self._outbox_ready is not None:
            self._outbox_ready.set()

    def _topic_opened(self, topic: str) -> None:
        if crosses(topic):
            self._wanted.add(self._channel(topic))
            self._changed()

    def _topic_closed(self, topic: str) -> None:
        if crosses(topic):
            self._wanted.discard(self._channel(topic))
            self._changed()

    # internals

    def _channel(self, topic: str) -> str:
        return self._prefix + topic

    def _changed(self) -> None:
        if self._wanted_changed is not None:
            self._wanted_changed.set()

    async def _publishing(self) -> None:
        assert self._outbox_ready is not None
        failures = 0
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                batch = [self._outbox[i] for i in range(min(BATCH_SIZE, len(self._outbox)))]
                try:
                    async with self._client.pipeline(transaction=False) as pipe:
                        for channel, data in batch:
                            pipe.publish(channel, data)
                        await pipe.execute()
                except Exception as error:  # Redis away: keep the events (bounded), retry with backoff
                    failures += 1
                    if failures == 1:
                        log.warning('redis_bus.publish_failed error=%s', type(error).__name__)
                    await self._sleep(self._backoff.delay(failures))
                    continue
                if failures:
                    log.info('redis_bus.publish_resumed after_failures=%d', failures)
                    failures = 0
                for sent in batch:  # a full outbox may have dropped some of them meanwhile
                    if self._outbox and self._outbox[0] is sent:
                        self._outbox.popleft()

    async def _listening(self) -> None:
        failures, connected_before = 0, False
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self._control)
                channels = set(self._wanted)
                if channels:
                    await pubsub.subscribe(*channels)
                self._pubsub, self._subscribed = pubsub, channels
                self._changed()  # subscriptions that changed while connecting
                if connected_before:
                    self.reconnects += 1
                    log.info('redis_bus.reconnected topics=%d', len(channels))
                    self._resync(channels)
                connected_before, failures = True, 0
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=IDLE_READ_SECONDS)
                    if message is not None and message.get('type') == 'message':
                        self._receive(message['channel'], message['data'])
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except Exception as error:  # the connection failed: reconnect with backoff, then catch the pages up
                failures += 1
                if failures == 1:
                    log.warning('redis_bus.disconnected error=%s', type(error).__name__)
                self._pubsub, self._subscribed = None, set()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                await self._sleep(self._backoff.delay(failures))

    async def _following_subscriptions(self) -> None:
        """Bring the subscriber connection's channels to what the local subscribers want (one change at a time)."""
        assert self._wanted_changed is not None
        while True:
            await self._wanted_changed.wait()
            self._wanted_changed.clear()
            pubsub = self._pubsub
            if pubsub is None:
                continue  # the listener subscribes everything wanted when it connects
            add, remove = self._wanted - self._subscribed, self._subscribed - self._wanted
            try:
                if add:
                    await pubsub.subscribe(*add)
                    self._subscribed |= add
                if remove:
                    await pubsub.unsubscribe(*remove)
                    self._subscribed -= remove
            except Exception as error:  # the listener sees the broken connection too, and starts over
                log.info('redis_bus.subscription_deferred error=%s', type(error).__name__)

    def _receive(self, channel: bytes | str, data: bytes | str) -> None:
        topic = (channel.decode() if isinstance(channel, bytes) else channel)[len(self._prefix):]
        try:
            origin, event = loads(data)
        except UndecodableEvent as error:
            log.warning('redis_bus.undecodable topic=%s reason=%s', topic, error)
            return
        if origin != self.origin:
            super().publish(topic, event)

    def _resync(self, channels: set[str]) -> None:
        for channel in channels:
            topic = channel[len(self._prefix):]
            super().publish(topic, Resync(topic))

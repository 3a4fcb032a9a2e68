"""One customer's Amazon Connect participant websocket, held by our server for as long as the chat is open.

Protocol (Connect Participant Service): connect to the URL from CreateParticipantConnection, send
``{"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}``, wait for ``aws/subscribe`` with status
``success``; chat items then arrive as ``{"topic": "aws/chat", "content": "<JSON item>"}``. We send
``{"topic": "aws/heartbeat"}`` every ``heartbeat_seconds`` and treat a connection that stays silent for a whole
interval after a heartbeat as dead (a half-open TCP connection never reports itself).

When the connection drops we reconnect with exponential backoff (full jitter, capped). The URL is good for ~100 s
only, and a refused handshake or subscription means it (or the connection token) expired: then ``open_url(True)``
must fetch a new connection. ``open_url`` raising ``ConnectionRejected`` means the participant itself is gone
(the chat ended while we were away): ``on_gone`` runs and the socket stops for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from backend.adapters.aws.backoff import Backoff
from backend.adapters.aws.connect_chat_api import ConnectionRejected
from backend.domain.errors import ServiceUnavailable

log = logging.getLogger('vce.aws.participant_socket')
# The websockets library logs the handshake request line at DEBUG, and Connect's websocket URL carries credentials
# in its query string: its own log never goes below INFO.
websocket_log = logging.getLogger('vce.aws.participant_socket.websocket')
websocket_log.setLevel(logging.INFO)

HEARTBEAT_SECONDS = 10.0
SUBSCRIBE_TIMEOUT_SECONDS = 10.0
OPEN_TIMEOUT_SECONDS = 10.0
MAX_FRAME_BYTES = 256 * 1024  # a chat item is at most ~16 KB of content plus metadata
SUBSCRIBE = json.dumps({'topic': 'aws/subscribe', 'content': {'topics': ['aws/chat']}})
HEARTBEAT = json.dumps({'topic': 'aws/heartbeat'})


class SubscribeRefused(Exception):
    """The socket opened but Connect refused the ``aws/chat`` subscription."""


class ParticipantSocket:
    def __init__(self, *, open_url: Callable[[bool], Awaitable[str]],
                 on_item: Callable[[dict[str, Any]], Awaitable[None]],
                 on_connected: Callable[[], Awaitable[None]], on_gone: Callable[[], Awaitable[None]],
                 backoff: Backoff | None = None, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 subscribe_timeout: float = SUBSCRIBE_TIMEOUT_SECONDS,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, label: str = '') -> None:
        """
        :param open_url: the websocket URL; ``True`` asks for a new connection (CreateParticipantConnection)
        :param on_item: each ``aws/chat`` item (a dict), in arrival order
        :param on_connected: after every successful subscription (catch up on what was missed while away)
        :param on_gone: the participant token was refused: the chat is over
        """
        self._open_url, self._on_item, self._on_connected, self._on_gone = open_url, on_item, on_connected, on_gone
        self._backoff = backoff or Backoff()
        self._heartbeat_seconds, self._subscribe_timeout = heartbeat_seconds, subscribe_timeout
        self._sleep, self._label = sleep, label
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._alive = True
        self.connects = 0  # successful subscriptions so far
        self.connected = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f'participant-socket {self._label}')

    def close(self) -> None:
        """No more reconnects; the current connection closes. Safe to call from ``on_item`` (ends after it)."""
        self._closing = True
        if self._task is not None and not self._task.done() and self._task is not asyncio.current_task():
            self._task.cancel()

    async def stop(self) -> None:
        self.close()
        task = self._task
        if task is not None and task is not asyncio.current_task():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # the connection loop

    async def _run(self) -> None:
        failures, fresh = 0, False
        while not self._closing:
            try:
                url = await self._open_url(fresh)
                fresh = False
                async with connect(url, open_timeout=OPEN_TIMEOUT_SECONDS, ping_interval=None, close_timeout=2,
                                   max_size=MAX_FRAME_BYTES, logger=websocket_log) as ws:
                    await self._subscribe(ws)
                    failures = 0
                    self.connects += 1
                    self.connected = True
                    log.info('participant_socket.connected chat=%s connects=%d', self._label, self.connects)
                    await self._on_connected()
                    if not self._closing:
                        await self._pump(ws)
            except ConnectionRejected:
                log.info('participant_socket.participant_gone chat=%s', self._label)
                self._closing = True
                await self._on_gone()
                return
            except (InvalidStatus, SubscribeRefused) as error:  # the URL or the connection token expired
                log.info('participant_socket.refused chat=%s reason=%s', self._label, type(error).__name__)
                fresh = True
            except (OSError, TimeoutError, WebSocketException, ServiceUnavailable) as error:
                log.info('participant_socket.dropped chat=%s reason=%s', self._label, type(error).__name__)
            except Exception:
                log.exception('participant_socket.failed chat=%s', self._label)
            finally:
                self.connected = False
            if self._closing:
                return
            failures += 1
            delay = self._backoff.delay(failures)
            log.info('participant_socket.reconnect chat=%s attempt=%d delay=%.2f', self._label, failures, delay)
            await self._sleep(delay)

    async def _subscribe(self, ws: ClientConnection) -> None:
        await ws.send(SUBSCRIBE)
        async with asyncio.timeout(self._subscribe_timeout):
            while True:
                message = _decode(await ws.recv())
                if message.get('topic') == 'aws/subscribe':
                    content = message.get('content')
                    if isinstance(content, dict) and content.get('status') == 'success':
                        return
                    raise SubscribeRefused()
                await self._dispatch(message)

    async def _pump(self, ws: ClientConnection) -> None:
        self._alive = True
        heartbeat = asyncio.get_running_loop().create_task(self._heartbeat(ws))
        try:
            async for raw in ws:
                await self._dispatch(_decode(raw))
                if self._closing:
                    return
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self, ws: ClientConnection) -> None:
        """Send heartbeats; close the connection when one interval passes with nothing heard."""
        try:
            while True:
                await asyncio.sleep(self._heartbeat_seconds)
                if not self._alive:
                    log.info('participant_socket.heartbeat_missed chat=%s', self._label)
                    await ws.close(code=4000, reason='heartbeat missed')
                    return
                self._alive = False
                await ws.send(HEARTBEAT)
        except ConnectionClosed:
            return

    async def _dispatch(self, message: dict[str, Any]) -> None:
        self._alive = True  # anything heard proves the connection lives
        if message.get('topic') != 'aws/chat':
            return
        content = message.get('content')
        try:
            item = json.loads(content) if isinstance(content, str) else content
        except ValueError:
            log.warning('participant_socket.bad_item chat=%s', self._label)
            return
        if not isinstance(item, dict):
            return
        try:
            await self._on_item(item)
        except Exception:  # one bad item must not cost the connection
            log.exception('participant_socket.item_failed chat=%s', self._label)


def _decode(raw: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}

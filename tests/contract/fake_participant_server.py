"""A stand-in for Amazon Connect's participant websocket endpoint, on 127.0.0.1 only (``websockets.serve``).

It speaks the same small protocol: the client subscribes to ``aws/chat``; chat items are pushed as
``{"topic": "aws/chat", "content": "<JSON item>"}``; ``aws/heartbeat`` is answered. Tests can drop connections
(abort, like a network failure), refuse a URL (HTTP 403, like an expired one), stop answering heartbeats, or refuse
the subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

_QUIET = logging.getLogger('tests.fake_participant_server')  # Connect's own server logs are not ours to check
_QUIET.setLevel(logging.WARNING)


class FakeParticipantServer:
    def __init__(self) -> None:
        self.answer_heartbeats = True
        self.refuse_subscribe = False
        self.expired_paths: set[str] = set()  # URL paths (no query) answered with 403
        self.paths: list[str] = []  # every handshake path (no query) tried, refused ones included
        self.heartbeats = 0
        self.received: list[dict[str, Any]] = []  # every frame clients sent after subscribing
        self.subscriptions = 0
        self._open: list[ServerConnection] = []
        self._server: Server | None = None
        self._changed = asyncio.Condition()

    async def start(self) -> None:
        self._server = await serve(self._handle, '127.0.0.1', 0, process_request=self._check_path, logger=_QUIET)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def url(self, name: str) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f'ws://127.0.0.1:{port}/{name}'

    @property
    def open_connections(self) -> int:
        return len(self._open)

    async def push(self, item: dict[str, Any], *, only: str = '') -> None:
        """Send one chat item to every subscribed client (``only``: those whose URL path starts with it)."""
        frame = json.dumps({'topic': 'aws/chat', 'contentType': 'application/json', 'content': json.dumps(item)})
        for connection in list(self._open):
            if only and not (connection.request is not None and connection.request.path.startswith(only)):
                continue
            with contextlib.suppress(Exception):
                await connection.send(frame)

    def drop(self) -> None:
        """Cut every connection without a closing handshake (what a network failure looks like)."""
        for connection in list(self._open):
            connection.transport.abort()

    async def wait_for(self, *, subscriptions: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.subscriptions >= subscriptions)

    # internals

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split('?')[0]
        self.paths.append(path)
        if path in self.expired_paths:
            return connection.respond(HTTPStatus.FORBIDDEN, 'expired\n')
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        try:
            subscribe = json.loads(await connection.recv())
            assert subscribe == {'topic': 'aws/subscribe', 'content': {'topics': ['aws/chat']}}, subscribe
            if self.refuse_subscribe:
                await connection.send(json.dumps({'topic': 'aws/subscribe', 'content': {'status': 'failure'}}))
                return
            await connection.send(json.dumps({'topic': 'aws/subscribe',
                                              'content': {'status': 'success', 'topics': ['aws/chat']}}))
            self._open.append(connection)
            async with self._changed:
                self.subscriptions += 1
                self._changed.notify_all()
            async for raw in connection:
                message = json.loads(raw)
                self.received.append(message)
                if message == {'topic': 'aws/heartbeat'}:
                    self.heartbeats += 1
                    if self.answer_heartbeats:
                        await connection.send(json.dumps({'topic': 'aws/heartbeat'}))
                elif message == {'topic': 'aws/ping'} and self.answer_heartbeats:  # ChatJS's "deep heartbeat"
                    await connection.send(json.dumps({'topic': 'aws/ping', 'statusCode': 200}))
        except Exception:  # a dropped client is normal here
            pass
        finally:
            if connection in self._open:
                self._open.remove(connection)

"""Stateful fakes of ``connect`` (StartChatContact) and ``connectparticipant`` plugged into REAL boto3 clients.

They hook the same botocore events the Stubber uses, so botocore still validates every request against the service
model and we validate every fake answer against the operation's output shape: a fake that drifts from the model
fails loudly. Unlike the Stubber's FIFO of canned answers they keep state (participants, connection tokens,
transcript), which the websocket tests need because calls interleave.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.validate import validate_parameters

from backend.adapters.aws.chat_items import CHAT_ENDED, LEFT, TYPING
from tests.contract.connect_chat_fixtures import PARTICIPANT_ID, SECRET, event, message
from tests.contract.fake_participant_server import FakeParticipantServer

CONTACT = 'c-0c1d2e3f'  # the contact StartChatContact creates


class AwsError(Exception):
    def __init__(self, code: str, status: int = 400, message: str = '') -> None:
        super().__init__(message or code)
        self.code, self.status, self.message = code, status, message or code


class ModelFake:
    """Subclass and define snake_case methods named like the boto3 operations."""

    def attach(self, client: Any) -> Any:
        events = client.meta.events
        events.register('before-parameter-build.*.*', self._stash_params, unique_id=f'fake-params-{id(self)}')
        events.register('before-call.*.*', self._dispatch, unique_id=f'fake-call-{id(self)}')
        return client

    def detach(self, client: Any) -> None:
        events = client.meta.events
        events.unregister('before-parameter-build.*.*', unique_id=f'fake-params-{id(self)}')
        events.unregister('before-call.*.*', unique_id=f'fake-call-{id(self)}')

    def _stash_params(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context['fake_params'] = dict(params)  # botocore validates them right after this

    def _dispatch(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        method = getattr(self, xform_name(model.name), None)
        if method is None:
            raise NotImplementedError(f'{type(self).__name__}.{xform_name(model.name)}')
        try:
            body = method(**context['fake_params']) or {}
        except AwsError as error:
            return (AWSResponse('', error.status, {}, None),  # type: ignore[arg-type]
                    {'Error': {'Code': error.code, 'Message': error.message},
                     'ResponseMetadata': {'HTTPStatusCode': error.status}})
        if model.output_shape is not None:
            validate_parameters(body, model.output_shape)
        return AWSResponse('', 200, {}, None), {**body, 'ResponseMetadata': {'HTTPStatusCode': 200}}  # type: ignore[arg-type]


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec='milliseconds').replace('+00:00', 'Z')


class FakeConnectChat(ModelFake):
    """Connect and its Participant Service for chats whose websocket is ``server``."""

    def __init__(self, server: FakeParticipantServer, loop: asyncio.AbstractEventLoop, clients: tuple[Any, Any], *,
                 now: float = 1.8e9) -> None:
        self.server, self.loop, self.now = server, loop, now
        self.calls: Counter[str] = Counter()
        self.transcript: list[dict[str, Any]] = []
        self.valid_connections: set[str] = set()
        self.participant_ended = False
        self.started: list[dict[str, Any]] = []
        self.failures: dict[str, list[AwsError]] = {}  # operation -> errors to raise on its next calls
        self._ids = itertools.count(1)
        self.connect_client, self.participant_client = clients
        self.attach(self.connect_client)
        self.attach(self.participant_client)

    def close(self) -> None:
        self.detach(self.connect_client)
        self.detach(self.participant_client)

    # connect

    def start_chat_contact(self, **params: Any) -> dict[str, Any]:
        self._count('start_chat_contact')
        self.started.append(params)
        return {'ContactId': CONTACT, 'ParticipantId': PARTICIPANT_ID,
                'ParticipantToken': f'{SECRET}-participant'}

    # connectparticipant

    def create_participant_connection(self, *, Type: list[str], ParticipantToken: str,
                                      ConnectParticipant: bool = False) -> dict[str, Any]:
        self._count('create_participant_connection')
        if self.participant_ended or ParticipantToken != f'{SECRET}-participant':
            raise AwsError('AccessDeniedException', 403)
        number = next(self._ids)
        token = f'{SECRET}-connection-{number}'
        self.valid_connections.add(token)
        url = self.server.url(f'socket-{number}?X-Amz-Security-Token={SECRET}-url-{number}')  # URLs are credentials
        return {'Websocket': {'Url': url, 'ConnectionExpiry': iso(self.now + 100)},
                'ConnectionCredentials': {'ConnectionToken': token, 'Expiry': iso(self.now + 86_400)}}

    def send_message(self, *, ContentType: str, Content: str, ClientToken: str,
                     ConnectionToken: str) -> dict[str, Any]:
        self._count('send_message')
        self._check(ConnectionToken)
        item = message(f'msg-{next(self._ids)}', Content, role='CUSTOMER', name='Carla', at=iso(self.now))
        self.add(item)
        return {'Id': item['Id'], 'AbsoluteTime': item['AbsoluteTime']}

    def send_event(self, *, ContentType: str, ClientToken: str, ConnectionToken: str,
                   Content: str | None = None) -> dict[str, Any]:
        self._count('send_event')
        self._check(ConnectionToken)
        assert ContentType == TYPING
        return {'Id': f'ev-{next(self._ids)}', 'AbsoluteTime': iso(self.now)}

    def get_transcript(self, *, ConnectionToken: str, **params: Any) -> dict[str, Any]:
        self._count('get_transcript')
        self._check(ConnectionToken)
        return {'InitialContactId': CONTACT, 'Transcript': [dict(i) for i in self.transcript]}

    def disconnect_participant(self, *, ClientToken: str, ConnectionToken: str) -> dict[str, Any]:
        self._count('disconnect_participant')
        self._check(ConnectionToken)
        self.participant_ended = True
        self.add(event(f'ev-{next(self._ids)}', LEFT, role='CUSTOMER', name='Carla'))
        self.add(event(f'ev-{next(self._ids)}', CHAT_ENDED, role='SYSTEM', name='SYSTEM'))
        return {}

    # test controls

    def add(self, item: dict[str, Any], *, push: bool = True) -> None:
        """An item happens in the chat: into the transcript and, unless told otherwise, onto open sockets."""
        self._stamp(item)
        if item['ContentType'] != TYPING:
            self.transcript.append(item)
        if push:
            future = asyncio.run_coroutine_threadsafe(self.server.push(item), self.loop)
            if self._on_loop():
                return  # called from the loop itself: the push runs as soon as the caller yields
            future.result(5)

    async def happen(self, item: dict[str, Any]) -> None:
        """From the test's event loop: the item happens and is pushed before this returns."""
        self._stamp(item)
        self.add(item, push=False)
        await self.server.push(item)

    def expire_connections(self) -> None:
        self.valid_connections.clear()

    @property
    def api_calls(self) -> dict[str, int]:
        return dict(self.calls)

    # internals

    def _stamp(self, item: dict[str, Any]) -> None:
        """Connect's items name their contact (the model's ``Item.ContactId``): ChatJS drops an item whose ContactId
        (or InitialContactId) is not its chat's (``LpcConnectionHelper.handleMessage``)."""
        item.setdefault('ContactId', CONTACT)

    def _count(self, operation: str) -> None:
        self.calls[operation] += 1
        failures = self.failures.get(operation)
        if failures:
            raise failures.pop(0)

    def _check(self, connection_token: str) -> None:
        if connection_token not in self.valid_connections:
            raise AwsError('AccessDeniedException', 403)

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

"""The Amazon Connect calls of one customer chat: StartChatContact (``connect``) and the Participant Service
(``connectparticipant``: CreateParticipantConnection, SendMessage, SendEvent, GetTranscript, DisconnectParticipant).

Calls block; ``ConnectCustomerChannel`` runs them in worker threads. Every call is counted per operation, so the AWS
calls per chat can be measured. Failures become:

- ``ConnectionRejected`` — a Participant Service AccessDeniedException: the connection token (or, for
  CreateParticipantConnection, the participant token) is no longer accepted; the caller gets a new connection or
  treats the chat as over;
- ``ServiceUnavailable`` — anything else (after botocore's standard retries for throttling and 5xx), with a sentence
  for the customer and an operator ``detail`` naming the operation, AWS's error and the likely fix.

Participant and connection tokens and the websocket URL are credentials: never logged, never in an error.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('aws mode needs boto3: pip install "video-call-escalation[aws]"') from error

from backend.adapters.aws.chat_items import TYPING, epoch_seconds
from backend.domain.connect_arns import flow_id_of, instance_id_of
from backend.domain.errors import ServiceUnavailable

if TYPE_CHECKING:
    from types_boto3_connect import ConnectClient
    from types_boto3_connect.type_defs import StartChatContactRequestTypeDef
    from types_boto3_connectparticipant import ConnectParticipantClient
    from types_boto3_connectparticipant.type_defs import GetTranscriptRequestTypeDef

log = logging.getLogger('vce.aws.connect_chat')

# The customer waits for these: fail within seconds rather than hang on the SDK's 60 s default read timeout.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={'mode': 'standard', 'max_attempts': 3})
TEXT_PLAIN = 'text/plain'
TRANSCRIPT_PAGE_SIZE = 100  # GetTranscript's maximum
MAX_TRANSCRIPT_PAGES = 50  # a chat longer than 5,000 items is cut rather than paged forever
WEBSOCKET_URL_LIFETIME = 100.0  # seconds; Connect's documented connect window, used if the response has no expiry
CONNECTION_TOKEN_LIFETIME = 24 * 3600.0  # seconds; Connect's documented lifetime, used if the response has none

BUSY_TEXT = 'All our chat lines are busy right now. Please try again in a few minutes.'
START_FAILED_TEXT = 'We could not start your chat right now. Please try again later.'
SEND_FAILED_TEXT = 'Your message was not sent. Please try again.'
CHAT_FAILED_TEXT = 'The chat service is not responding right now. Please try again.'

_HINTS = {
    'ResourceNotFoundException': 'check the Connect instance id and the chat flow id in the configuration '
                                 '(the flow must exist and be published)',
    'AccessDeniedException': "the server's IAM role needs connect:StartChatContact on the instance's contact flows",
    'LimitExceededException': "the instance's quota of concurrent active chats is reached",
    'ThrottlingException': 'Amazon Connect still throttled after the standard retries',
    'InvalidParameterException': 'a request parameter was refused; check the instance id, flow id and attributes',
    'InvalidRequestException': 'the request was refused; check the instance id, flow id and attributes',
}


@dataclass(frozen=True, slots=True)
class StartedChat:
    contact_id: str
    participant_id: str
    participant_token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ParticipantConnection:
    connection_token: str = field(repr=False)
    connection_expires_at: float
    websocket_url: str = field(repr=False)  # its query string carries credentials
    websocket_expires_at: float


class ConnectionRejected(Exception):
    """Amazon Connect no longer accepts this participant's token (expired, or the participant left the chat)."""


class ConnectChatApi:
    def __init__(self, connect: ConnectClient | None = None, participant: ConnectParticipantClient | None = None,
                 *, region: str, instance_id: str, chat_flow_id: str, chat_duration_minutes: int | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        if not instance_id or not chat_flow_id:
            raise ValueError('aws customer chat needs the Connect instance id and the chat flow id')
        self._connect: ConnectClient = connect or boto3.client('connect', region_name=region, config=CLIENT_CONFIG)
        self._participant: ConnectParticipantClient = participant or boto3.client(
            'connectparticipant', region_name=region, config=CLIENT_CONFIG)
        self.instance_id = instance_id_of(instance_id)  # an instance ARN works too
        self.chat_flow_id = flow_id_of(chat_flow_id)  # and so does a flow ARN
        self.chat_duration_minutes = chat_duration_minutes
        self._clock = clock
        self.calls: Counter[str] = Counter()  # AWS calls made, per operation

    def start_chat_contact(self, *, display_name: str, attributes: dict[str, str],
                           client_token: str | None = None) -> StartedChat:
        """Start the chat in the configured flow (never one a browser names); ``client_token`` makes retries safe."""
        request: StartChatContactRequestTypeDef = {
            'InstanceId': self.instance_id, 'ContactFlowId': self.chat_flow_id, 'Attributes': dict(attributes),
            'ParticipantDetails': {'DisplayName': display_name}, 'ClientToken': client_token or str(uuid.uuid4()),
        }
        if self.chat_duration_minutes:
            request['ChatDurationInMinutes'] = self.chat_duration_minutes
        with self._errors('StartChatContact'):
            response = self._connect.start_chat_contact(**request)
        return StartedChat(response['ContactId'], response['ParticipantId'], response['ParticipantToken'])

    def create_participant_connection(self, participant_token: str) -> ParticipantConnection:
        """A fresh websocket URL (connect within ~100 s) and connection token (valid ~1 day).

        No ``ConnectParticipant``: the API reference keeps it for customers in message streaming (and agents in
        non-streaming chats); a customer on the websocket is connected by subscribing, and ChatJS's customer session
        does not send it either (tests/contract/test_chatjs_judges_the_fake.py)."""
        with self._errors('CreateParticipantConnection'):
            response = self._participant.create_participant_connection(
                Type=['WEBSOCKET', 'CONNECTION_CREDENTIALS'], ParticipantToken=participant_token)
        socket, credentials = response['Websocket'], response['ConnectionCredentials']
        now = self._clock()
        return ParticipantConnection(
            connection_token=credentials['ConnectionToken'],
            connection_expires_at=_expiry(credentials.get('Expiry'), now + CONNECTION_TOKEN_LIFETIME),
            websocket_url=socket['Url'],
            websocket_expires_at=_expiry(socket.get('ConnectionExpiry'), now + WEBSOCKET_URL_LIFETIME))

    def send_message(self, connection_token: str, text: str, client_token: str | None = None) -> tuple[str, float]:
        """Send the customer's text; returns Connect's message id and time (the websocket echoes the same id)."""
        with self._errors('SendMessage'):
            response = self._participant.send_message(ContentType=TEXT_PLAIN, Content=text,
                                                      ClientToken=client_token or str(uuid.uuid4()),
                                                      ConnectionToken=connection_token)
        return response['Id'], epoch_seconds(response.get('AbsoluteTime'), self._clock)

    def send_typing(self, connection_token: str) -> None:
        with self._errors('SendEvent'):
            self._participant.send_event(ContentType=TYPING, ClientToken=str(uuid.uuid4()),
                                         ConnectionToken=connection_token)

    def get_transcript(self, connection_token: str) -> list[dict[str, Any]]:
        """Every item of the chat so far, oldest first (paged newest-first from the end, then sorted)."""
        items: list[dict[str, Any]] = []
        request: GetTranscriptRequestTypeDef = {'ConnectionToken': connection_token, 'ScanDirection': 'BACKWARD',
                                                'MaxResults': TRANSCRIPT_PAGE_SIZE, 'SortOrder': 'ASCENDING'}
        for _page in range(MAX_TRANSCRIPT_PAGES):
            with self._errors('GetTranscript'):
                response = self._participant.get_transcript(**request)
            items.extend(dict(item) for item in response.get('Transcript') or [])
            next_token = response.get('NextToken')
            if next_token:
                request['NextToken'] = next_token
            else:
                break
        else:
            log.warning('connect.transcript_truncated pages=%d', MAX_TRANSCRIPT_PAGES)
        return sorted(items, key=lambda item: str(item.get('AbsoluteTime') or ''))

    def disconnect_participant(self, connection_token: str) -> None:
        with self._errors('DisconnectParticipant'):
            self._participant.disconnect_participant(ClientToken=str(uuid.uuid4()), ConnectionToken=connection_token)

    # internals

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Count the call and turn its failure into ``ConnectionRejected`` or ``ServiceUnavailable``."""
        self.calls[operation] += 1
        try:
            yield
        except ClientError as error:
            code = str(error.response.get('Error', {}).get('Code') or 'UnknownError')
            if code == 'AccessDeniedException' and operation != 'StartChatContact':
                log.info('connect.rejected operation=%s', operation)
                raise ConnectionRejected(f'Amazon Connect {operation}: {code}') from error
            message = error.response.get('Error', {}).get('Message') or 'no message'
            request_id = error.response.get('ResponseMetadata', {}).get('RequestId')
            detail = f'Amazon Connect {operation} failed: {code}: {message}'
            detail += f' (request id {request_id})' if request_id else ''
            detail += f'; {_HINTS[code]}' if code in _HINTS else ''
            log.warning('connect.failed %s', detail)
            raise ServiceUnavailable(_customer_text(operation, code), detail=detail) from error
        except BotoCoreError as error:  # no credentials, endpoint unreachable, timeouts, invalid parameters
            detail = f'Amazon Connect {operation} failed: {type(error).__name__}: {error}'
            log.warning('connect.failed %s', detail)
            raise ServiceUnavailable(_customer_text(operation, type(error).__name__), detail=detail) from error


def _customer_text(operation: str, code: str) -> str:
    if operation == 'StartChatContact':
        return BUSY_TEXT if code in ('LimitExceededException', 'ThrottlingException') else START_FAILED_TEXT
    return SEND_FAILED_TEXT if operation == 'SendMessage' else CHAT_FAILED_TEXT


def _expiry(value: object, default: float) -> float:
    return epoch_seconds(value, lambda: default)

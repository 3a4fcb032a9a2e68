"""ConnectChatApi against the real ``connect`` and ``connectparticipant`` service models (botocore Stubber).

The Stubber makes botocore validate every request we send and every canned response against the service model;
``expected_params`` pins exactly what we send. No network is ever touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from backend.adapters.aws.chat_items import TYPING
from backend.adapters.aws.connect_chat_api import (
    BUSY_TEXT,
    CHAT_FAILED_TEXT,
    SEND_FAILED_TEXT,
    START_FAILED_TEXT,
    ConnectChatApi,
    ConnectionRejected,
)
from backend.domain.errors import ServiceUnavailable
from tests.contract.connect_chat_fixtures import (
    CONNECTION_TOKEN,
    CONTACT_ID,
    FLOW_ID,
    INSTANCE_ARN,
    INSTANCE_ID,
    PARTICIPANT_ID,
    PARTICIPANT_TOKEN,
    REGION,
    SECRET,
    WEBSOCKET_URL,
    clients,
    connection_params,
    connection_response,
    message,
    start_response,
)

ATTRIBUTES = {'customerName': 'Carla', 'customerEmailAddress': 'carla@example.com'}
START_PARAMS = {'InstanceId': INSTANCE_ID, 'ContactFlowId': FLOW_ID, 'Attributes': ATTRIBUTES,
                'ParticipantDetails': {'DisplayName': 'Carla'}, 'ClientToken': 'start-token-1'}


class Stubs:
    def __init__(self) -> None:
        self.connect, self.participant = clients()
        self.connect_stub, self.participant_stub = Stubber(self.connect), Stubber(self.participant)


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    stubs = Stubs()
    with stubs.connect_stub, stubs.participant_stub:
        yield stubs
        stubs.connect_stub.assert_no_pending_responses()
        stubs.participant_stub.assert_no_pending_responses()


@pytest.fixture
def api(stubs: Stubs) -> ConnectChatApi:
    return ConnectChatApi(stubs.connect, stubs.participant, region=REGION, instance_id=INSTANCE_ID,
                          chat_flow_id=FLOW_ID, clock=lambda: 1_000.0)


def test_start_chat_contact_uses_the_configured_flow_and_the_given_attributes(api: ConnectChatApi,
                                                                            stubs: Stubs) -> None:
    stubs.connect_stub.add_response('start_chat_contact', start_response(), START_PARAMS)

    started = api.start_chat_contact(display_name='Carla', attributes=ATTRIBUTES, client_token='start-token-1')

    assert (started.contact_id, started.participant_id, started.participant_token) == (
        CONTACT_ID, PARTICIPANT_ID, PARTICIPANT_TOKEN)
    assert SECRET not in repr(started)
    assert api.calls == {'StartChatContact': 1}


def test_start_chat_contact_accepts_arns_and_a_chat_duration(stubs: Stubs) -> None:
    api = ConnectChatApi(stubs.connect, stubs.participant, region=REGION, instance_id=INSTANCE_ARN,
                         chat_flow_id=f'{INSTANCE_ARN}/contact-flow/{FLOW_ID}', chat_duration_minutes=120)
    stubs.connect_stub.add_response('start_chat_contact', start_response(),
                                    {**START_PARAMS, 'ClientToken': ANY, 'ChatDurationInMinutes': 120})
    assert api.start_chat_contact(display_name='Carla', attributes=ATTRIBUTES).contact_id == CONTACT_ID


def test_missing_instance_or_flow_is_refused_before_any_call(stubs: Stubs) -> None:
    with pytest.raises(ValueError, match='instance id and the chat flow id'):
        ConnectChatApi(stubs.connect, stubs.participant, region=REGION, instance_id='', chat_flow_id=FLOW_ID)


@pytest.mark.parametrize(('code', 'text', 'hint'), [
    ('LimitExceededException', BUSY_TEXT, 'concurrent active chats'),
    ('ThrottlingException', BUSY_TEXT, 'throttled'),
    ('ResourceNotFoundException', START_FAILED_TEXT, 'chat flow id'),
    ('AccessDeniedException', START_FAILED_TEXT, 'connect:StartChatContact'),
    ('InternalServiceException', START_FAILED_TEXT, ''),
])
def test_start_chat_contact_errors_become_clear_domain_errors(api: ConnectChatApi, stubs: Stubs, code: str,
                                                              text: str, hint: str) -> None:
    stubs.connect_stub.add_client_error('start_chat_contact', service_error_code=code, service_message='Nope',
                                        http_status_code=400, expected_params=START_PARAMS)

    with pytest.raises(ServiceUnavailable) as raised:
        api.start_chat_contact(display_name='Carla', attributes=ATTRIBUTES, client_token='start-token-1')

    assert str(raised.value) == text
    assert raised.value.detail.startswith(f'Amazon Connect StartChatContact failed: {code}: Nope')
    assert hint in raised.value.detail


def test_create_participant_connection_asks_for_socket_and_credentials(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_response(
        'create_participant_connection',
        connection_response(url_expiry='2026-05-01T10:01:40.000Z', token_expiry='2026-05-02T10:00:00.000Z'),
        connection_params())

    connection = api.create_participant_connection(PARTICIPANT_TOKEN)

    assert (connection.websocket_url, connection.connection_token) == (WEBSOCKET_URL, CONNECTION_TOKEN)
    assert connection.websocket_expires_at == datetime(2026, 5, 1, 10, 1, 40, tzinfo=UTC).timestamp()
    assert connection.connection_expires_at == datetime(2026, 5, 2, 10, tzinfo=UTC).timestamp()
    assert SECRET not in repr(connection)


def test_a_refused_participant_token_is_connection_rejected(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_client_error('create_participant_connection', service_error_code='AccessDeniedException',
                                            service_message='Access denied', http_status_code=403,
                                            expected_params=connection_params())
    with pytest.raises(ConnectionRejected) as raised:
        api.create_participant_connection(PARTICIPANT_TOKEN)
    assert SECRET not in str(raised.value)


def test_send_message_is_plain_text_with_an_idempotency_token(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_response(
        'send_message', {'Id': 'msg-1', 'AbsoluteTime': '2026-05-01T10:00:05.000Z'},
        {'ContentType': 'text/plain', 'Content': 'Hello <b>there</b>', 'ClientToken': 'send-1',
         'ConnectionToken': CONNECTION_TOKEN})

    message_id, at = api.send_message(CONNECTION_TOKEN, 'Hello <b>there</b>', 'send-1')

    assert message_id == 'msg-1'
    assert at == datetime(2026, 5, 1, 10, 0, 5, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(('code', 'status'), [('ThrottlingException', 429), ('InternalServerException', 500),
                                              ('ValidationException', 400)])
def test_send_message_failures_say_the_message_was_not_sent(api: ConnectChatApi, stubs: Stubs, code: str,
                                                            status: int) -> None:
    stubs.participant_stub.add_client_error('send_message', service_error_code=code, http_status_code=status)
    with pytest.raises(ServiceUnavailable, match=SEND_FAILED_TEXT) as raised:
        api.send_message(CONNECTION_TOKEN, 'Hi')
    assert code in raised.value.detail and 'SendMessage' in raised.value.detail
    assert SECRET not in raised.value.detail


def test_an_expired_connection_token_is_connection_rejected(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_client_error('send_message', service_error_code='AccessDeniedException',
                                            http_status_code=403)
    with pytest.raises(ConnectionRejected):
        api.send_message(CONNECTION_TOKEN, 'Hi')


def test_send_typing_sends_the_typing_event(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_response('send_event', {'Id': 'ev-1', 'AbsoluteTime': '2026-05-01T10:00:06.000Z'},
                                        {'ContentType': TYPING, 'ClientToken': ANY,
                                         'ConnectionToken': CONNECTION_TOKEN})
    api.send_typing(CONNECTION_TOKEN)
    assert api.calls == {'SendEvent': 1}


def test_get_transcript_pages_through_everything_and_returns_oldest_first(api: ConnectChatApi,
                                                                          stubs: Stubs) -> None:
    first: dict[str, Any] = {'ConnectionToken': CONNECTION_TOKEN, 'MaxResults': 100, 'ScanDirection': 'BACKWARD',
                             'SortOrder': 'ASCENDING'}
    stubs.participant_stub.add_response('get_transcript', {
        'InitialContactId': CONTACT_ID, 'NextToken': 'page-2',
        'Transcript': [message('m3', 'third', at='2026-05-01T10:00:03.000Z'),
                       message('m4', 'fourth', at='2026-05-01T10:00:04.000Z')]}, first)
    stubs.participant_stub.add_response('get_transcript', {
        'InitialContactId': CONTACT_ID,
        'Transcript': [message('m1', 'first', at='2026-05-01T10:00:01.000Z'),
                       message('m2', 'second', at='2026-05-01T10:00:02.000Z')]}, {**first, 'NextToken': 'page-2'})

    items = api.get_transcript(CONNECTION_TOKEN)

    assert [i['Content'] for i in items] == ['first', 'second', 'third', 'fourth']
    assert api.calls == {'GetTranscript': 2}


def test_transcript_failure_is_a_clear_error(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_client_error('get_transcript', service_error_code='InternalServerException',
                                            http_status_code=500)
    with pytest.raises(ServiceUnavailable, match=CHAT_FAILED_TEXT):
        api.get_transcript(CONNECTION_TOKEN)


def test_disconnect_participant(api: ConnectChatApi, stubs: Stubs) -> None:
    stubs.participant_stub.add_response('disconnect_participant', {},
                                        {'ClientToken': ANY, 'ConnectionToken': CONNECTION_TOKEN})
    api.disconnect_participant(CONNECTION_TOKEN)


def test_clients_made_here_use_standard_retries_and_short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'x')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'x')
    api = ConnectChatApi(region=REGION, instance_id=INSTANCE_ID, chat_flow_id=FLOW_ID)
    for client in (api._connect, api._participant):
        config: Any = client.meta.config
        assert config.retries == {'mode': 'standard', 'total_max_attempts': 4}  # 3 retries
        assert config.read_timeout == 10
        assert client.meta.region_name == REGION

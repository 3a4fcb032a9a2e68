"""Shared pieces for the Amazon Connect customer-chat tests: stubbed boto3 clients and canned, model-valid answers.

Ids and tokens are shaped like Connect's; the tokens carry a marker that must never show up in logs or errors.
"""

from __future__ import annotations

from typing import Any

import boto3

from backend.adapters.aws.chat_items import CHAT_ENDED, JOINED, LEFT, TYPING

REGION = 'eu-west-2'
INSTANCE_ID = '4b9c0a1e-7f3d-4c2b-9a8e-1d2c3b4a5f60'
INSTANCE_ARN = f'arn:aws:connect:{REGION}:123456789012:instance/{INSTANCE_ID}'
FLOW_ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
CONTACT_ID = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'
PARTICIPANT_ID = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9'
SECRET = 'SECRET-TOKEN'  # every token below contains it
PARTICIPANT_TOKEN = f'{SECRET}-participant-AQIDAHh'
CONNECTION_TOKEN = f'{SECRET}-connection-1'
WEBSOCKET_URL = 'wss://dev.connect.example/connect?X-Amz-Security-Token=' + SECRET
LATER = '2099-01-01T00:00:00.000Z'  # an expiry that has not come


_SESSION = boto3.session.Session(region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x')


def clients() -> tuple[Any, Any]:
    """Real boto3 clients (never reach the network once a Stubber or fake is on them); one session caches the
    service models, and each client still has its own event hooks."""
    return _SESSION.client('connect'), _SESSION.client('connectparticipant')


def start_response(contact_id: str = CONTACT_ID) -> dict[str, Any]:
    return {'ContactId': contact_id, 'ParticipantId': PARTICIPANT_ID, 'ParticipantToken': PARTICIPANT_TOKEN}


def connection_response(url: str = WEBSOCKET_URL, token: str = CONNECTION_TOKEN, url_expiry: str = LATER,
                        token_expiry: str = LATER) -> dict[str, Any]:
    return {'Websocket': {'Url': url, 'ConnectionExpiry': url_expiry},
            'ConnectionCredentials': {'ConnectionToken': token, 'Expiry': token_expiry}}


def connection_params(token: str = PARTICIPANT_TOKEN) -> dict[str, Any]:
    return {'Type': ['WEBSOCKET', 'CONNECTION_CREDENTIALS'], 'ParticipantToken': token}  # as ChatJS's customer


def item(item_id: str, *, type_: str = 'MESSAGE', content_type: str = 'text/plain', role: str = 'AGENT',
         name: str = 'Ann Agent', content: str | None = None, at: str = '2026-05-01T10:00:00.000Z') -> dict[str, Any]:
    """A chat item as the websocket and GetTranscript carry it."""
    raw: dict[str, Any] = {'Id': item_id, 'Type': type_, 'ContentType': content_type, 'ParticipantRole': role,
                           'DisplayName': name, 'AbsoluteTime': at, 'ParticipantId': f'p-{role.lower()}'}
    if content is not None:
        raw['Content'] = content
    return raw


def message(item_id: str, text: str, role: str = 'AGENT', name: str = 'Ann Agent',
            at: str = '2026-05-01T10:00:00.000Z') -> dict[str, Any]:
    return item(item_id, content=text, role=role, name=name, at=at)


def event(item_id: str, content_type: str, role: str = 'AGENT', name: str = 'Ann Agent',
          at: str = '2026-05-01T10:00:00.000Z') -> dict[str, Any]:
    return item(item_id, type_='EVENT', content_type=content_type, role=role, name=name, at=at)


def joined(item_id: str = 'ev-joined', name: str = 'Ann Agent') -> dict[str, Any]:
    return event(item_id, JOINED, name=name)


def left(item_id: str = 'ev-left', name: str = 'Ann Agent') -> dict[str, Any]:
    return event(item_id, LEFT, name=name)


def typing(item_id: str = 'ev-typing', role: str = 'AGENT') -> dict[str, Any]:
    return event(item_id, TYPING, role=role)


def ended(item_id: str = 'ev-ended') -> dict[str, Any]:
    return event(item_id, CHAT_ENDED, role='SYSTEM', name='SYSTEM')

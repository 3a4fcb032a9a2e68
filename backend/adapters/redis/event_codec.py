"""The events that cross processes, as JSON: an explicit codec (no pickle), one function pair per event type.

Only what another process needs travels: the contact's state, its messages and typing, meeting and voice sessions
going live or ending, the agent's status, a recording's state (``RecordingChanged``: the customer's page and the
agent's may be on different processes), and a customer's page connecting (``PagePresent``, by its session's hash).
Everything else stays in its process (``encode`` answers None): ``SignalReceived`` (a local meeting's WebRTC
signalling lives in the process that holds both pages, by design), ``DesktopTakenOver`` (local mode's agent desk,
one process), ``Resync`` (each bus makes its own). An agent crosses without its password hash.

A message that cannot be decoded (another version, a stray publisher on the channel) is refused with
``UndecodableEvent`` and never reaches a subscriber.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from backend.domain.model import (
    Agent,
    AgentStatus,
    Channel,
    Contact,
    ContactState,
    Message,
    MessageKind,
    ParticipantRole,
)
from backend.events import (
    AgentChanged,
    ContactChanged,
    Event,
    MeetingChanged,
    MessageAdded,
    PagePresent,
    RecordingChanged,
    TypingStarted,
    VoiceChanged,
)

VERSION = 1


class UndecodableEvent(ValueError):
    pass


def encode(event: Event) -> dict[str, Any] | None:
    """The event as JSON-ready values, or None for an event that stays in its process."""
    encoder = _ENCODERS.get(type(event))
    return {'v': VERSION, 'type': type(event).__name__, **encoder(event)} if encoder else None


def decode(value: Any) -> Event:
    try:
        if value.get('v') != VERSION:
            raise UndecodableEvent(f'unknown version {value.get("v")!r}')
        return _DECODERS[value['type']](value)
    except UndecodableEvent:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise UndecodableEvent(type(error).__name__) from None


def dumps(origin: str, event: Event) -> bytes | None:
    """The wire form: the publishing process's id and the event; None for an event that stays in its process."""
    encoded = encode(event)
    if encoded is None:
        return None
    return json.dumps({'origin': origin, 'event': encoded}, separators=(',', ':'), ensure_ascii=False).encode()


def loads(data: bytes | str) -> tuple[str, Event]:
    try:
        value = json.loads(data)
        origin = value['origin']
        if not isinstance(origin, str):
            raise UndecodableEvent('origin')
        return origin, decode(value['event'])
    except UndecodableEvent:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise UndecodableEvent(type(error).__name__) from None


# domain types

def _message(message: Message) -> dict[str, Any]:
    return {'contact_id': message.contact_id, 'seq': message.seq, 'role': message.role.value,
            'display_name': message.display_name, 'text': message.text, 'created_at': message.created_at,
            'kind': message.kind.value}


def _to_message(value: dict[str, Any]) -> Message:
    return Message(contact_id=_text(value['contact_id']), seq=int(value['seq']),
                   role=ParticipantRole(value['role']), display_name=_text(value['display_name']),
                   text=_text(value['text']), created_at=float(value['created_at']),
                   kind=MessageKind(value['kind']))


def _contact(contact: Contact) -> dict[str, Any]:
    return {'contact_id': contact.contact_id, 'customer_name': contact.customer_name,
            'customer_email': contact.customer_email, 'initiated_at': contact.initiated_at,
            'state': contact.state.value, 'attributes': dict(contact.attributes), 'priority': contact.priority,
            'queue_id': contact.queue_id, 'enqueued_at': contact.enqueued_at,
            'agent_username': contact.agent_username, 'customer_queue_flow': contact.customer_queue_flow,
            'connected_at': contact.connected_at, 'ended_at': contact.ended_at, 'end_reason': contact.end_reason,
            'channel': contact.channel.value, 'flow_settings': contact.flow_settings}


def _to_contact(value: dict[str, Any]) -> Contact:
    attributes = value['attributes']
    if not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values()):
        raise UndecodableEvent('attributes')
    flow_settings = value['flow_settings']
    if not isinstance(flow_settings, dict):
        raise UndecodableEvent('flow_settings')
    return Contact(contact_id=_text(value['contact_id']), customer_name=_text(value['customer_name']),
                   customer_email=_text(value['customer_email']), initiated_at=float(value['initiated_at']),
                   state=ContactState(value['state']), attributes=dict(attributes), priority=int(value['priority']),
                   queue_id=_optional_text(value['queue_id']), enqueued_at=_optional_float(value['enqueued_at']),
                   agent_username=_optional_text(value['agent_username']),
                   customer_queue_flow=_optional_text(value['customer_queue_flow']),
                   connected_at=_optional_float(value['connected_at']), ended_at=_optional_float(value['ended_at']),
                   end_reason=_optional_text(value['end_reason']), channel=Channel(value['channel']),
                   flow_settings=dict(flow_settings))


def _agent(agent: Agent) -> dict[str, Any]:
    return {'username': agent.username, 'display_name': agent.display_name, 'agent_id': agent.agent_id,
            'routing_queues': list(agent.routing_queues), 'status': agent.status.value,
            'status_since': agent.status_since}  # never the password hash


def _to_agent(value: dict[str, Any]) -> Agent:
    queues = value['routing_queues']
    if not isinstance(queues, list):
        raise UndecodableEvent('routing_queues')
    return Agent(username=_text(value['username']), display_name=_text(value['display_name']),
                 agent_id=_text(value['agent_id']), password_hash='',
                 routing_queues=tuple(_text(q) for q in queues), status=AgentStatus(value['status']),
                 status_since=float(value['status_since']))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise UndecodableEvent('text')
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise UndecodableEvent('flag')
    return value


# the events

def _enc_contact_changed(event: Any) -> dict[str, Any]:
    return {'contact': _contact(event.contact), 'offer_expires_at': event.offer_expires_at}


_ENCODERS: dict[type, Callable[[Any], dict[str, Any]]] = {
    MessageAdded: lambda e: {'contact_id': e.contact_id, 'message': _message(e.message)},
    TypingStarted: lambda e: {'contact_id': e.contact_id, 'role': e.role.value},
    ContactChanged: _enc_contact_changed,
    AgentChanged: lambda e: {'agent': _agent(e.agent)},
    MeetingChanged: lambda e: {'contact_id': e.contact_id, 'meeting_id': e.meeting_id, 'live': e.live},
    VoiceChanged: lambda e: {'contact_id': e.contact_id, 'meeting_id': e.meeting_id, 'live': e.live,
                             'on_hold': e.on_hold},
    PagePresent: lambda e: {'session_hash': e.session_hash},
    RecordingChanged: lambda e: {'contact_id': e.contact_id, 'recording_id': e.recording_id,
                                 'meeting_id': e.meeting_id, 'state': e.state, 'policy': e.policy},
}

_DECODERS: dict[str, Callable[[dict[str, Any]], Event]] = {
    'MessageAdded': lambda v: MessageAdded(_text(v['contact_id']), _to_message(v['message'])),
    'TypingStarted': lambda v: TypingStarted(_text(v['contact_id']), ParticipantRole(v['role'])),
    'ContactChanged': lambda v: ContactChanged(_to_contact(v['contact']), _optional_float(v['offer_expires_at'])),
    'AgentChanged': lambda v: AgentChanged(_to_agent(v['agent'])),
    'MeetingChanged': lambda v: MeetingChanged(_text(v['contact_id']), _text(v['meeting_id']), _flag(v['live'])),
    'VoiceChanged': lambda v: VoiceChanged(_text(v['contact_id']), _text(v['meeting_id']), _flag(v['live']),
                                           _flag(v['on_hold'])),
    'PagePresent': lambda v: PagePresent(_text(v['session_hash'])),
    'RecordingChanged': lambda v: RecordingChanged(_text(v['contact_id']), _text(v['recording_id']),
                                                   _text(v['meeting_id']), _text(v['state']), _text(v['policy'])),
}

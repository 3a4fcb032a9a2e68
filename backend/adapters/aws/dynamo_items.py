"""Item keys and the mapping between domain objects and DynamoDB items (see ``docs/aws/dynamodb.md``).

boto3's own ``TypeSerializer``/``TypeDeserializer`` do the AttributeValue encoding; this module only adds what they
leave out: floats (DynamoDB numbers are decimals), dropping ``None`` and turning numbers back into ``float``/``int``.
Provider payloads (Chime's Meeting/Attendee) are stored as JSON text, as they are opaque to us.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from backend.adapters.aws.dynamo_table import INDEX_PARTITION_KEY, INDEX_SORT_KEY, TTL_ATTRIBUTE
from backend.domain.model import (
    Agent,
    AgentStatus,
    Attendee,
    Contact,
    ContactState,
    Meeting,
    MeetingState,
    Message,
    MessageKind,
    ParticipantRole,
    ParticipantSession,
    ReferenceRecord,
    Role,
)

Item = dict[str, Any]  # AttributeValue-encoded, as the low-level client sends and returns it

AGENTS_PK = 'AGENTS'
AGENT_PREFIX = 'AGENT#'
AGENT_ID_PREFIX = 'AGENT_ID#'
CONTACT_SK = 'CONTACT'
MESSAGE_PREFIX = 'MSG#'
LIVE_MEETING_SK = 'LIVE_MEETING'
PARTICIPANT_SK = 'PARTICIPANT'
MEETING_SK = 'MEETING'
ATTENDEE_PREFIX = 'ATTENDEE#'
OPEN_CONTACTS_PK = 'OPEN_CONTACTS'
LEASE_HOLDER_PREFIX = 'HOLDER#'
SEQ_DIGITS = 10
READINESS_PK, READINESS_SK = 'READINESS', 'PING'  # read by /readyz, never written

# Contact.channel's type, from its default (a plain str or a StrEnum, whichever the model declares).
_CHANNEL_TYPE: Callable[[str], Any] = type({f.name: f for f in dataclasses.fields(Contact)}['channel'].default)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# keys

def key(pk: str, sk: str) -> Item:
    return {'PK': {'S': pk}, 'SK': {'S': sk}}


def agent_key(username: str) -> Item:
    return key(AGENTS_PK, f'{AGENT_PREFIX}{username}')


def agent_id_key(agent_id: str) -> Item:
    return key(AGENTS_PK, f'{AGENT_ID_PREFIX}{agent_id}')


def contact_pk(contact_id: str) -> str:
    return f'CONTACT#{contact_id}'


def contact_key(contact_id: str) -> Item:
    return key(contact_pk(contact_id), CONTACT_SK)


def message_key(contact_id: str, seq: int) -> Item:
    return key(contact_pk(contact_id), f'{MESSAGE_PREFIX}{seq:0{SEQ_DIGITS}d}')


def live_meeting_key(contact_id: str) -> Item:
    return key(contact_pk(contact_id), LIVE_MEETING_SK)


def session_key(session_hash: str) -> Item:
    return key(f'SESSION#{session_hash}', 'SESSION')


def meeting_pk(meeting_id: str) -> str:
    return f'MEETING#{meeting_id}'


def meeting_key(meeting_id: str) -> Item:
    return key(meeting_pk(meeting_id), MEETING_SK)


def attendee_key(meeting_id: str, attendee_id: str) -> Item:
    return key(meeting_pk(meeting_id), f'{ATTENDEE_PREFIX}{attendee_id}')


def reference_key(reference_key_hash: str) -> Item:
    return key(f'REFERENCE#{reference_key_hash}', 'REFERENCE')


def attempts_key(counter_key: str, window_seconds: float, window_index: int) -> Item:
    """One counter per key (a keyed hash of purpose and client network) and fixed window; the window length is in the
    key so a changed setting starts fresh."""
    return key(f'ATTEMPTS#{counter_key}', f'WINDOW#{window_seconds:g}#{window_index}')


def login_attempts_key(counter_key: str) -> Item:
    """The password login's attempts under one key (an HMAC of an account, a network or both): one item whose number
    set holds the attempt times, so the window slides exactly like local mode's."""
    return key(f'LOGIN#{counter_key}', 'ATTEMPTS')


def leases_pk(lease_key: str) -> str:
    return f'LEASES#{lease_key}'


def lease_key(lease_key_hash: str, holder: str) -> Item:
    """A lease under the key that holds it: one Query lists a key's leases."""
    return key(leases_pk(lease_key_hash), f'{LEASE_HOLDER_PREFIX}{holder}')


def lease_holder_key(holder: str) -> Item:
    """The holder's side of a lease: which key holds it, so any process can release it by the holder alone."""
    return key(f'LEASE#{holder}', 'LEASE')


# encoding

def encode(values: Mapping[str, Any]) -> Item:
    """Python values to AttributeValues; ``None`` is left out (absent attribute), floats become decimals."""
    return {name: _serializer.serialize(_decimals(value)) for name, value in values.items() if value is not None}


def decode(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def value(python_value: Any) -> Any:
    """One AttributeValue, e.g. for an ExpressionAttributeValues entry."""
    return _serializer.serialize(_decimals(python_value))


def ttl_seconds(expires_at: float) -> int:
    """The TTL attribute must be whole epoch seconds; rounding up never deletes an item before it expires."""
    return math.ceil(expires_at)


def is_expired(values: Mapping[str, Any], now: float) -> bool:
    """DynamoDB deletes expired items lazily (hours to days later), so every read drops them itself."""
    expires_at = values.get(TTL_ATTRIBUTE)
    return expires_at is not None and float(expires_at) <= now


def _decimals(python_value: Any) -> Any:
    if isinstance(python_value, float):
        return Decimal(repr(python_value))
    if isinstance(python_value, dict):
        return {k: _decimals(v) for k, v in python_value.items()}
    if isinstance(python_value, list | tuple):
        return [_decimals(v) for v in python_value]
    return python_value


def _float(number: Any) -> float:
    return float(number)


def _optional_float(number: Any) -> float | None:
    return None if number is None else float(number)


# agents

def agent_item(agent: Agent) -> Item:
    return {**agent_key(agent.username), **encode({
        'type': 'agent', 'username': agent.username, 'displayName': agent.display_name, 'agentId': agent.agent_id,
        'passwordHash': agent.password_hash, 'routingQueues': list(agent.routing_queues),
        'status': agent.status.value, 'statusSince': agent.status_since, 'role': agent.role.value})}


def agent_id_item(agent: Agent) -> Item:
    """Claims the agent id, so two agents cannot share one (SQLite: a unique column)."""
    return {**agent_id_key(agent.agent_id), **encode({'type': 'agentId', 'username': agent.username})}


def agent_from(values: Mapping[str, Any]) -> Agent:
    return Agent(username=values['username'], display_name=values['displayName'], agent_id=values['agentId'],
                 password_hash=values['passwordHash'], routing_queues=tuple(values['routingQueues']),
                 status=AgentStatus(values['status']), status_since=_float(values['statusSince']),
                 role=Role(values.get('role') or Role.AGENT))


# contacts, messages, sessions

def contact_values(contact: Contact) -> dict[str, Any]:
    """Every ``Contact`` field under its item attribute name (``None`` fields are dropped when encoded)."""
    return {'contactId': contact.contact_id, 'state': contact.state.value,
            'customerName': contact.customer_name, 'customerEmail': contact.customer_email,
            'attributes': dict(contact.attributes), 'priority': contact.priority, 'queueId': contact.queue_id,
            'enqueuedAt': contact.enqueued_at, 'agentUsername': contact.agent_username,
            'customerQueueFlow': contact.customer_queue_flow, 'initiatedAt': contact.initiated_at,
            'connectedAt': contact.connected_at, 'endedAt': contact.ended_at, 'endReason': contact.end_reason,
            'channel': contact.channel}


def contact_item(contact: Contact, expires_at: int | None) -> Item:
    """The whole contact; open contacts also carry the sparse index keys, so ending one drops it from the index."""
    index = {INDEX_PARTITION_KEY: OPEN_CONTACTS_PK,
             INDEX_SORT_KEY: f'{contact.initiated_at:020.6f}#{contact.contact_id}'} if contact.state.is_open else {}
    return {**contact_key(contact.contact_id), **encode({
        'type': 'contact', **contact_values(contact), TTL_ATTRIBUTE: expires_at, **index})}


def contact_from(values: Mapping[str, Any]) -> Contact:
    return Contact(contact_id=values['contactId'], state=ContactState(values['state']),
                   customer_name=values['customerName'], customer_email=values['customerEmail'],
                   attributes={str(k): str(v) for k, v in values.get('attributes', {}).items()},
                   priority=int(values['priority']), queue_id=values.get('queueId'),
                   enqueued_at=_optional_float(values.get('enqueuedAt')), agent_username=values.get('agentUsername'),
                   customer_queue_flow=values.get('customerQueueFlow'), initiated_at=_float(values['initiatedAt']),
                   connected_at=_optional_float(values.get('connectedAt')),
                   ended_at=_optional_float(values.get('endedAt')), end_reason=values.get('endReason'),
                   channel=_CHANNEL_TYPE(values['channel']))


def message_item(message: Message, expires_at: int | None) -> Item:
    return {**message_key(message.contact_id, message.seq), **encode({
        'type': 'message', 'contactId': message.contact_id, 'seq': message.seq, 'role': message.role.value,
        'displayName': message.display_name, 'text': message.text, 'kind': message.kind.value,
        'createdAt': message.created_at, TTL_ATTRIBUTE: expires_at})}


def message_from(values: Mapping[str, Any]) -> Message:
    return Message(contact_id=values['contactId'], seq=int(values['seq']), role=ParticipantRole(values['role']),
                   display_name=values['displayName'], text=values['text'], created_at=_float(values['createdAt']),
                   kind=MessageKind(values['kind']))


def participant_session_key(contact_id: str) -> Item:
    return key(contact_pk(contact_id), PARTICIPANT_SK)


def participant_session_item(session: ParticipantSession, expires_at: int | None) -> Item:
    """The customer's Connect participant (tokens included: DynamoDB encrypts them at rest; never logged).

    ``sessionExpiresAt`` is the exact end of the chat (0: unknown); the TTL attribute is that time rounded up, or the
    store's retention when the chat's end is unknown.
    """
    ttl = ttl_seconds(session.expires_at) if session.expires_at else expires_at
    return {**participant_session_key(session.contact.contact_id), **encode({
        'type': 'participantSession', 'contact': {k: v for k, v in contact_values(session.contact).items()
                                                  if v is not None},
        'participantId': session.participant_id, 'participantToken': session.participant_token,
        'connectionToken': session.connection_token, 'connectionExpiresAt': session.connection_expires_at,
        'sessionExpiresAt': session.expires_at, TTL_ATTRIBUTE: ttl})}


def participant_session_from(values: Mapping[str, Any]) -> ParticipantSession:
    return ParticipantSession(contact=contact_from(values['contact']), participant_id=values['participantId'],
                              participant_token=values['participantToken'],
                              connection_token=values.get('connectionToken', ''),
                              connection_expires_at=_float(values.get('connectionExpiresAt', 0)),
                              expires_at=_float(values.get('sessionExpiresAt', 0)))


def session_item(session_hash: str, contact_id: str, expires_at: int | None) -> Item:
    return {**session_key(session_hash), **encode({'type': 'session', 'contactId': contact_id,
                                                    TTL_ATTRIBUTE: expires_at})}


# meetings

def meeting_values(meeting: Meeting, expires_at: int | None) -> dict[str, Any]:
    return {'meetingId': meeting.meeting_id, 'contactId': meeting.contact_id, 'ownerUsername': meeting.owner_username,
            'state': meeting.state.value, 'createdAt': meeting.created_at, 'endedAt': meeting.ended_at,
            'providerMeeting': json.dumps(meeting.provider_meeting), TTL_ATTRIBUTE: expires_at}


def meeting_item(meeting: Meeting, expires_at: int | None) -> Item:
    return {**meeting_key(meeting.meeting_id), **encode({'type': 'meeting', **meeting_values(meeting, expires_at)})}


def live_meeting_item(meeting: Meeting, expires_at: int | None, attendees: list[Attendee] | None = None) -> Item:
    """A copy of the live meeting under its contact, with its attendees: one GetItem answers "the contact's live
    meeting" and its join data (attendees never change after the meeting is saved)."""
    embedded = json.dumps([attendee_values(a) for a in attendees]) if attendees is not None else None
    return {**live_meeting_key(meeting.contact_id), **encode({
        'type': 'liveMeeting', **meeting_values(meeting, expires_at), 'attendees': embedded})}


def embedded_attendees(values: Mapping[str, Any]) -> list[Attendee] | None:
    """The attendees a live-meeting item carries (None for an item written before they were embedded)."""
    if 'attendees' not in values:
        return None
    return [attendee_from({**a, 'providerAttendee': json.dumps(a['providerAttendee'])})
            for a in json.loads(values['attendees'])]


def meeting_from(values: Mapping[str, Any]) -> Meeting:
    return Meeting(meeting_id=values['meetingId'], contact_id=values['contactId'],
                   owner_username=values['ownerUsername'], created_at=_float(values['createdAt']),
                   provider_meeting=json.loads(values['providerMeeting']), state=MeetingState(values['state']),
                   ended_at=_optional_float(values.get('endedAt')))


def attendee_values(attendee: Attendee) -> dict[str, Any]:
    return {'meetingId': attendee.meeting_id, 'attendeeId': attendee.attendee_id, 'role': attendee.role.value,
            'name': attendee.name, 'providerAttendee': attendee.provider_attendee}


def attendee_item(attendee: Attendee, expires_at: int | None) -> Item:
    values = {**attendee_values(attendee), 'providerAttendee': json.dumps(attendee.provider_attendee)}
    return {**attendee_key(attendee.meeting_id, attendee.attendee_id), **encode({
        'type': 'attendee', **values, TTL_ATTRIBUTE: expires_at})}


def attendee_from(values: Mapping[str, Any]) -> Attendee:
    return Attendee(meeting_id=values['meetingId'], attendee_id=values['attendeeId'],
                    role=ParticipantRole(values['role']), name=values['name'],
                    provider_attendee=json.loads(values['providerAttendee']))


# references

def reference_item(record: ReferenceRecord) -> Item:
    """``validUntil`` is the exact expiry the conditions compare; ``expiresAt`` (whole seconds) is only for TTL."""
    return {**reference_key(record.key), **encode({
        'type': 'reference', 'emailKey': record.email_key, 'ownerUsername': record.owner_username,
        'createdAt': record.created_at, 'validUntil': record.expires_at, 'wrongEmails': 0,
        TTL_ATTRIBUTE: ttl_seconds(record.expires_at)})}


# per-client-network leases

def lease_items(lease_key_hash: str, holder: str, expires_at: float) -> tuple[Item, Item]:
    """Both sides of one lease; ``validUntil`` is the exact end the reads compare, ``expiresAt`` (rounded up) is TTL."""
    values = {'holder': holder, 'leaseKey': lease_key_hash, 'validUntil': expires_at,
              TTL_ATTRIBUTE: ttl_seconds(expires_at)}
    return ({**lease_key(lease_key_hash, holder), **encode({'type': 'lease', **values})},
            {**lease_holder_key(holder), **encode({'type': 'leaseHolder', **values})})


def live_lease(values: Mapping[str, Any], now: float) -> bool:
    return bool(values) and float(values['validUntil']) > now

"""DynamoDB store for aws mode: agents, contacts, transcripts, sessions, meetings and ad-hoc references in ONE table.

Same behaviour as ``SqliteStore`` (one store test-suite runs against both). What SQLite gets from transactions and
unique indexes, this store gets from conditional writes: it holds no lock of its own, so it stays correct with many
processes on one table. The key design and each condition are explained in ``docs/aws/dynamodb.md``.

Expired items (the TTL attribute ``expiresAt`` in the past) are treated as absent on every read: DynamoDB deletes
them only eventually. Every method blocks for one or a few network round trips (a few ms each in-region); the
services call the store synchronously, as they call SQLite, so wiring aws mode must keep that in mind.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

try:
    import boto3
    from botocore import xform_name
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError as error:  # pragma: no cover - depends on the install
    raise ImportError('The DynamoDB store needs boto3: pip install "video-call-escalation[aws]"') from error

from backend.adapters.aws import dynamo_items as items
from backend.adapters.aws.attendee_cache import AttendeeCache
from backend.adapters.aws.dynamo_table import (
    DEFAULT_TABLE_NAME,
    INDEX_PARTITION_KEY,
    OPEN_CONTACTS_INDEX,
    TTL_ATTRIBUTE,
)
from backend.adapters.aws.live_meeting_cache import LiveMeetingCache
from backend.domain.errors import InvalidInput, NotAllowed, StoreUnavailable
from backend.domain.login_limits import AttemptTally
from backend.domain.model import (
    Agent,
    AgentStatus,
    Attendee,
    Contact,
    Meeting,
    MeetingState,
    Message,
    MessageKind,
    ParticipantRole,
    ParticipantSession,
    RedeemResult,
    ReferenceRecord,
    Role,
)
from backend.ports import (
    AttemptCounter,
    LeaseStore,
    LoginAttemptCounter,
    MeetingStore,
    ParticipantSessionStore,
    ReferenceStore,
    Store,
)

log = logging.getLogger('vce.aws.dynamodb')

# Customers and agents wait on these calls: fail within seconds, retry throttling and 5xx the standard way.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={'mode': 'standard', 'total_max_attempts': 3})
DEFAULT_RETENTION_SECONDS = 45 * 24 * 3600  # contacts, transcripts, sessions, meetings (the sample kept meetings 45 d)
MAX_LOGIN_ATTEMPTS_PER_KEY = 1_000  # like local mode's counters: far above every limit, so an item stays small
MAX_APPEND_ATTEMPTS = 100  # each failed attempt means another writer took that sequence number: progress is global
MAX_TRANSACTION_ATTEMPTS = 3
SEQ_CACHE_LIMIT = 10_000
CONDITION_FAILED = 'ConditionalCheckFailedException'
TRANSACTION_CANCELED = 'TransactionCanceledException'
TRANSACTION_CONFLICT = 'TransactionConflictException'
HINTS = {
    'ResourceNotFoundException': 'the table does not exist in this region; create it (see docs/aws/dynamodb.md) '
                                 'or set the right table name and region',
    'AccessDeniedException': 'the credentials may not use this table; allow the actions listed in '
                             'docs/aws/dynamodb.md on the table and its index',
    'UnrecognizedClientException': 'the AWS credentials are not valid',
    'ExpiredTokenException': 'the AWS credentials have expired',
    'ProvisionedThroughputExceededException': 'DynamoDB throttled the table even after retries; try again shortly',
    'ThrottlingException': 'DynamoDB throttled the request even after retries; try again shortly',
    'RequestLimitExceeded': 'the account exceeded its DynamoDB request limit; try again shortly',
}
REFERENCE_NAMES = {'#validUntil': 'validUntil', '#usedAt': 'usedAt', '#burnedAt': 'burnedAt', '#wrong': 'wrongEmails',
                   '#email': 'emailKey'}
LIVE_REFERENCE = ('attribute_exists(PK) AND #validUntil > :now AND attribute_not_exists(#usedAt) '
                  'AND attribute_not_exists(#burnedAt)')


class _Rejected(Exception):
    """A write's condition did not hold: an expected outcome the caller interprets, not a failure."""

    def __init__(self, item: dict[str, Any] | None = None, reasons: list[str] | None = None) -> None:
        super().__init__('condition failed')
        self.item = item
        self.reasons = reasons or []


class DynamoStore(Store, ReferenceStore, MeetingStore, ParticipantSessionStore, AttemptCounter, LeaseStore,
                  LoginAttemptCounter):
    """Implements ``Store``, ``MeetingStore``, ``ReferenceStore``, ``ParticipantSessionStore``, ``AttemptCounter`` and
    ``LeaseStore`` on one table (PK/SK, TTL ``expiresAt``)."""

    def __init__(self, table_name: str = DEFAULT_TABLE_NAME, *, region: str | None = None, client: Any = None,
                 retention_seconds: float | None = DEFAULT_RETENTION_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self._own_client = client is None
        self._client = client if client is not None else boto3.client('dynamodb', region_name=region,
                                                                      config=CLIENT_CONFIG)
        self.table_name = table_name
        self._retention = retention_seconds
        self._clock = clock
        self._next_seq: dict[str, int] = {}  # per contact: the sequence number this process expects to write next
        self._lease_keys: dict[str, str] = {}  # holder -> key of the leases this process added (saves a read)
        self._attendees = AttendeeCache()
        self._live = LiveMeetingCache()

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def ping(self) -> None:
        """One eventually consistent GetItem of a key no item has: the call and the permission the server uses all
        the time (no DescribeTable to allow), half a read unit."""
        try:
            self._call('GetItem', Key=items.key(items.READINESS_PK, items.READINESS_SK))
        except StoreUnavailable as error:  # the details (table, AWS message) are logged, not served
            cause = error.__cause__
            name = (cause.response.get('Error', {}).get('Code', 'Unknown') if isinstance(cause, ClientError)
                    else type(cause).__name__)
            log.warning('dynamodb.not_ready error=%s detail=%s', name, error)
            raise StoreUnavailable(f'DynamoDB GetItem failed: {name}') from None

    # agents

    def add_agent(self, agent: Agent) -> None:
        """The username and the agent id are both unique (as in SQLite): one transaction claims both."""
        try:
            self._transact('AddAgent', [
                {'Put': self._put(items.agent_item(agent), 'attribute_not_exists(PK)')},
                {'Put': self._put(items.agent_id_item(agent), 'attribute_not_exists(PK)')},
            ])
        except _Rejected as rejected:
            raise InvalidInput(f'An agent named {agent.username!r} or with this agent id already exists.') from rejected

    def get_agent(self, username: str) -> Agent | None:
        values = self._get(items.agent_key(username))
        return items.agent_from(values) if values else None

    def list_agents(self) -> list[Agent]:
        return [items.agent_from(v) for v in self._query(items.AGENTS_PK, items.AGENT_PREFIX)]

    def set_password_hash(self, username: str, password_hash: str) -> None:
        self._update_existing(items.agent_key(username), {'passwordHash': password_hash})

    def set_agent_status(self, username: str, status: AgentStatus, since: float) -> None:
        self._update_existing(items.agent_key(username), {'status': status.value, 'statusSince': since})

    def set_agent_role(self, username: str, role: Role) -> None:
        self._update_existing(items.agent_key(username), {'role': role.value})

    # contacts

    def save_contact(self, contact: Contact) -> None:
        self._call('PutItem', Item=items.contact_item(contact, self._expires_at()))

    def get_contact(self, contact_id: str) -> Contact | None:
        values = self._get(items.contact_key(contact_id))
        return items.contact_from(values) if values else None

    def open_contacts(self) -> list[Contact]:
        """From the sparse index of open contacts, oldest first (an index read: eventually consistent)."""
        now = self._clock()
        contacts = []
        for page in self._pages('Query', IndexName=OPEN_CONTACTS_INDEX, KeyConditionExpression='#pk = :pk',
                                ExpressionAttributeNames={'#pk': INDEX_PARTITION_KEY},
                                ExpressionAttributeValues={':pk': items.value(items.OPEN_CONTACTS_PK)}):
            for values in page:
                if not items.is_expired(values, now):
                    contacts.append(items.contact_from(values))
        return [contact for contact in contacts if contact.state.is_open]

    def append_message(self, contact_id: str, role: ParticipantRole, display_name: str, text: str,
                       kind: MessageKind, created_at: float) -> Message:
        """Write the message at the next free sequence number; the condition makes the numbers unique and gap-free.

        This process remembers the next number per contact, so a chat costs one PutItem per message; when another
        writer took that number the condition fails and the last number is read again.
        """
        seq = self._next_seq.get(contact_id)
        for _attempt in range(MAX_APPEND_ATTEMPTS):
            if seq is None:
                seq = self._last_seq(contact_id) + 1
            message = Message(contact_id=contact_id, seq=seq, role=role, display_name=display_name, text=text,
                              created_at=created_at, kind=kind)
            try:
                self._call('PutItem', Item=items.message_item(message, self._expires_at()),
                           ConditionExpression='attribute_not_exists(PK)')
            except _Rejected:
                seq = None
                continue
            if len(self._next_seq) >= SEQ_CACHE_LIMIT:
                self._next_seq.clear()
            self._next_seq[contact_id] = seq + 1
            return message
        raise StoreUnavailable(f'Could not append to the transcript of contact {contact_id}: too many concurrent '
                               f'writers ({MAX_APPEND_ATTEMPTS} attempts). Try again.')

    def transcript(self, contact_id: str) -> list[Message]:
        return [items.message_from(v) for v in self._query(items.contact_pk(contact_id), items.MESSAGE_PREFIX)]

    # customer sessions

    def bind_session(self, session_hash: str, contact_id: str) -> None:
        self._call('PutItem', Item=items.session_item(session_hash, contact_id, self._expires_at()))

    def contact_for_session(self, session_hash: str) -> str | None:
        values = self._get(items.session_key(session_hash))
        return values['contactId'] if values else None

    # customers' Amazon Connect participants (aws mode)

    def save_participant_session(self, session: ParticipantSession) -> None:
        self._call('PutItem', Item=items.participant_session_item(session, self._expires_at()))

    def participant_session(self, contact_id: str) -> ParticipantSession | None:
        values = self._get(items.participant_session_key(contact_id))
        if not values:
            return None
        session = items.participant_session_from(values)
        return None if session.expires_at and session.expires_at <= self._clock() else session

    # meetings

    def save_meeting(self, meeting: Meeting, attendees: list[Attendee]) -> None:
        """Meeting, attendees and (for a live meeting) the contact's live-meeting item in one transaction.

        The live-meeting item may only be written where none exists (or an expired one): two agents' processes that
        start a meeting for the same contact at once cannot both win. The loser raises ``NotAllowed``, nothing of
        its meeting is written.
        """
        expires_at = self._expires_at()
        actions = [{'Put': self._put(items.meeting_item(meeting, expires_at), 'attribute_not_exists(PK)')}]
        if meeting.state is MeetingState.LIVE:
            actions.append({'Put': self._put(items.live_meeting_item(meeting, expires_at, attendees),
                                             *self._absent_or_expired())})
        actions += [{'Put': self._put(items.attendee_item(a, expires_at))} for a in attendees]
        try:
            self._transact('SaveMeeting', actions)
        except _Rejected as rejected:
            if rejected.reasons[:1] == ['ConditionalCheckFailed']:
                raise NotAllowed(f'A meeting with the id {meeting.meeting_id} already exists.') from rejected
            raise NotAllowed('This contact already has a live video session.') from rejected
        self._attendees.remember(meeting.meeting_id, attendees, expires_at)
        if meeting.state is MeetingState.LIVE:
            self._live.remember(meeting, expires_at, self._clock())

    def update_meeting(self, meeting: Meeting) -> None:
        """Set the state and end time; ending also deletes the contact's live-meeting item, in the same transaction."""
        update = self._update_params(items.meeting_key(meeting.meeting_id),
                                     {'state': meeting.state.value, 'endedAt': meeting.ended_at})
        if meeting.state is not MeetingState.LIVE:
            self._live.forget(meeting.contact_id, meeting.meeting_id)  # first: forgetting is always safe
        if meeting.state is MeetingState.ENDED:
            try:
                self._transact('EndMeeting', [
                    {'Update': update},
                    {'Delete': {'TableName': self.table_name, 'Key': items.live_meeting_key(meeting.contact_id),
                                'ConditionExpression': '#meetingId = :meetingId',
                                'ExpressionAttributeNames': {'#meetingId': 'meetingId'},
                                'ExpressionAttributeValues': {':meetingId': items.value(meeting.meeting_id)}}},
                ])
                return
            except _Rejected as rejected:
                if rejected.reasons[:1] == ['ConditionalCheckFailed']:
                    return  # no such meeting: nothing to update (as in SQLite)
                # the contact's live-meeting item is not this meeting's: only the meeting itself changes
        self._update_existing(items.meeting_key(meeting.meeting_id),
                              {'state': meeting.state.value, 'endedAt': meeting.ended_at})

    def live_meeting_for_contact(self, contact_id: str) -> Meeting | None:
        """One GetItem; the attendees it carries answer the next ``attendees`` call without a Query."""
        values = self._get(items.live_meeting_key(contact_id))
        if not values:
            self._live.forget(contact_id)
            return None
        meeting = items.meeting_from(values)
        embedded = items.embedded_attendees(values)
        if embedded:
            self._attendees.remember(meeting.meeting_id, embedded, values.get(TTL_ATTRIBUTE))
        self._live.remember(meeting, values.get(TTL_ATTRIBUTE), self._clock())
        return meeting

    def known_live_meeting(self, contact_id: str) -> Meeting | None:
        """What this process last wrote or read of the contact's live meeting (``LiveMeetingCache``); else a read."""
        cached = self._live.get(contact_id, self._clock())
        return cached if cached is not None else self.live_meeting_for_contact(contact_id)

    def forget_live_meeting(self, contact_id: str, meeting_id: str) -> None:
        self._live.forget(contact_id, meeting_id)

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        values = self._get(items.meeting_key(meeting_id))
        meeting = items.meeting_from(values) if values else None
        if meeting is not None and meeting.state is not MeetingState.LIVE:
            self._live.forget(meeting.contact_id, meeting.meeting_id)  # e.g. the "ended" marker's check
        return meeting

    def attendees(self, meeting_id: str) -> list[Attendee]:
        """A meeting's attendees never change once saved, so this process keeps what it wrote or read."""
        cached = self._attendees.get(meeting_id, self._clock())
        if cached is not None:
            return cached
        found = self._query(items.meeting_pk(meeting_id), items.ATTENDEE_PREFIX)
        attendees = [items.attendee_from(v) for v in found]
        if attendees:
            self._attendees.remember(meeting_id, attendees, min((v.get(TTL_ATTRIBUTE) for v in found),
                                                                 key=lambda t: math.inf if t is None else t))
        return attendees

    # ad-hoc references

    def add_reference(self, record: ReferenceRecord) -> bool:
        """Put unless a live reference has this key; an expired (TTL not yet run), used or burned one is replaced."""
        try:
            condition = ('attribute_not_exists(PK) OR #validUntil <= :now OR attribute_exists(#usedAt) '
                         'OR attribute_exists(#burnedAt)')
            self._call('PutItem', Item=items.reference_item(record), ConditionExpression=condition,
                       ExpressionAttributeNames=_names(condition),
                       ExpressionAttributeValues={':now': items.value(record.created_at)})
        except _Rejected:
            return False
        return True

    def redeem_reference(self, key: str, email_key: str, now: float,
                         max_wrong_emails: int) -> tuple[RedeemResult, str | None]:
        """One conditional UpdateItem marks the reference used: of many concurrent redemptions exactly one passes.

        When the condition fails, DynamoDB returns the item as it was (no extra read). A wrong email is then counted
        by a compare-and-set on ``wrongEmails`` that also burns the reference at the limit; if another wrong email
        was counted first, the failed condition returns the newer item and the count is tried again on that.
        """
        values = {':now': items.value(now), ':email': items.value(email_key)}
        try:
            update, condition = 'SET #usedAt = :now', f'{LIVE_REFERENCE} AND #email = :email'
            response = self._call('UpdateItem', Key=items.reference_key(key), UpdateExpression=update,
                                  ConditionExpression=condition, ExpressionAttributeNames=_names(update, condition),
                                  ExpressionAttributeValues=values,
                                  ReturnValues='ALL_NEW', ReturnValuesOnConditionCheckFailure='ALL_OLD')
            return RedeemResult.REDEEMED, items.decode(response['Attributes'])['ownerUsername']
        except _Rejected as rejected:
            old = items.decode(rejected.item or {})
        for _attempt in range(MAX_APPEND_ATTEMPTS):
            if not _live_reference(old, now) or old['emailKey'] == email_key:
                return RedeemResult.INVALID, None
            seen = int(old['wrongEmails'])
            burn = seen + 1 >= max_wrong_emails
            update = 'SET #wrong = :wrong' + (', #burnedAt = :now' if burn else '')
            condition = f'{LIVE_REFERENCE} AND #email <> :email AND #wrong = :seen'
            try:
                self._call('UpdateItem', Key=items.reference_key(key), UpdateExpression=update,
                           ConditionExpression=condition, ExpressionAttributeNames=_names(update, condition),
                           ExpressionAttributeValues={**values, ':seen': items.value(seen),
                                                      ':wrong': items.value(seen + 1)},
                           ReturnValuesOnConditionCheckFailure='ALL_OLD')
            except _Rejected as rejected:
                old = items.decode(rejected.item or {})
                continue
            return (RedeemResult.BURNED if burn else RedeemResult.WRONG_EMAIL), None
        raise StoreUnavailable('Could not count a wrong email against a reference: too many concurrent attempts. '
                               'Try again.')

    # per-client-network limits

    def record_attempt(self, key: str, now: float, window_seconds: float) -> int:
        """Count attempts in fixed windows (``floor(now / window)``): one atomic ADD, exact under concurrency."""
        if window_seconds <= 0:
            raise InvalidInput('The attempt window must be longer than 0 seconds.')
        index = math.floor(now / window_seconds)
        response = self._call('UpdateItem', Key=items.attempts_key(key, window_seconds, index),
                              UpdateExpression='ADD #attempts :one SET #type = :type, #ttl = :ttl',
                              ExpressionAttributeNames={'#attempts': 'attempts', '#type': 'type',
                                                        '#ttl': TTL_ATTRIBUTE},
                              ExpressionAttributeValues={
                                  ':one': items.value(1), ':type': items.value('attempts'),
                                  ':ttl': items.value(items.ttl_seconds((index + 1) * window_seconds))},
                              ReturnValues='UPDATED_NEW')
        return int(items.decode(response['Attributes'])['attempts'])


    # the password login's counters (docs/security/login.md), shared by every server process

    def add_attempt(self, key: str, now: float, window_seconds: float) -> AttemptTally:
        """Add this attempt's time to the key's set (one atomic ADD) and count the times inside the window; times
        that left it (or beyond ``MAX_LOGIN_ATTEMPTS_PER_KEY``) are deleted from the set in a second write. The
        item expires with its newest attempt's window."""
        response = self._call('UpdateItem', Key=items.login_attempts_key(key),
                              UpdateExpression='ADD #times :now SET #type = :type, #ttl = :ttl',
                              ExpressionAttributeNames={'#times': 'times', '#type': 'type', '#ttl': TTL_ATTRIBUTE},
                              ExpressionAttributeValues={
                                  ':now': {'NS': [_attempt_time(now)]}, ':type': items.value('login-attempts'),
                                  ':ttl': items.value(items.ttl_seconds(now + window_seconds))},
                              ReturnValues='ALL_NEW')
        times = sorted(response['Attributes']['times']['NS'], key=float)
        since = now - window_seconds
        stale = [t for t in times if float(t) <= since]
        live = [t for t in times if float(t) > since]
        stale += live[:-MAX_LOGIN_ATTEMPTS_PER_KEY]
        live = live[-MAX_LOGIN_ATTEMPTS_PER_KEY:]
        if stale:
            self._delete_attempt_times(key, stale)
        return AttemptTally(count=len(live), oldest_expires_at=float(live[0]) + window_seconds)

    def take_back(self, key: str, at: float) -> None:
        self._delete_attempt_times(key, [_attempt_time(at)])

    def forget(self, key: str) -> None:
        self._call('DeleteItem', Key=items.login_attempts_key(key))

    def _delete_attempt_times(self, key: str, times: list[str]) -> None:
        try:  # only on an existing item: an update would otherwise create an empty one that never expires
            self._call('UpdateItem', Key=items.login_attempts_key(key), UpdateExpression='DELETE #times :times',
                       ConditionExpression='attribute_exists(PK)', ExpressionAttributeNames={'#times': 'times'},
                       ExpressionAttributeValues={':times': {'NS': times}})
        except _Rejected:
            return
    def add_lease(self, key: str, holder: str, now: float, expires_at: float) -> None:
        """Both sides of the lease in one transaction, so a release by the holder always finds the key's side."""
        lease, holder_side = items.lease_items(key, holder, expires_at)
        self._transact('AddLease', [{'Put': self._put(lease)}, {'Put': self._put(holder_side)}])
        if len(self._lease_keys) >= SEQ_CACHE_LIMIT:
            self._lease_keys.clear()
        self._lease_keys[holder] = key

    def lease_holders(self, key: str, now: float) -> list[str]:
        """One Query of the key's partition; leases past their exact end are left out (TTL deletes them later)."""
        return [values['holder'] for values in self._query(items.leases_pk(key), items.LEASE_HOLDER_PREFIX, now)
                if items.live_lease(values, now)]

    def release_lease(self, holder: str) -> None:
        """Delete both sides in one transaction; the key comes from this process's memory of its own leases, or
        from the holder's side (one read; nothing to do if there is none)."""
        key = self._lease_keys.pop(holder, None)
        if key is None:
            response = self._call('GetItem', Key=items.lease_holder_key(holder), ConsistentRead=True)
            values = items.decode(response.get('Item') or {})
            if not values:
                return
            key = values['leaseKey']
        self._transact('ReleaseLease', [
            {'Delete': {'TableName': self.table_name, 'Key': items.lease_key(key, holder)}},
            {'Delete': {'TableName': self.table_name, 'Key': items.lease_holder_key(holder)}},
        ])

    # internals

    def _expires_at(self) -> int | None:
        return None if self._retention is None else items.ttl_seconds(self._clock() + self._retention)

    def _absent_or_expired(self) -> tuple[str, dict[str, str], dict[str, Any]]:
        return ('attribute_not_exists(PK) OR #ttl <= :now', {'#ttl': TTL_ATTRIBUTE},
                {':now': items.value(self._clock())})

    def _put(self, item: dict[str, Any], condition: str | None = None, names: dict[str, str] | None = None,
             values: dict[str, Any] | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {'TableName': self.table_name, 'Item': item}
        if condition:
            put['ConditionExpression'] = condition
        if names:
            put['ExpressionAttributeNames'] = names
        if values:
            put['ExpressionAttributeValues'] = values
        return put

    def _update_params(self, key: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        """A conditional UpdateItem that never creates an item (SQL's UPDATE changes no row that is missing)."""
        names = {f'#f{i}': name for i, name in enumerate(fields)}
        sets = [f'#f{i} = :v{i}' for i, value in enumerate(fields.values()) if value is not None]
        removes = [f'#f{i}' for i, value in enumerate(fields.values()) if value is None]
        expression = ' '.join(part for part in (f'SET {", ".join(sets)}' if sets else '',
                                                f'REMOVE {", ".join(removes)}' if removes else '') if part)
        params: dict[str, Any] = {'TableName': self.table_name, 'Key': key, 'UpdateExpression': expression,
                                  'ConditionExpression': 'attribute_exists(PK)', 'ExpressionAttributeNames': names}
        values = {f':v{i}': items.value(value) for i, value in enumerate(fields.values()) if value is not None}
        if values:
            params['ExpressionAttributeValues'] = values
        return params

    def _update_existing(self, key: dict[str, Any], fields: dict[str, Any]) -> None:
        params = self._update_params(key, fields)
        del params['TableName']
        try:
            self._call('UpdateItem', **params)
        except _Rejected:
            pass  # no such item: nothing to update

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        response = self._call('GetItem', Key=key, ConsistentRead=True)
        values = items.decode(response.get('Item') or {})
        return values if values and not items.is_expired(values, self._clock()) else None

    def _query(self, pk: str, sk_prefix: str, now: float | None = None) -> list[dict[str, Any]]:
        """Every live item (at ``now``, by default the store's clock) of one partition whose sort key starts with
        ``sk_prefix``, in sort-key order."""
        now = self._clock() if now is None else now
        return [values for page in self._pages(
            'Query', KeyConditionExpression='PK = :pk AND begins_with(SK, :prefix)', ConsistentRead=True,
            ExpressionAttributeValues={':pk': items.value(pk), ':prefix': items.value(sk_prefix)})
            for values in page if not items.is_expired(values, now)]

    def _pages(self, operation: str, **params: Any) -> Iterator[list[dict[str, Any]]]:
        while True:
            response = self._call(operation, **params)
            yield [items.decode(item) for item in response.get('Items', [])]
            if 'LastEvaluatedKey' not in response:
                return
            params['ExclusiveStartKey'] = response['LastEvaluatedKey']

    def _last_seq(self, contact_id: str) -> int:
        response = self._call('Query', KeyConditionExpression='PK = :pk AND begins_with(SK, :prefix)',
                              ExpressionAttributeValues={':pk': items.value(items.contact_pk(contact_id)),
                                                         ':prefix': items.value(items.MESSAGE_PREFIX)},
                              ProjectionExpression='seq', ScanIndexForward=False, Limit=1, ConsistentRead=True)
        found = response.get('Items', [])
        return int(items.decode(found[0])['seq']) if found else 0

    def _transact(self, name: str, actions: list[dict[str, Any]]) -> None:
        """TransactWriteItems, retried a few times when another transaction on the same items got in the way.

        A failed condition is final (``_Rejected`` with the reason per action, in order); conflicts are retried.
        """
        for attempt in range(1, MAX_TRANSACTION_ATTEMPTS + 1):
            try:
                self._call('TransactWriteItems', table=False, TransactItems=actions)
                return
            except _Rejected as rejected:
                if 'ConditionalCheckFailed' in rejected.reasons:
                    raise
                reasons = ', '.join(rejected.reasons)
                log.info('dynamodb.transaction_retry operation=%s attempt=%d reasons=%s', name, attempt, reasons)
        raise StoreUnavailable(f'DynamoDB {name} on table {self.table_name!r} kept conflicting with concurrent '
                               f'writes ({reasons}); nothing was written. Try again.')

    def _call(self, operation: str, *, table: bool = True, **params: Any) -> dict[str, Any]:
        """One client call; a failed condition becomes ``_Rejected``, any other AWS error ``StoreUnavailable``.

        A single-item write that met a running transaction on the same item (``TransactionConflictException``,
        which botocore does not retry) did nothing, so it is tried again a few times.
        """
        method = getattr(self._client, xform_name(operation))
        for attempt in range(1, MAX_TRANSACTION_ATTEMPTS + 1):
            try:
                return method(**({'TableName': self.table_name} if table else {}), **params)
            except ClientError as error:
                code = error.response.get('Error', {}).get('Code', 'Unknown')
                if code == CONDITION_FAILED:
                    raise _Rejected(item=error.response.get('Item')) from None
                if code == TRANSACTION_CANCELED:
                    reasons = [r.get('Code') or 'None' for r in error.response.get('CancellationReasons', [])]
                    raise _Rejected(reasons=reasons) from None
                if code == TRANSACTION_CONFLICT and attempt < MAX_TRANSACTION_ATTEMPTS:
                    log.info('dynamodb.conflict_retry operation=%s attempt=%d', operation, attempt)
                    continue
                raise StoreUnavailable(self._message(operation, code, error)) from error
            except BotoCoreError as error:  # no credentials or region, endpoint unreachable, timeouts
                raise StoreUnavailable(f'DynamoDB {operation} on table {self.table_name!r} failed: '
                                       f'{type(error).__name__}: {error}') from error
        raise AssertionError('unreachable')  # pragma: no cover

    def _message(self, operation: str, code: str, error: ClientError) -> str:
        aws_message = error.response.get('Error', {}).get('Message') or 'no message'
        request_id = error.response.get('ResponseMetadata', {}).get('RequestId')
        hint = f' ({HINTS[code]})' if code in HINTS else ''
        message = (f'DynamoDB {operation} on table {self.table_name!r} failed: {code}: {aws_message}{hint}'
                   f'{f"; request id {request_id}" if request_id else ""}.')
        log.warning('dynamodb.failed %s', message)
        return message


def _names(*expressions: str) -> dict[str, str]:
    """The reference attribute names these expressions use (DynamoDB refuses unused ones)."""
    used = set(re.findall(r'#\w+', ' '.join(expressions)))
    return {name: attribute for name, attribute in REFERENCE_NAMES.items() if name in used}


def _live_reference(values: dict[str, Any], now: float) -> bool:
    """The redemption condition, evaluated on the item a failed condition returned."""
    return (bool(values) and float(values['validUntil']) > now and 'usedAt' not in values
            and 'burnedAt' not in values)


if TYPE_CHECKING:  # mypy checks that the store keeps every port it implements
    def _implements(store: DynamoStore) -> tuple[Store, MeetingStore, ReferenceStore, ParticipantSessionStore,
                                                 AttemptCounter, LeaseStore]:
        return store, store, store, store, store, store


def _attempt_time(at: float) -> str:
    """An attempt's time as a DynamoDB number; the same float always gives the same number (``take_back`` finds it)."""
    return repr(float(at))

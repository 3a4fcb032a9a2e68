"""A small Amazon Connect instance for running ``vce doctor --pilot`` offline: Connect, its Participant Service and
Chime SDK meetings answering real boto3 clients (botocore still validates every request, and every answer against
the operation's model, as in ``fake_connect.py``), with a participant websocket per contact on 127.0.0.1.

Unlike the one-chat fakes it keeps many contacts, and it runs the flows the way we read Connect's documentation: the
shipped flow files, rendered with this instance's ARNs (``vce flows export``'s rendering), run by our flow
interpreter. So the contact's queue, priority and messages come from the flow files themselves; an AgentId that is
not a user id takes the block's Error branch; and GetMetricData loads a position only when ``positions`` says
Connect would (the flow designer's contact-level option). It owns an event loop in a thread (the pilot's CLI runs
its own), so use it as a context manager.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from backend.adapters.aws.chat_items import CHAT_ENDED, LEFT, TYPING
from backend.flows import Flow, FlowActionError, FlowOutcome, parse_flow, run_flow
from backend.flows.export import Targets, read_flows, render
from backend.settings import PROJECT_ROOT
from tests.contract.connect_chat_fixtures import event, message
from tests.contract.fake_connect import AwsError, ModelFake, iso
from tests.contract.fake_participant_server import FakeParticipantServer

ACCOUNT = '123456789012'


@dataclass
class User:
    user_id: str
    username: str
    first: str = ''
    email: str = ''


@dataclass
class Contact:
    contact_id: str
    participant_token: str
    attributes: dict[str, str]
    started: datetime
    transcript: list[dict[str, Any]] = field(default_factory=list)
    connections: set[str] = field(default_factory=set)
    ended: datetime | None = None
    priority: int = 5
    target: str = ''  # the working queue the flow set
    queue: str = ''  # where the contact waits, once transferred
    enqueued: datetime | None = None
    queue_flow: str = ''
    tasks: list[Future[Any]] = field(default_factory=list)  # its flow runs (cancelled when it ends)


class FakeConnectInstance(ModelFake):
    def __init__(self, *, instance_arn: str, chat_flow_id: str, queue_flow_id: str, basic_queue_arn: str,
                 users: list[User], identity: str = 'SAML', positions: bool = True, region: str = 'eu-west-2',
                 website: str = '', voice_queue_flow_id: str = '') -> None:
        self.instance_arn, self.region, self.website = instance_arn, region, website
        self.instance_id = instance_arn.rsplit('/', 1)[-1]
        self.basic_queue_arn, self.identity, self.positions = basic_queue_arn, identity, positions
        self.users = {u.username.lower(): u for u in users}
        self.flow_ids = {'VideoCallEscalationChat': chat_flow_id, 'VideoCallEscalationQueue': queue_flow_id}
        if voice_queue_flow_id:
            self.flow_ids['VideoCallEscalationVoiceQueue'] = voice_queue_flow_id
        sources = read_flows(sorted((PROJECT_ROOT / 'contact_flows').glob('*.json')))
        targets = Targets(instance_arn, {'BasicQueue': basic_queue_arn},
                          {**{f.name: str(uuid.uuid4()) for f in sources}, **self.flow_ids})
        self.content = {targets.flow_ids[f.name]: render(f, targets) for f in sources}  # published, by flow id
        self.flows: dict[str, Flow] = {i: parse_flow(json.loads(text), name=i) for i, text in self.content.items()}
        self.contacts: dict[str, Contact] = {}
        self.server = FakeParticipantServer()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name='fake-connect-instance', daemon=True)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        session = boto3.session.Session(region_name=region, aws_access_key_id='x', aws_secret_access_key='x')
        self.clients = {name: self.attach(session.client(name))  # type: ignore[call-overload]
                        for name in ('connect', 'connectparticipant', 'chime-sdk-meetings')}
        self.meetings: dict[str, dict[str, Any]] = {}

    def __enter__(self) -> FakeConnectInstance:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(5)
        return self

    def __exit__(self, *_: object) -> None:
        for contact in self.contacts.values():
            for task in contact.tasks:
                task.cancel()
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        for client in self.clients.values():
            self.detach(client)

    def client_as(self, session_name: str) -> Any:
        """A connect client acting as an assumed role session: GetFederationToken answers for the user whose
        username is the session name (how SAML instances map a federated identity to a Connect user)."""
        client = boto3.session.Session(region_name=self.region, aws_access_key_id='x', aws_secret_access_key='x'
                                       ).client('connect')
        return _FederatedAs(self, session_name).attach(client)

    # --- connect: the doctor's reads ---------------------------------------------------------------------------

    def describe_instance(self, *, InstanceId: str) -> dict[str, Any]:
        return {'Instance': {'Id': self.instance_id, 'Arn': self.instance_arn, 'InstanceAlias': 'example-bank',
                             'IdentityManagementType': self.identity, 'InstanceStatus': 'ACTIVE',
                             'InstanceAccessUrl': 'https://example-bank.my.connect.aws'}}

    def describe_contact_flow(self, *, InstanceId: str, ContactFlowId: str) -> dict[str, Any]:
        if ContactFlowId not in self.content:
            raise AwsError('ResourceNotFoundException', 404)
        data = json.loads(self.content[ContactFlowId])
        kind = 'CUSTOMER_QUEUE' if data['Metadata']['type'] == 'customerQueue' else 'CONTACT_FLOW'
        return {'ContactFlow': {'Id': ContactFlowId, 'Name': data['Metadata']['name'], 'Type': kind,
                                'State': 'ACTIVE', 'Status': 'PUBLISHED', 'Content': self.content[ContactFlowId]}}

    def describe_queue(self, *, InstanceId: str, QueueId: str) -> dict[str, Any]:
        return {'Queue': {'Name': 'BasicQueue', 'QueueId': QueueId, 'Status': 'ENABLED'}}

    def list_approved_origins(self, *, InstanceId: str, **_: Any) -> dict[str, Any]:
        return {'Origins': [self.website] if self.website else []}

    # --- connect: users --------------------------------------------------------------------------------------------

    def search_users(self, *, InstanceId: str, SearchCriteria: dict[str, Any], **_: Any) -> dict[str, Any]:
        condition = SearchCriteria['StringCondition']
        assert condition['FieldName'] == 'Username' and condition['ComparisonType'] == 'EXACT', condition
        user = self.users.get(condition['Value'].lower())
        found = [{'Id': user.user_id, 'Username': user.username}] if user else []
        return {'Users': found, 'ApproximateTotalCount': len(found)}

    def describe_user(self, *, InstanceId: str, UserId: str) -> dict[str, Any]:
        user = next((u for u in self.users.values() if u.user_id == UserId), None)
        if user is None:
            raise AwsError('ResourceNotFoundException', 404)
        identity = {k: v for k, v in (('FirstName', user.first), ('Email', user.email)) if v}
        return {'User': {'Id': user.user_id, 'Arn': f'{self.instance_arn}/agent/{user.user_id}',
                         'Username': user.username, 'IdentityInfo': identity}}

    # --- connect: contacts -----------------------------------------------------------------------------------------

    def start_chat_contact(self, *, InstanceId: str, ContactFlowId: str, Attributes: dict[str, str] | None = None,
                           ParticipantDetails: dict[str, str], ClientToken: str, **_: Any) -> dict[str, Any]:
        if ContactFlowId not in self.flows:
            raise AwsError('ResourceNotFoundException', 404)
        contact = Contact(str(uuid.uuid4()), f'participant-token-{uuid.uuid4().hex}', dict(Attributes or {}),
                          datetime.now(UTC))
        self.contacts[contact.contact_id] = contact
        self._run(contact, self.flows[ContactFlowId])
        return {'ContactId': contact.contact_id, 'ParticipantId': str(uuid.uuid4()),
                'ParticipantToken': contact.participant_token}

    def describe_contact(self, *, InstanceId: str, ContactId: str) -> dict[str, Any]:
        contact = self._contact(ContactId)
        described: dict[str, Any] = {'Id': contact.contact_id, 'Arn': f'{self.instance_arn}/contact/{ContactId}',
                                     'Channel': 'CHAT', 'InitiationMethod': 'API',
                                     'InitiationTimestamp': contact.started, 'QueuePriority': contact.priority,
                                     'Attributes': dict(contact.attributes)}
        if contact.queue:
            described['QueueInfo'] = {'Id': contact.queue, 'EnqueueTimestamp': contact.enqueued}
        if contact.ended:
            described['DisconnectTimestamp'] = contact.ended
        return {'Contact': described}

    def update_contact_attributes(self, *, InstanceId: str, InitialContactId: str,
                                  Attributes: dict[str, str]) -> dict[str, Any]:
        self._contact(InitialContactId).attributes.update(Attributes)
        return {}

    def get_contact_metrics(self, *, InstanceId: str, ContactId: str, Metrics: list[dict[str, str]]
                            ) -> dict[str, Any]:
        contact = self._contact(ContactId)
        if not contact.queue or contact.ended:
            raise AwsError('InvalidRequestException', 400, 'the contact is not in a queue')
        return {'MetricResults': [{'Name': 'POSITION_IN_QUEUE', 'Value': {'Number': float(self._position(contact))}}],
                'Id': ContactId, 'Arn': f'{self.instance_arn}/contact/{ContactId}'}

    # --- connectparticipant ----------------------------------------------------------------------------------------

    def create_participant_connection(self, *, Type: list[str], ParticipantToken: str,
                                      ConnectParticipant: bool = False) -> dict[str, Any]:
        contact = next((c for c in self.contacts.values() if c.participant_token == ParticipantToken), None)
        if contact is None or contact.ended:
            raise AwsError('AccessDeniedException', 403)
        number = next(self._ids)
        token = f'connection-token-{contact.contact_id}-{number}'
        contact.connections.add(token)
        now = datetime.now(UTC).timestamp()
        return {'Websocket': {'Url': self.server.url(f'{contact.contact_id}/socket-{number}?X-Amz-Security-Token=x'),
                              'ConnectionExpiry': iso(now + 100)},
                'ConnectionCredentials': {'ConnectionToken': token, 'Expiry': iso(now + 86_400)}}

    def send_message(self, *, ContentType: str, Content: str, ClientToken: str, ConnectionToken: str
                     ) -> dict[str, Any]:
        contact = self._connected(ConnectionToken)
        item = message(f'msg-{next(self._ids)}', Content, role='CUSTOMER', name='Customer',
                       at=iso(datetime.now(UTC).timestamp()))
        self._add(contact, item)
        return {'Id': item['Id'], 'AbsoluteTime': item['AbsoluteTime']}

    def send_event(self, *, ContentType: str, ClientToken: str, ConnectionToken: str,
                   Content: str | None = None) -> dict[str, Any]:
        self._connected(ConnectionToken)
        assert ContentType == TYPING
        return {'Id': f'ev-{next(self._ids)}', 'AbsoluteTime': iso(datetime.now(UTC).timestamp())}

    def get_transcript(self, *, ConnectionToken: str, **_: Any) -> dict[str, Any]:
        contact = self._connected(ConnectionToken)
        return {'InitialContactId': contact.contact_id, 'Transcript': [dict(i) for i in contact.transcript]}

    def disconnect_participant(self, *, ClientToken: str, ConnectionToken: str) -> dict[str, Any]:
        self._end(self._connected(ConnectionToken))
        return {}

    # --- chime-sdk-meetings ----------------------------------------------------------------------------------------

    def create_meeting_with_attendees(self, *, ClientRequestToken: str, ExternalMeetingId: str, MediaRegion: str,
                                      Attendees: list[dict[str, str]], **_: Any) -> dict[str, Any]:
        meeting_id = str(uuid.uuid4())
        base = f'https://{meeting_id}.example.invalid'
        meeting = {'MeetingId': meeting_id, 'ExternalMeetingId': ExternalMeetingId, 'MediaRegion': MediaRegion,
                   'MediaPlacement': {'AudioHostUrl': f'{base}/audio', 'SignalingUrl': f'{base}/signal',
                                      'TurnControlUrl': f'{base}/turn', 'AudioFallbackUrl': f'{base}/fallback'}}
        self.meetings[meeting_id] = meeting
        return {'Meeting': meeting, 'Errors': [], 'Attendees': [
            {'ExternalUserId': a['ExternalUserId'], 'AttendeeId': str(uuid.uuid4()), 'JoinToken': 'join-token-x'}
            for a in Attendees]}

    def get_meeting(self, *, MeetingId: str) -> dict[str, Any]:
        if MeetingId not in self.meetings:
            raise AwsError('NotFoundException', 404)
        return {'Meeting': self.meetings[MeetingId]}

    def delete_meeting(self, *, MeetingId: str) -> dict[str, Any]:
        if self.meetings.pop(MeetingId, None) is None:
            raise AwsError('NotFoundException', 404)
        return {}

    # --- the flows -------------------------------------------------------------------------------------------------

    def _run(self, contact: Contact, flow: Flow) -> None:
        """Run a flow for the contact on the instance's loop, as Connect does after StartChatContact answers."""
        contact.tasks.append(asyncio.run_coroutine_threadsafe(self._run_flow(contact, flow), self.loop))

    async def _run_flow(self, contact: Contact, flow: Flow) -> None:
        outcome = await run_flow(flow, _Host(self, contact))
        if outcome is FlowOutcome.QUEUED and contact.queue_flow and not contact.ended:
            queue_flow = run_flow(self.flows[contact.queue_flow], _Host(self, contact))
            contact.tasks.append(asyncio.run_coroutine_threadsafe(queue_flow, self.loop))

    def _add(self, contact: Contact, item: dict[str, Any]) -> None:
        item.setdefault('ContactId', contact.contact_id)
        with self._lock:
            contact.transcript.append(item)
        future = asyncio.run_coroutine_threadsafe(self.server.push(item, only=f'/{contact.contact_id}/'), self.loop)
        if not self._on_loop():
            future.result(5)

    def _end(self, contact: Contact) -> None:
        if contact.ended:
            return
        contact.ended = datetime.now(UTC)
        for task in contact.tasks:
            task.cancel()
        self._add(contact, event(f'ev-{next(self._ids)}', LEFT, role='CUSTOMER', name='Customer'))
        self._add(contact, event(f'ev-{next(self._ids)}', CHAT_ENDED, role='SYSTEM', name='SYSTEM'))

    def _position(self, contact: Contact) -> int:
        waiting = sorted((c for c in self.contacts.values() if c.queue == contact.queue and not c.ended),
                         key=lambda c: (c.priority, c.enqueued or c.started))
        return 1 + waiting.index(contact)

    def _contact(self, contact_id: str) -> Contact:
        if contact_id not in self.contacts:
            raise AwsError('ResourceNotFoundException', 404)
        return self.contacts[contact_id]

    def _connected(self, connection_token: str) -> Contact:
        for contact in self.contacts.values():
            if connection_token in contact.connections and not contact.ended:
                return contact
        raise AwsError('AccessDeniedException', 403)

    def _on_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False


class _Host:
    """Our flow interpreter's host for one contact of the fake instance, with Connect's documented rules."""

    def __init__(self, instance: FakeConnectInstance, contact: Contact) -> None:
        self.instance, self.contact = instance, contact
        self.metrics: dict[str, Any] = {}

    def flow_data(self) -> dict[str, Any]:
        return {'Attributes': dict(self.contact.attributes), 'ContactId': self.contact.contact_id, 'Channel': 'CHAT',
                'Queue': {'Name': 'BasicQueue' if self.contact.queue else '', 'ARN': self.contact.queue},
                'Metrics': self.metrics}

    def set_attributes(self, values: dict[str, str]) -> None:
        self.contact.attributes.update(values)

    async def send_message(self, text: str) -> None:
        self.instance._add(self.contact, message(f'sys-{next(self.instance._ids)}', text, role='SYSTEM',
                                                 name='SYSTEM_MESSAGE', at=iso(datetime.now(UTC).timestamp())))

    def set_logging(self, enabled: bool) -> None:
        pass

    def set_priority(self, priority: int) -> None:
        self.contact.priority = priority

    def set_customer_queue_flow(self, flow_ref: str) -> None:
        flow_id = flow_ref.rsplit('/', 1)[-1]
        if flow_id not in self.instance.flows:
            raise FlowActionError('NoMatchingError', f'no flow {flow_ref}')
        self.contact.queue_flow = flow_id

    def set_target_queue(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        if agent_id:  # AgentId: a user id or ARN; anything else takes the Error branch
            user_id = agent_id.rsplit('/', 1)[-1]
            if not any(u.user_id == user_id for u in self.instance.users.values()):
                raise FlowActionError('NoMatchingError', f'{agent_id!r} is not an agent id or ARN')
            self.contact.target = f'agent/{user_id}'
        elif queue_id == self.instance.basic_queue_arn:
            self.contact.target = queue_id.rsplit('/', 1)[-1]
        else:
            raise FlowActionError('NoMatchingError', f'no queue {queue_id!r}')

    def transfer_to_queue(self) -> None:
        if not self.contact.target:
            raise FlowActionError('NoMatchingError', 'no working queue')
        self.contact.queue, self.contact.enqueued = self.contact.target, datetime.now(UTC)

    def load_metrics(self, *, queue_id: str | None = None, agent_id: str | None = None) -> None:
        self.metrics = {'Queue': {'Name': 'BasicQueue', 'ARN': self.contact.queue}}
        if self.instance.positions:  # the flow designer's contact-level option (no documented JSON field)
            self.metrics['Contact'] = {'PositionInQueue': self.instance._position(self.contact)}

    async def wait(self, seconds: float) -> None:
        await asyncio.Event().wait()  # until the contact leaves the queue (its task is cancelled)

    async def disconnect(self) -> None:
        self.instance._end(self.contact)


class _FederatedAs(ModelFake):
    def __init__(self, instance: FakeConnectInstance, session_name: str) -> None:
        self.instance, self.session_name = instance, session_name

    def get_federation_token(self, *, InstanceId: str) -> dict[str, Any]:
        if self.instance.identity != 'SAML':
            raise AwsError('InvalidRequestException', 400, 'the instance does not use SAML')
        user = self.instance.users.get(self.session_name.lower())
        if user is None:
            raise AwsError('UserNotFoundException', 404)
        later = datetime.now(UTC).timestamp() + 3600
        return {'UserId': user.user_id, 'UserArn': f'{self.instance.instance_arn}/agent/{user.user_id}',
                'Credentials': {'AccessToken': 'federated-access-token', 'AccessTokenExpiration': later,
                                'RefreshToken': 'federated-refresh-token', 'RefreshTokenExpiration': later}}

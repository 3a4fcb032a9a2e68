"""aws mode's meetings: only the agent Amazon Connect assigned the contact to may start its video (DescribeContact,
Stubber-validated), and a Chime meeting the store refuses (another process won) is deleted, not orphaned."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.adapters.aws.connect_contacts import ConnectContactAssignments, ConnectContactNotes
from backend.adapters.aws.connect_users import ConnectUserDirectory
from backend.adapters.aws.dynamo_store import DynamoStore
from backend.adapters.aws.participant_sessions import InMemoryParticipantSessions
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import AssignedContact, Channel, Contact, ContactState, ParticipantRole, ParticipantSession
from backend.events import EventBus
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import MeetingService
from tests.contract.connect_user_fixtures import (
    ANN_ID,
    BOB_ID,
    CONTACT_ID,
    INSTANCE_ARN,
    INSTANCE_ID,
    connect_client,
    contact,
    expect_describe_contact,
    expect_describe_user,
    expect_search,
    user,
)
from tests.contract.dynamo_fixtures import moto_dynamodb, new_table


class RecordingProvider:
    """A MeetingProvider that remembers what it created and deleted."""

    backend = 'chime'

    def __init__(self) -> None:
        self.created: list[str] = []
        self.deleted: list[str] = []

    def create_meeting_with_attendees(self, meeting_id: str, attendees: list[tuple[str, str]]) -> tuple[Any, Any]:
        self.created.append(meeting_id)
        return ({'MeetingId': f'chime-{meeting_id}'},
                {external_id: {'AttendeeId': f'a-{external_id}', 'JoinToken': 'secret'}
                 for external_id, _name in attendees})

    def delete_meeting(self, meeting: dict[str, object]) -> None:
        self.deleted.append(str(meeting['MeetingId']))

    def join_payload(self, meeting: dict[str, object], attendee: dict[str, object], name: str) -> dict[str, object]:
        return {'Meeting': meeting, 'Attendee': attendee, 'name': name}


class Notes:
    def __init__(self) -> None:
        self.attributes: dict[str, dict[str, str]] = {}

    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None:
        self.attributes[contact_id] = values

    def add_event(self, contact_id: str, text: str) -> None:
        pass


def assignments_with(stub_client: Any, sessions: Any = None) -> ConnectContactAssignments:
    directory = ConnectUserDirectory(stub_client, instance_id=INSTANCE_ARN, clock=lambda: 0.0)
    return ConnectContactAssignments(stub_client, directory, instance_id=INSTANCE_ARN, sessions=sessions)


def meetings_with(assignments: Any, store: SqliteStore, provider: RecordingProvider | None = None) -> MeetingService:
    bus = EventBus()
    return MeetingService(MediaSessions(provider or RecordingProvider(), store, bus), assignments, Notes(),
                          customers=None, bus=bus)  # type: ignore[arg-type]


def expect_ann(stub: Any) -> None:
    expect_search(stub, 'ann', [(ANN_ID, 'ann')])
    expect_describe_user(stub, user(ANN_ID, 'ann', first='Ann', last='Lee'))


# the adapter

async def test_the_assigned_agent_gets_the_connected_contact_and_its_name() -> None:
    client, stub = connect_client()
    expect_ann(stub)
    expect_describe_contact(stub, contact(ANN_ID, attributes={'customerName': 'Zoë', 'customerEmailAddress': 'z@x.io'}))
    with stub:
        assigned = await assignments_with(client).assigned_contact('ann', CONTACT_ID)
    assert assigned.agent_name == 'Ann Lee'
    assert (assigned.contact.state, assigned.contact.channel) == (ContactState.CONNECTED, Channel.CHAT)
    assert (assigned.contact.customer_name, assigned.contact.customer_email) == ('Zoë', 'z@x.io')
    assert assigned.contact.agent_username == 'ann'


async def test_the_customer_name_falls_back_to_the_participant_session() -> None:
    sessions = InMemoryParticipantSessions()
    sessions.save_participant_session(ParticipantSession(Contact(CONTACT_ID, 'Zoë Stored', 'z@x.io', 1.0), 'p', 't'))
    client, stub = connect_client()
    expect_ann(stub)
    expect_describe_contact(stub, contact(ANN_ID, connected=False))
    with stub:
        assigned = await assignments_with(client, sessions).assigned_contact('ann', CONTACT_ID)
    assert assigned.contact.customer_name == 'Zoë Stored'
    assert assigned.contact.state is ContactState.QUEUED  # accepted, not connected yet


@pytest.mark.parametrize(('agent_id', 'reason'), [(BOB_ID, 'assigned to another agent'),
                                                  (None, 'no agent has accepted it yet')])
async def test_another_agents_or_an_unassigned_contact_is_refused(agent_id: str | None, reason: str) -> None:
    client, stub = connect_client()
    expect_ann(stub)
    expect_describe_contact(stub, contact(agent_id))
    with stub, pytest.raises(NotAllowed, match=f'Only the agent this contact is assigned to .*{reason}'):
        await assignments_with(client).assigned_contact('ann', CONTACT_ID)


async def test_an_unknown_contact_is_not_found() -> None:
    client, stub = connect_client()
    expect_ann(stub)
    stub.add_client_error('describe_contact', 'ResourceNotFoundException', 'contact not found', http_status_code=404,
                          expected_params={'InstanceId': INSTANCE_ID, 'ContactId': CONTACT_ID})
    with stub, pytest.raises(NotFound, match='no longer exists in Amazon Connect'):
        await assignments_with(client).assigned_contact('ann', CONTACT_ID)


async def test_a_login_that_is_not_a_connect_user_is_refused_before_any_contact_lookup() -> None:
    client, stub = connect_client()
    expect_search(stub, 'mallory', [])
    with stub, pytest.raises(NotAllowed, match="'mallory', which is not a user of the Amazon Connect instance"):
        await assignments_with(client).assigned_contact('mallory', CONTACT_ID)
    stub.assert_no_pending_responses()


async def test_task_and_email_contacts_get_no_video() -> None:
    client, stub = connect_client()
    expect_ann(stub)
    expect_describe_contact(stub, contact(ANN_ID, channel='TASK'))
    with stub, pytest.raises(NotAllowed, match='Video starts from a chat, not from a task contact'):
        await assignments_with(client).assigned_contact('ann', CONTACT_ID)


def test_meeting_attributes_are_written_to_the_contact() -> None:
    client, stub = connect_client()
    values = {'videoExternalMeetingId': 'm-1', 'videoAttendeeExternalUserId': 'a-1'}
    stub.add_response('update_contact_attributes', {}, {'InstanceId': INSTANCE_ID, 'InitialContactId': CONTACT_ID,
                                                        'Attributes': values})
    with stub:
        notes = ConnectContactNotes(client, instance_id=INSTANCE_ARN)
        notes.set_contact_attributes(CONTACT_ID, values)
        notes.close()  # waits for the worker
    stub.assert_no_pending_responses()


# through MeetingService (aws mode: no local desk)

async def test_start_video_in_aws_mode_checks_describe_contact() -> None:
    client, stub = connect_client()
    expect_ann(stub)
    expect_describe_contact(stub, contact(ANN_ID, attributes={'customerName': 'Zoë'}))
    expect_search(stub, 'bob', [(BOB_ID, 'bob')])
    expect_describe_user(stub, user(BOB_ID, 'bob'))
    expect_describe_contact(stub, contact(ANN_ID))
    store = SqliteStore(':memory:')
    meetings = meetings_with(assignments_with(client), store)
    with stub:
        join = await meetings.start_video('ann', CONTACT_ID)
        with pytest.raises(NotAllowed, match='assigned to another agent'):
            await meetings.start_video('bob', CONTACT_ID)
    assert join.name == 'Ann Lee'
    assert [a.name for a in store.attendees(join.meeting_id) if a.role is ParticipantRole.CUSTOMER] == ['Zoë']
    assert meetings.agent_join_info('ann', CONTACT_ID) == join  # a reload: the meeting's owner only
    assert meetings.agent_join_info('bob', CONTACT_ID) is None


class FixedAssignments:
    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        return AssignedContact(Contact(contact_id, 'Zoë', 'z@x.io', 1.0, state=ContactState.CONNECTED), 'Ann')

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        return True


@pytest.fixture(scope='module')
def dynamodb_client() -> Iterator[Any]:
    with moto_dynamodb() as client:
        yield client


@pytest.mark.parametrize('store_kind', ['sqlite', 'dynamodb'])
async def test_a_meeting_the_store_refuses_is_deleted_and_the_winners_meeting_returned(
        store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Two server processes (two services, one store) start the same contact's video at once: one meeting wins."""
    if store_kind == 'sqlite':
        def new_store() -> Any:
            return SqliteStore(tmp_path / 'vce.sqlite3')
    else:
        client = request.getfixturevalue('dynamodb_client')
        table = new_table(client)

        def new_store() -> Any:
            return DynamoStore(table, client=client)
    providers = [RecordingProvider(), RecordingProvider()]
    first, second = (meetings_with(FixedAssignments(), new_store(), provider) for provider in providers)

    joins = await asyncio.gather(first.start_video('ann', CONTACT_ID), second.start_video('ann', CONTACT_ID))

    assert joins[0].meeting_id == joins[1].meeting_id  # both agents' tabs join the one live meeting
    created = providers[0].created + providers[1].created
    deleted = providers[0].deleted + providers[1].deleted
    assert len(created) == 2
    assert deleted == [f'chime-{m}' for m in created if m != joins[0].meeting_id]  # the loser's, and only it


async def test_a_store_failure_after_creation_deletes_the_meeting_and_reports_the_failure() -> None:
    class BrokenStore(SqliteStore):
        def save_meeting(self, meeting: Any, attendees: Any) -> None:
            raise NotAllowed('This contact already has a live video session.')

    provider = RecordingProvider()
    meetings = meetings_with(FixedAssignments(), BrokenStore(':memory:'), provider)
    with pytest.raises(NotAllowed, match='already has a live video session'):
        await meetings.start_video('ann', CONTACT_ID)
    assert provider.deleted == [f'chime-{provider.created[0]}']

"""What only the DynamoDB store has: expiry on read, the table helpers, AWS errors, and the API calls per operation.

The behaviour it shares with SQLite is in ``test_store_suite.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from backend.adapters.aws import dynamo_items as items
from backend.adapters.aws.dynamo_store import DynamoStore
from backend.adapters.aws.dynamo_table import TTL_ATTRIBUTE, ensure_table, table_definition, table_problems
from backend.domain.errors import StoreUnavailable
from backend.domain.model import (
    Agent,
    AgentStatus,
    Attendee,
    Contact,
    ContactState,
    Meeting,
    MeetingState,
    MessageKind,
    ParticipantRole,
    RedeemResult,
    ReferenceRecord,
)
from tests.contract.dynamo_fixtures import REGION, CallCounter, moto_dynamodb, new_table

TABLE = 'vce-stubbed'  # for the Stubber tests, which never reach a table

RETENTION = 3_600.0


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope='module')
def client() -> Iterator[Any]:
    with moto_dynamodb() as moto_client:
        yield moto_client


@pytest.fixture
def table(client: Any) -> str:
    return new_table(client)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(client: Any, table: str, clock: Clock) -> DynamoStore:
    return DynamoStore(table, client=client, retention_seconds=RETENTION, clock=clock)


def raw_item(store: DynamoStore, client: Any, key: dict[str, Any]) -> dict[str, Any]:
    """The item as DynamoDB holds it, bypassing the store's expiry check."""
    return items.decode(client.get_item(TableName=store.table_name, Key=key, ConsistentRead=True).get('Item', {}))


def live_contact(contact_id: str = 'c-1') -> Contact:
    return Contact(contact_id=contact_id, customer_name='Zoë', customer_email='zoe@example.com', initiated_at=5.0,
                   state=ContactState.QUEUED)


def live_meeting(meeting_id: str = 'm-1') -> Meeting:
    return Meeting(meeting_id=meeting_id, contact_id='c-1', owner_username='ann', created_at=6.0,
                   provider_meeting={'MeetingId': 'x'})


def meeting_attendees(meeting_id: str = 'm-1') -> list[Attendee]:
    return [Attendee(meeting_id, f'{meeting_id}-a', ParticipantRole.AGENT, 'Ann', {'JoinToken': 't'})]


def fill(store: DynamoStore) -> None:
    store.add_agent(Agent('ann', 'Ann', 'id-ann', '$argon2id$h', ('BasicQueue',)))
    store.save_contact(live_contact())
    store.append_message('c-1', ParticipantRole.CUSTOMER, 'Zoë', 'Hello', MessageKind.MESSAGE, 7.0)
    store.bind_session('hash-1', 'c-1')
    store.save_meeting(live_meeting(), meeting_attendees())


# expiry

def test_expired_items_are_ignored_on_read_though_dynamodb_still_holds_them(store: DynamoStore, client: Any,
                                                                            clock: Clock) -> None:
    fill(store)
    clock.now += RETENTION - 1
    assert store.get_contact('c-1') is not None and store.live_meeting_for_contact('c-1') is not None

    clock.now += 1

    assert raw_item(store, client, items.contact_key('c-1'))  # TTL deletion is lazy (and moto never deletes)
    assert store.get_contact('c-1') is None
    assert store.open_contacts() == []
    assert store.transcript('c-1') == []
    assert store.contact_for_session('hash-1') is None
    assert store.live_meeting_for_contact('c-1') is None
    assert store.get_meeting('m-1') is None
    assert store.attendees('m-1') == []
    assert store.get_agent('ann') is not None  # agents do not expire


def test_an_expired_live_meeting_does_not_block_a_new_one(store: DynamoStore, clock: Clock) -> None:
    store.save_meeting(live_meeting('m-1'), meeting_attendees('m-1'))
    clock.now += RETENTION

    store.save_meeting(live_meeting('m-2'), meeting_attendees('m-2'))

    assert store.live_meeting_for_contact('c-1') == live_meeting('m-2')


def test_retention_sets_whole_second_ttls_and_none_turns_them_off(store: DynamoStore, client: Any,
                                                                  clock: Clock) -> None:
    clock.now = 1_000_000.25
    fill(store)
    assert raw_item(store, client, items.contact_key('c-1'))[TTL_ATTRIBUTE] == 1_000_000 + RETENTION + 1
    assert TTL_ATTRIBUTE not in raw_item(store, client, items.agent_key('ann'))

    keep = DynamoStore(store.table_name, client=client, retention_seconds=None, clock=clock)
    keep.save_contact(live_contact('c-kept'))
    clock.now += 10 * 365 * 24 * 3600.0
    assert TTL_ATTRIBUTE not in raw_item(keep, client, items.contact_key('c-kept'))
    assert keep.get_contact('c-kept') == live_contact('c-kept')


def test_a_reference_ttl_never_runs_out_before_the_reference(store: DynamoStore, client: Any) -> None:
    store.add_reference(ReferenceRecord('k', 'e', 'ann', created_at=100.0, expires_at=1_000.5))

    stored = raw_item(store, client, items.reference_key('k'))

    assert stored[TTL_ATTRIBUTE] == 1_001 and float(stored['validUntil']) == 1_000.5
    assert store.redeem_reference('k', 'e', 1_000.5, 5) == (RedeemResult.INVALID, None)
    assert 'usedAt' not in raw_item(store, client, items.reference_key('k'))


# the table

def test_attempt_counters_and_leases_carry_ttls_so_the_table_stays_bounded(store: DynamoStore, client: Any) -> None:
    """Counters live until their window ends and leases until they expire, whatever the retention setting."""
    store.record_attempt('hmac-of-a-network', 1_000_010.0, 600)
    counter = raw_item(store, client, items.attempts_key('hmac-of-a-network', 600, 1_000_010 // 600))
    assert counter['attempts'] == 1 and counter[TTL_ATTRIBUTE] == (1_000_010 // 600 + 1) * 600

    store.add_lease('hmac-of-a-network', 'c-1', 1_000_000.0, 1_000_100.5)
    for key in (items.lease_key('hmac-of-a-network', 'c-1'), items.lease_holder_key('c-1')):
        assert raw_item(store, client, key)[TTL_ATTRIBUTE] == 1_000_101  # rounded up: never before its end
    store.release_lease('c-1')
    for key in (items.lease_key('hmac-of-a-network', 'c-1'), items.lease_holder_key('c-1')):
        assert raw_item(store, client, key) == {}


def test_ensure_table_creates_an_on_demand_table_with_ttl_once(client: Any) -> None:
    first = ensure_table(client, 'ensured')
    described = client.describe_table(TableName='ensured')['Table']
    ttl = client.describe_time_to_live(TableName='ensured')['TimeToLiveDescription']
    again = ensure_table(client, 'ensured')
    problems = table_problems(client, 'ensured')

    assert described['BillingModeSummary']['BillingMode'] == 'PAY_PER_REQUEST'
    assert [k['AttributeName'] for k in described['KeySchema']] == ['PK', 'SK']
    assert [i['IndexName'] for i in described['GlobalSecondaryIndexes']] == ['GSI1']
    assert (ttl['TimeToLiveStatus'], ttl['AttributeName']) == ('ENABLED', TTL_ATTRIBUTE)
    assert (first.created, first.ttl_turned_on) == (True, True)
    assert (again.created, again.ttl_turned_on) == (False, False)
    assert problems == []


def test_table_problems_name_each_fix(client: Any) -> None:
    assert 'does not exist' in table_problems(client, 'missing')[0]

    definition = table_definition('no-ttl')
    client.create_table(**definition)
    assert len(table_problems(client, 'no-ttl')) == 1
    assert 'TTL' in table_problems(client, 'no-ttl')[0]

    del definition['GlobalSecondaryIndexes']
    definition['AttributeDefinitions'] = definition['AttributeDefinitions'][:2]
    client.create_table(**{**definition, 'TableName': 'no-index'})
    assert any('needs the index GSI1' in p for p in table_problems(client, 'no-index'))


# AWS errors

def test_a_missing_table_is_a_clear_store_error(client: Any) -> None:
    store = DynamoStore('no-such-table', client=client)

    with pytest.raises(StoreUnavailable) as error:
        store.get_contact('c-1')

    assert "GetItem on table 'no-such-table' failed: ResourceNotFoundException" in str(error.value)
    assert 'the table does not exist in this region' in str(error.value)


def stubbed_store() -> tuple[DynamoStore, Any]:
    client = boto3.client('dynamodb', region_name=REGION, aws_access_key_id='x', aws_secret_access_key='x')
    return DynamoStore(TABLE, client=client), client


@pytest.mark.parametrize(('code', 'hint'), [
    ('AccessDeniedException', 'may not use this table'),
    ('ProvisionedThroughputExceededException', 'throttled the table even after retries'),
    ('InternalServerError', 'InternalServerError: boom'),
])
def test_aws_errors_become_store_errors_without_item_values(code: str, hint: str) -> None:
    store, client = stubbed_store()
    with Stubber(client) as stubber:
        stubber.add_client_error('put_item', code, 'boom')
        with pytest.raises(StoreUnavailable) as error:
            store.add_reference(ReferenceRecord('secret-key-hmac', 'secret-email-hmac', 'ann', 1.0, 2.0))

    assert f"PutItem on table '{TABLE}' failed" in str(error.value) and hint in str(error.value)
    assert 'secret' not in str(error.value)


def test_a_write_that_met_a_running_transaction_is_tried_again() -> None:
    store, client = stubbed_store()
    with Stubber(client) as stubber:
        stubber.add_client_error('put_item', 'TransactionConflictException', 'in a transaction')
        stubber.add_response('put_item', {})

        store.save_contact(live_contact())

        stubber.assert_no_pending_responses()


def test_a_transaction_cancelled_by_conflicts_is_retried_then_reported() -> None:
    store, client = stubbed_store()
    reasons = {'CancellationReasons': [{'Code': 'TransactionConflict'}, {'Code': 'None'}]}
    with Stubber(client) as stubber:
        def conflict() -> None:
            stubber.add_client_error('transact_write_items', 'TransactionCanceledException', modeled_fields=reasons)

        conflict()
        conflict()
        stubber.add_response('transact_write_items', {})
        conflict()
        conflict()
        conflict()

        store.save_meeting(live_meeting(), [])
        with pytest.raises(StoreUnavailable, match='kept conflicting with concurrent writes'):
            store.save_meeting(live_meeting(), [])

        stubber.assert_no_pending_responses()


def test_the_store_makes_its_client_with_standard_retries() -> None:
    store = DynamoStore(TABLE, region=REGION)

    assert store._client.meta.config.retries == {'mode': 'standard', 'total_max_attempts': 3}
    assert store._client.meta.region_name == REGION
    store.close()


# API calls per operation (the figures in docs/aws/dynamodb.md)

def test_api_calls_per_operation(store: DynamoStore, client: Any, clock: Clock) -> None:
    """Attendees never change once saved: the process that wrote or read them (or read the live meeting, which
    carries them) answers from memory."""
    counter = CallCounter(client)
    calls: dict[str, dict[str, int]] = {}

    def measure(name: str, action: Any) -> Any:
        with counter.counting() as counted:
            result = action()
        calls[name] = dict(counted)
        return result

    measure('add_agent', lambda: store.add_agent(Agent('ann', 'Ann', 'id-ann', 'h', ('BasicQueue',))))
    measure('get_agent', lambda: store.get_agent('ann'))
    measure('list_agents', store.list_agents)
    measure('set_agent_status', lambda: store.set_agent_status('ann', AgentStatus.AVAILABLE, 1.0))
    measure('save_contact', lambda: store.save_contact(live_contact()))
    measure('get_contact', lambda: store.get_contact('c-1'))
    measure('open_contacts', store.open_contacts)
    say = lambda: store.append_message('c-1', ParticipantRole.CUSTOMER, 'Z', 'hi', MessageKind.MESSAGE, 1.0)  # noqa: E731
    measure('append_message (first in this process)', say)
    measure('append_message (next)', say)
    measure('transcript', lambda: store.transcript('c-1'))
    measure('bind_session', lambda: store.bind_session('h', 'c-1'))
    measure('contact_for_session', lambda: store.contact_for_session('h'))
    measure('save_meeting', lambda: store.save_meeting(live_meeting(), meeting_attendees()))
    measure('live_meeting_for_contact', lambda: store.live_meeting_for_contact('c-1'))
    measure('attendees (the process that saved the meeting)', lambda: store.attendees('m-1'))
    other = DynamoStore(store.table_name, client=client, retention_seconds=RETENTION, clock=clock)  # another process
    measure('attendees (another process, first time)', lambda: other.attendees('m-1'))
    measure('attendees (another process, again)', lambda: other.attendees('m-1'))
    third = DynamoStore(store.table_name, client=client, retention_seconds=RETENTION, clock=clock)
    measure('live_meeting_for_contact, then attendees (a third process)',
            lambda: (third.live_meeting_for_contact('c-1'), third.attendees('m-1')))
    ended = live_meeting()
    ended.state, ended.ended_at = MeetingState.ENDED, 9.0
    measure('update_meeting (end)', lambda: store.update_meeting(ended))
    measure('add_reference', lambda: store.add_reference(ReferenceRecord('k', 'e', 'ann', 1.0, 100.0)))
    measure('record_attempt', lambda: store.record_attempt('a', 2.0, 600))
    measure('redeem_reference (wrong email)', lambda: store.redeem_reference('k', 'other', 2.0, 5))
    measure('redeem_reference (redeemed)', lambda: store.redeem_reference('k', 'e', 2.0, 5))
    measure('redeem_reference (invalid)', lambda: store.redeem_reference('k', 'e', 2.0, 5))
    measure('add_lease', lambda: store.add_lease('n', 'c-1', 2.0, 100.0))
    measure('lease_holders', lambda: store.lease_holders('n', 3.0))
    measure('release_lease (the process that added it)', lambda: store.release_lease('c-1'))
    measure('release_lease (none held)', lambda: store.release_lease('c-1'))
    store.add_lease('n', 'c-2', 2.0, 100.0)
    measure('release_lease (another process)', lambda: other.release_lease('c-2'))

    assert calls == {
        'add_agent': {'TransactWriteItems': 1},
        'get_agent': {'GetItem': 1},
        'list_agents': {'Query': 1},
        'set_agent_status': {'UpdateItem': 1},
        'save_contact': {'PutItem': 1},
        'get_contact': {'GetItem': 1},
        'open_contacts': {'Query': 1},
        'append_message (first in this process)': {'Query': 1, 'PutItem': 1},
        'append_message (next)': {'PutItem': 1},
        'transcript': {'Query': 1},
        'bind_session': {'PutItem': 1},
        'contact_for_session': {'GetItem': 1},
        'save_meeting': {'TransactWriteItems': 1},
        'live_meeting_for_contact': {'GetItem': 1},
        'attendees (the process that saved the meeting)': {},
        'attendees (another process, first time)': {'Query': 1},
        'attendees (another process, again)': {},
        'live_meeting_for_contact, then attendees (a third process)': {'GetItem': 1},
        'update_meeting (end)': {'TransactWriteItems': 1},
        'add_reference': {'PutItem': 1},
        'record_attempt': {'UpdateItem': 1},
        'redeem_reference (wrong email)': {'UpdateItem': 2},
        'redeem_reference (redeemed)': {'UpdateItem': 1},
        'redeem_reference (invalid)': {'UpdateItem': 1},
        'add_lease': {'TransactWriteItems': 1},
        'lease_holders': {'Query': 1},
        'release_lease (the process that added it)': {'TransactWriteItems': 1},
        'release_lease (none held)': {'GetItem': 1},
        'release_lease (another process)': {'GetItem': 1, 'TransactWriteItems': 1},
    }

"""One store test-suite, run against ``SqliteStore`` (local mode) and ``DynamoStore`` (aws mode, DynamoDB in moto).

It covers what the services rely on. ``make_store()`` opens another store on the same file or table, standing in for
a second process: what must hold across processes is tested through two stores, not one object with a lock.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from backend.adapters.aws.dynamo_store import DynamoStore
from backend.adapters.aws.participant_sessions import InMemoryParticipantSessions
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import DomainError
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
    ParticipantSession,
    RedeemResult,
    ReferenceRecord,
)
from tests.contract.dynamo_fixtures import moto_dynamodb, new_table

T = TypeVar('T')
# SQLite refuses with IntegrityError, DynamoDB with a DomainError (InvalidInput / NotAllowed) that the UIs can show.
REFUSED = (sqlite3.IntegrityError, DomainError)
THREADS = 16


@pytest.fixture(scope='module')
def dynamodb_client() -> Iterator[Any]:
    with moto_dynamodb() as client:
        yield client


@pytest.fixture(params=['sqlite', 'dynamodb'])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    stores: list[Any] = []
    if request.param == 'sqlite':
        def new_store() -> Any:
            stores.append(SqliteStore(tmp_path / 'vce.sqlite3'))
            return stores[-1]
    else:
        client = request.getfixturevalue('dynamodb_client')
        table = new_table(client)

        def new_store() -> Any:
            stores.append(DynamoStore(table, client=client))
            return stores[-1]
    yield new_store
    for store in stores:
        store.close()


@pytest.fixture
def store(make_store: Callable[[], Any]) -> Any:
    return make_store()


def together(count: int, action: Callable[[int], T]) -> list[T | BaseException]:
    """Run ``action(i)`` in ``count`` threads released at the same moment; results (or exceptions) by index."""
    barrier = threading.Barrier(count)

    def run(i: int) -> T | BaseException:
        barrier.wait()
        try:
            return action(i)
        except Exception as error:
            return error

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def assert_same(got: Any, expected: Any) -> None:
    """Equal, and every field of the same type (an enum must come back as the enum, a float as a float)."""
    assert got == expected
    for field in dataclasses.fields(expected):
        assert type(getattr(got, field.name)) is type(getattr(expected, field.name)), field.name


def agent(username: str = 'ann', agent_id: str = 'agent-id-ann', **fields: Any) -> Agent:
    return Agent(username=username, display_name=fields.pop('display_name', username.title()), agent_id=agent_id,
                 password_hash='$argon2id$hash', routing_queues=('BasicQueue', 'Sales'), **fields)


def contact(contact_id: str = 'c-1', initiated_at: float = 1_000.25, **fields: Any) -> Contact:
    return Contact(contact_id=contact_id, customer_name='Zoë Customer', customer_email='zoe@example.com',
                   initiated_at=initiated_at, **fields)


def meeting(meeting_id: str = 'm-1', contact_id: str = 'c-1', state: MeetingState = MeetingState.LIVE) -> Meeting:
    return Meeting(meeting_id=meeting_id, contact_id=contact_id, owner_username='ann', created_at=2_000.5,
                   provider_meeting={'MeetingId': f'chime-{meeting_id}', 'MediaPlacement': {'AudioHostUrl': 'h:3478'}},
                   state=state)


def attendees(meeting_id: str = 'm-1') -> list[Attendee]:
    return [Attendee(meeting_id, f'{meeting_id}-agent', ParticipantRole.AGENT, 'Ann', {'JoinToken': 'a'}),
            Attendee(meeting_id, f'{meeting_id}-customer', ParticipantRole.CUSTOMER, 'Zoë', {'JoinToken': 'c'})]


# agents

def test_agents_round_trip_and_list_in_username_order(store: Any) -> None:
    for name in ('carl', 'ann', 'bea'):
        store.add_agent(agent(name, f'id-{name}', status=AgentStatus.BREAK, status_since=12.5))

    assert_same(store.get_agent('ann'), agent('ann', 'id-ann', status=AgentStatus.BREAK, status_since=12.5))
    assert [a.username for a in store.list_agents()] == ['ann', 'bea', 'carl']
    assert store.get_agent('nobody') is None


def test_a_duplicate_agent_is_refused_and_changes_nothing(store: Any) -> None:
    store.add_agent(agent('ann', 'id-1'))

    with pytest.raises(REFUSED):
        store.add_agent(agent('ann', 'id-2', display_name='Impostor'))
    with pytest.raises(REFUSED):
        store.add_agent(agent('bob', 'id-1'))

    assert [(a.username, a.display_name, a.agent_id) for a in store.list_agents()] == [('ann', 'Ann', 'id-1')]


def test_status_and_password_change_the_agent_and_ignore_unknown_names(store: Any) -> None:
    store.add_agent(agent())

    store.set_agent_status('ann', AgentStatus.AVAILABLE, 99.75)
    store.set_password_hash('ann', '$argon2id$new')
    store.set_agent_status('ghost', AgentStatus.AVAILABLE, 1.0)
    store.set_password_hash('ghost', '$argon2id$x')

    ann = store.get_agent('ann')
    assert (ann.status, ann.status_since, ann.password_hash) == (AgentStatus.AVAILABLE, 99.75, '$argon2id$new')
    assert store.get_agent('ghost') is None
    assert [a.username for a in store.list_agents()] == ['ann']


# contacts

def test_contacts_round_trip_every_field(store: Any) -> None:
    bare = contact('c-bare')
    full = contact('c-full', state=ContactState.AFTER_CONTACT_WORK, attributes={
        'customerName': 'Zoë', 'videoReferenceId': '', 'note': '<b>not html</b>'}, priority=1, queue_id='agent/x',
        enqueued_at=1_001.5, agent_username='ann', customer_queue_flow='Queue flow', connected_at=1_002.125,
        ended_at=1_003.0, end_reason='customer left')
    store.save_contact(bare)
    store.save_contact(full)

    assert_same(store.get_contact('c-bare'), bare)
    assert_same(store.get_contact('c-full'), full)
    assert store.get_contact('c-unknown') is None


def test_saving_a_contact_again_replaces_it(store: Any) -> None:
    store.save_contact(contact(attributes={'a': '1', 'gone': 'x'}))
    changed = contact(state=ContactState.CONNECTED, attributes={'a': '2'}, agent_username='ann', connected_at=5.0)

    store.save_contact(changed)

    assert store.get_contact('c-1') == changed


def test_open_contacts_are_the_unended_ones_oldest_first(store: Any) -> None:
    store.save_contact(contact('late', initiated_at=30.0, state=ContactState.QUEUED))
    store.save_contact(contact('early', initiated_at=10.0, state=ContactState.CONNECTED))
    store.save_contact(contact('done', initiated_at=20.0, state=ContactState.ENDED))
    store.save_contact(contact('ending', initiated_at=5.0, state=ContactState.AFTER_CONTACT_WORK))
    store.save_contact(contact('ending', initiated_at=5.0, state=ContactState.ENDED))

    assert [c.contact_id for c in store.open_contacts()] == ['early', 'late']


# transcripts

def test_transcript_keeps_order_and_numbers_each_contact_from_one(store: Any) -> None:
    first = store.append_message('c-1', ParticipantRole.CUSTOMER, 'Zoë', 'Hello', MessageKind.MESSAGE, 1.5)
    store.append_message('c-2', ParticipantRole.CUSTOMER, 'Other', 'Elsewhere', MessageKind.MESSAGE, 1.6)
    store.append_message('c-1', ParticipantRole.SYSTEM, 'System', 'Ann joined', MessageKind.EVENT, 2.0)
    last = store.append_message('c-1', ParticipantRole.AGENT, 'Ann', 'Hi Zoë', MessageKind.MESSAGE, 3.25)

    transcript = store.transcript('c-1')
    assert [(m.seq, m.role, m.text, m.kind) for m in transcript] == [
        (1, ParticipantRole.CUSTOMER, 'Hello', MessageKind.MESSAGE),
        (2, ParticipantRole.SYSTEM, 'Ann joined', MessageKind.EVENT),
        (3, ParticipantRole.AGENT, 'Hi Zoë', MessageKind.MESSAGE)]
    assert_same(transcript[0], first)
    assert_same(transcript[-1], last)
    assert [m.seq for m in store.transcript('c-2')] == [1]
    assert store.transcript('c-unknown') == []


def test_two_stores_taking_turns_continue_one_transcript(make_store: Callable[[], Any]) -> None:
    first, second = make_store(), make_store()

    seqs = [(first if n % 3 else second).append_message('c-1', ParticipantRole.CUSTOMER, 'Zoë', str(n),
                                                         MessageKind.MESSAGE, float(n)).seq for n in range(7)]

    assert seqs == [1, 2, 3, 4, 5, 6, 7]
    assert [m.text for m in second.transcript('c-1')] == [str(n) for n in range(7)]


def test_concurrent_appends_from_two_stores_get_unique_gap_free_numbers(make_store: Callable[[], Any]) -> None:
    """Writers in two 'processes' (stores on the same file/table), several threads each, on one contact."""
    stores = [make_store(), make_store()]
    per_writer = 6

    def write(i: int) -> list[int]:
        return [stores[i % 2].append_message('c-1', ParticipantRole.CUSTOMER, f'w{i}', f'{i}:{n}',
                                             MessageKind.MESSAGE, float(n)).seq for n in range(per_writer)]

    results = together(THREADS // 2, write)

    seqs = [s for r in results for s in r]
    assert sorted(seqs) == list(range(1, len(seqs) + 1)) and len(seqs) == THREADS // 2 * per_writer
    assert all(r == sorted(r) for r in results)
    transcript = stores[0].transcript('c-1')
    assert [m.seq for m in transcript] == sorted(seqs)
    for i in range(THREADS // 2):  # each writer's messages appear in the order it wrote them
        assert [m.text for m in transcript if m.display_name == f'w{i}'] == [f'{i}:{n}' for n in range(per_writer)]


# customer sessions

def test_sessions_bind_and_rebind(store: Any) -> None:
    store.bind_session('hash-1', 'c-1')
    store.bind_session('hash-2', 'c-2')
    store.bind_session('hash-1', 'c-3')

    assert store.contact_for_session('hash-1') == 'c-3'
    assert store.contact_for_session('hash-2') == 'c-2'
    assert store.contact_for_session('hash-unknown') is None


# meetings

def test_meeting_round_trip_with_its_attendees(store: Any) -> None:
    store.save_meeting(meeting(), attendees())

    assert_same(store.get_meeting('m-1'), meeting())
    assert_same(store.live_meeting_for_contact('c-1'), meeting())
    stored_attendees = sorted(store.attendees('m-1'), key=lambda a: a.attendee_id)
    assert len(stored_attendees) == 2
    for got, expected in zip(stored_attendees, attendees(), strict=True):
        assert_same(got, expected)
    assert store.get_meeting('m-unknown') is None
    assert store.attendees('m-unknown') == []
    assert store.live_meeting_for_contact('c-2') is None


def test_a_second_live_meeting_for_a_contact_is_refused_and_not_written(store: Any) -> None:
    store.save_meeting(meeting('m-1'), attendees('m-1'))

    with pytest.raises(REFUSED):
        store.save_meeting(meeting('m-2'), attendees('m-2'))

    assert store.live_meeting_for_contact('c-1') == meeting('m-1')
    assert store.get_meeting('m-2') is None
    assert store.attendees('m-2') == []
    store.save_meeting(meeting('m-3', contact_id='c-2'), attendees('m-3'))  # other contacts are not affected
    assert store.live_meeting_for_contact('c-2') == meeting('m-3', contact_id='c-2')


def test_concurrent_meeting_creation_for_one_contact_has_exactly_one_winner(make_store: Callable[[], Any]) -> None:
    stores = [make_store(), make_store()]

    results = together(THREADS, lambda i: stores[i % 2].save_meeting(meeting(f'm-{i}'), attendees(f'm-{i}')))

    winners = [i for i, result in enumerate(results) if not isinstance(result, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(r, REFUSED) for r in results if isinstance(r, BaseException)), results
    live = stores[0].live_meeting_for_contact('c-1')
    assert live == meeting(f'm-{winners[0]}')
    assert [i for i in range(THREADS) if stores[1].get_meeting(f'm-{i}') or stores[1].attendees(f'm-{i}')] == winners


def test_ending_a_meeting_frees_its_contact_for_a_new_one(store: Any) -> None:
    store.save_meeting(meeting('m-1'), attendees('m-1'))
    ended = meeting('m-1')
    ended.state, ended.ended_at = MeetingState.ENDED, 2_100.75

    store.update_meeting(ended)

    assert store.live_meeting_for_contact('c-1') is None
    assert store.get_meeting('m-1') == ended
    assert len(store.attendees('m-1')) == 2  # kept for names and records
    store.save_meeting(meeting('m-2'), attendees('m-2'))
    assert store.live_meeting_for_contact('c-1') == meeting('m-2')
    store.update_meeting(ended)  # ending an old meeting again leaves the new one live
    assert store.live_meeting_for_contact('c-1') == meeting('m-2')


def test_updating_an_unknown_meeting_writes_nothing(store: Any) -> None:
    ghost = meeting('m-ghost')
    ghost.state, ghost.ended_at = MeetingState.ENDED, 5.0

    store.update_meeting(ghost)

    assert store.get_meeting('m-ghost') is None


# ad-hoc references

OWNER = 'ann'
KEY, EMAIL = 'hmac-of-00418233', 'hmac-of-zoe@example.com'
CREATED, EXPIRES = 10_000.0, 10_900.0


def reference(key: str = KEY, created_at: float = CREATED, expires_at: float = EXPIRES) -> ReferenceRecord:
    return ReferenceRecord(key=key, email_key=EMAIL, owner_username=OWNER, created_at=created_at,
                           expires_at=expires_at)


def test_add_reference_refuses_a_live_key_and_replaces_an_expired_one(store: Any) -> None:
    assert store.add_reference(reference()) is True
    assert store.add_reference(reference(created_at=EXPIRES - 1, expires_at=EXPIRES + 900)) is False
    assert store.redeem_reference(KEY, EMAIL, EXPIRES - 1, 5) == (RedeemResult.REDEEMED, OWNER)

    assert store.add_reference(reference(created_at=EXPIRES, expires_at=EXPIRES + 900)) is True
    assert store.redeem_reference(KEY, EMAIL, EXPIRES + 1, 5) == (RedeemResult.REDEEMED, OWNER)


def test_add_reference_replaces_a_used_or_burned_one(store: Any) -> None:
    store.add_reference(reference())
    store.redeem_reference(KEY, EMAIL, CREATED + 1, 5)
    store.add_reference(reference('hmac-of-burned'))
    assert store.redeem_reference('hmac-of-burned', 'hmac-of-wrong', CREATED + 1, 1) == (RedeemResult.BURNED, None)

    assert store.add_reference(reference(created_at=CREATED + 2)) is True
    assert store.add_reference(reference('hmac-of-burned', created_at=CREATED + 2)) is True

    assert store.redeem_reference(KEY, EMAIL, CREATED + 3, 5) == (RedeemResult.REDEEMED, OWNER)
    assert store.redeem_reference('hmac-of-burned', EMAIL, CREATED + 3, 5) == (RedeemResult.REDEEMED, OWNER)


def test_a_reference_redeems_once_with_its_email(store: Any) -> None:
    store.add_reference(reference())

    assert store.redeem_reference(KEY, EMAIL, CREATED + 1, 5) == (RedeemResult.REDEEMED, OWNER)
    assert store.redeem_reference(KEY, EMAIL, CREATED + 2, 5) == (RedeemResult.INVALID, None)


def test_unknown_and_expired_references_are_invalid(store: Any) -> None:
    store.add_reference(reference())

    assert store.redeem_reference('hmac-of-unknown', EMAIL, CREATED + 1, 5) == (RedeemResult.INVALID, None)
    assert store.redeem_reference(KEY, EMAIL, EXPIRES, 5) == (RedeemResult.INVALID, None)
    assert store.redeem_reference(KEY, 'hmac-of-other', EXPIRES + 1, 5) == (RedeemResult.INVALID, None)


def test_wrong_emails_count_and_the_last_allowed_one_burns_the_reference(store: Any) -> None:
    store.add_reference(reference())

    results = [store.redeem_reference(KEY, f'hmac-of-wrong-{n}', CREATED + n, 3) for n in range(3)]

    assert results == [(RedeemResult.WRONG_EMAIL, None), (RedeemResult.WRONG_EMAIL, None), (RedeemResult.BURNED, None)]
    assert store.redeem_reference(KEY, EMAIL, CREATED + 5, 3) == (RedeemResult.INVALID, None)
    assert store.redeem_reference(KEY, 'hmac-of-wrong-9', CREATED + 6, 3) == (RedeemResult.INVALID, None)


def test_wrong_emails_below_the_limit_do_not_stop_the_right_one(store: Any) -> None:
    store.add_reference(reference())

    assert store.redeem_reference(KEY, 'hmac-of-typo', CREATED + 1, 3) == (RedeemResult.WRONG_EMAIL, None)
    assert store.redeem_reference(KEY, EMAIL, CREATED + 2, 3) == (RedeemResult.REDEEMED, OWNER)
    assert store.redeem_reference(KEY, 'hmac-of-late', CREATED + 3, 3) == (RedeemResult.INVALID, None)


def test_of_100_concurrent_redemptions_exactly_one_wins(store: Any, make_store: Callable[[], Any]) -> None:
    store.add_reference(reference())
    stores = [store, make_store()]

    results = together(100, lambda i: stores[i % 2].redeem_reference(KEY, EMAIL, CREATED + 1, 5))

    assert results.count((RedeemResult.REDEEMED, OWNER)) == 1, results
    assert results.count((RedeemResult.INVALID, None)) == 99, results


def test_concurrent_wrong_emails_burn_the_reference_exactly_once(store: Any) -> None:
    store.add_reference(reference())

    results = together(THREADS, lambda i: store.redeem_reference(KEY, f'hmac-of-wrong-{i}', CREATED + 1, 5))

    assert results.count((RedeemResult.WRONG_EMAIL, None)) == 4, results
    assert results.count((RedeemResult.BURNED, None)) == 1, results
    assert results.count((RedeemResult.INVALID, None)) == THREADS - 5, results


def test_attempts_are_counted_per_address_within_the_window(store: Any) -> None:
    start = 3_600.0 * 100  # the start of a window in fixed-window counting too

    counts = [store.record_attempt('hmac-of-10.0.0.1', start + n, 600) for n in range(3)]
    other = store.record_attempt('hmac-of-10.0.0.2', start + 3, 600)
    later_in_window = store.record_attempt('hmac-of-10.0.0.1', start + 300, 600)
    after_window = store.record_attempt('hmac-of-10.0.0.1', start + 300 + 600, 600)

    assert counts == [1, 2, 3]
    assert other == 1
    assert later_in_window == 4
    assert after_window == 1


def test_concurrent_attempts_are_each_counted(store: Any, make_store: Callable[[], Any]) -> None:
    stores = [store, make_store()]

    counts = together(THREADS, lambda i: stores[i % 2].record_attempt('hmac-of-10.0.0.1', 7_200.0 + i / 100, 600))

    assert sorted(counts) == list(range(1, THREADS + 1))


def test_counters_of_different_purposes_and_windows_never_touch_each_other(store: Any,
                                                                           make_store: Callable[[], Any]) -> None:
    """Chat starts count over 10 minutes and references over 15 (``AttemptCounter``): counting or pruning one key
    never drops another key's attempts, whatever their windows, in any process."""
    start = 3_600.0 * 100  # the start of a window in fixed-window counting too
    other_process = make_store()

    assert store.record_attempt('hmac-of-chat-start-10.0.0.1', start + 1, 600) == 1
    assert other_process.record_attempt('hmac-of-reference-10.0.0.1', start + 61, 60) == 1
    assert store.record_attempt('hmac-of-reference-10.0.0.1', start + 122, 60) == 1  # its own window has passed
    assert other_process.record_attempt('hmac-of-chat-start-10.0.0.1', start + 123, 600) == 2


# leases: what a per-network cap on open chats counts (LeaseStore)


def test_leases_are_listed_per_key_until_released_by_any_process(store: Any, make_store: Callable[[], Any]) -> None:
    now = 50_000.0
    store.add_lease('hmac-of-open-chats-10.0.0.1', 'contact-1', now, now + 3_600)
    store.add_lease('hmac-of-open-chats-10.0.0.1', 'contact-2', now, now + 3_600)
    store.add_lease('hmac-of-open-chats-10.0.0.2', 'contact-3', now, now + 3_600)
    other_process = make_store()

    assert sorted(other_process.lease_holders('hmac-of-open-chats-10.0.0.1', now + 1)) == ['contact-1', 'contact-2']
    assert other_process.lease_holders('hmac-of-open-chats-10.0.0.2', now + 1) == ['contact-3']
    assert other_process.lease_holders('hmac-of-open-chats-10.0.0.9', now + 1) == []

    other_process.release_lease('contact-1')  # by the holder alone: the process that saw the end needs no key
    other_process.release_lease('contact-never-leased')  # nothing to do

    assert store.lease_holders('hmac-of-open-chats-10.0.0.1', now + 2) == ['contact-2']
    assert store.lease_holders('hmac-of-open-chats-10.0.0.2', now + 2) == ['contact-3']


def test_an_expired_lease_no_longer_counts(store: Any) -> None:
    """A process that died holding leases caps a network at most until they expire."""
    now = 60_000.0
    store.add_lease('hmac-of-open-chats-10.0.0.1', 'contact-old', now, now + 100)
    store.add_lease('hmac-of-open-chats-10.0.0.1', 'contact-new', now + 50, now + 150)

    assert sorted(store.lease_holders('hmac-of-open-chats-10.0.0.1', now + 99.5)) == ['contact-new', 'contact-old']
    assert store.lease_holders('hmac-of-open-chats-10.0.0.1', now + 100) == ['contact-new']
    assert store.lease_holders('hmac-of-open-chats-10.0.0.1', now + 150) == []


# the password login's counters (docs/security/login.md): in the store, so every server process shares them

def test_login_attempts_slide_out_of_the_window_and_say_when_the_oldest_goes(store: Any) -> None:
    start = 80_000.0
    tallies = [store.add_attempt('hmac-pair', start + n, 900) for n in range(3)]
    assert [(t.count, t.oldest_expires_at) for t in tallies] == [(1, start + 900), (2, start + 900), (3, start + 900)]
    assert store.add_attempt('hmac-network', start + 3, 900).count == 1  # another key
    later = store.add_attempt('hmac-pair', start + 901, 900)  # the first two have left the window
    assert (later.count, later.oldest_expires_at) == (2, start + 2 + 900)


def test_login_attempts_are_shared_taken_back_and_forgotten_by_any_process(store: Any,
                                                                           make_store: Callable[[], Any]) -> None:
    start, other_process = 90_000.0, make_store()
    store.add_attempt('hmac-pair', start, 900)
    store.add_attempt('hmac-pair', start + 1.5, 900)
    assert other_process.add_attempt('hmac-pair', start + 2.25, 900).count == 3  # one counter behind the balancer
    other_process.take_back('hmac-pair', start + 1.5)
    store.take_back('hmac-pair', start + 1.5)  # gone already: nothing happens
    store.take_back('hmac-unknown', start)
    assert store.add_attempt('hmac-pair', start + 3, 900).count == 3
    other_process.forget('hmac-pair')
    other_process.forget('hmac-never-counted')
    tally = store.add_attempt('hmac-pair', start + 4, 900)
    assert (tally.count, tally.oldest_expires_at) == (1, start + 4 + 900)


def test_concurrent_login_attempts_are_each_counted(store: Any, make_store: Callable[[], Any]) -> None:
    stores = [store, make_store()]
    together(THREADS, lambda i: stores[i % 2].add_attempt('hmac-network', 95_000.0 + i / 100, 900))
    assert store.add_attempt('hmac-network', 95_001.0, 900).count == THREADS + 1


# customers' Amazon Connect participant sessions (aws mode only: the in-memory store and DynamoDB keep them)

NOW = [10_000.0]


@pytest.fixture(params=['memory', 'dynamodb'])
def make_participant_sessions(request: pytest.FixtureRequest) -> Callable[[], Any]:
    """A second ``make`` call is another process on the same records (DynamoDB) or a fresh one (memory)."""
    NOW[0] = 10_000.0
    if request.param == 'memory':
        store = InMemoryParticipantSessions(clock=lambda: NOW[0])
        return lambda: store
    client = request.getfixturevalue('dynamodb_client')
    table = new_table(client)
    return lambda: DynamoStore(table, client=client, clock=lambda: NOW[0])


def participant(contact_id: str = 'c-1', expires_at: float = 20_000.0, **fields: Any) -> ParticipantSession:
    chat = contact(contact_id, state=ContactState.QUEUED, attributes={'customerName': 'Zoë Customer'},
                   priority=1, agent_username=None, connected_at=None)
    return ParticipantSession(contact=chat, participant_id=f'p-{contact_id}', participant_token='secret-participant',
                              connection_token=fields.pop('connection_token', 'secret-connection'),
                              connection_expires_at=15_000.5, expires_at=expires_at, **fields)


def test_participant_sessions_round_trip_every_field(make_participant_sessions: Callable[[], Any]) -> None:
    sessions = make_participant_sessions()
    sessions.save_participant_session(participant())

    got = make_participant_sessions().participant_session('c-1')  # another process reads it back
    assert_same(got, participant())
    assert_same(got.contact, participant().contact)
    assert sessions.participant_session('c-unknown') is None


def test_saving_a_participant_session_again_replaces_it(make_participant_sessions: Callable[[], Any]) -> None:
    sessions = make_participant_sessions()
    sessions.save_participant_session(participant())
    ended = participant(connection_token='')
    ended.contact.state = ContactState.ENDED
    sessions.save_participant_session(ended)

    got = sessions.participant_session('c-1')
    assert got.connection_token == ''
    assert got.contact.state is ContactState.ENDED


def test_participant_sessions_past_their_expiry_are_gone(make_participant_sessions: Callable[[], Any]) -> None:
    sessions = make_participant_sessions()
    sessions.save_participant_session(participant('c-1', expires_at=12_000.0))
    sessions.save_participant_session(participant('c-2', expires_at=0.0))  # end unknown: kept (store retention)

    NOW[0] = 12_000.0
    assert sessions.participant_session('c-1') is None  # even before DynamoDB's TTL sweep ran
    assert sessions.participant_session('c-2') is not None


def test_known_live_meeting_is_the_live_one_and_never_one_this_store_ended(store: Any) -> None:
    assert store.known_live_meeting('c-1') is None
    store.save_meeting(meeting('m-1'), attendees('m-1'))
    assert store.known_live_meeting('c-1') == meeting('m-1')
    ended = meeting('m-1')
    ended.state, ended.ended_at = MeetingState.ENDED, 2_100.75

    store.update_meeting(ended)

    assert store.known_live_meeting('c-1') is None
    store.save_meeting(meeting('m-2'), attendees('m-2'))
    assert store.known_live_meeting('c-1') == meeting('m-2')


def test_known_live_meeting_drops_a_meeting_another_process_ended_once_the_end_is_read(
        make_store: Callable[[], Any]) -> None:
    customers, agents = make_store(), make_store()
    agents.save_meeting(meeting('m-1'), attendees('m-1'))
    assert customers.live_meeting_for_contact('c-1') == meeting('m-1')  # the "video started" marker's check
    ended = meeting('m-1')
    ended.state, ended.ended_at = MeetingState.ENDED, 2_100.75
    agents.update_meeting(ended)

    assert customers.get_meeting('m-1') == ended  # the "ended" marker's check

    assert customers.known_live_meeting('c-1') is None

"""Ad-hoc references (docs/architecture.md, "Security rules"): CSPRNG, 8 digits, keyed hashes only, TTL, single use,
burn, rate limit, routing."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.adapters.local.sqlite_store import SqliteStore
from backend.bootstrap import build_services
from backend.domain.client_network import UNKNOWN_NETWORK, client_network
from backend.domain.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from backend.domain.model import Agent, AgentStatus, ContactState, RedeemResult, ReferenceRecord
from backend.services.references import ReferencePolicy, ReferenceService
from backend.settings import Settings
from tests.unit.engine_fixtures import add_agent, chat_service, make_engine, settle

SECRET = b'unit-test-reference-secret-0123456789'
EMAIL = 'Zelda.Custard@Example.org'
ADDRESS = '203.0.113.77'
TAB = 'tab-0123456789abcdef'


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / 'vce.sqlite3'


@pytest.fixture
def store(db):
    store = SqliteStore(db)
    add_agent(store, 'ann')
    add_agent(store, 'bob')
    yield store
    store.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def service(store: SqliteStore, clock: Clock | None = None, **policy: float) -> ReferenceService:
    return ReferenceService(store, store, SECRET, ReferencePolicy(**policy), clock=clock or Clock())


def owner(agent: Agent | None) -> str | None:
    """The username of the agent a redemption routes to."""
    return agent.username if agent is not None else None


def draws(monkeypatch, *values: int) -> list[int]:
    """Make ``secrets.randbelow`` return these values (the last one forever); returns the bounds it was asked for."""
    asked: list[int] = []
    queue = list(values)

    def randbelow(bound: int) -> int:
        asked.append(bound)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    monkeypatch.setattr('backend.domain.reference.secrets.randbelow', randbelow)
    return asked


# numbers


def test_a_reference_is_8_zero_padded_digits_from_the_csprng(store, monkeypatch):
    asked = draws(monkeypatch, 418233)
    created = service(store).create('ann', EMAIL)
    assert created.reference == '00418233'
    assert asked == [10 ** 8]  # secrets.randbelow over the whole 8-digit range
    monkeypatch.undo()
    for _ in range(20):
        assert re.fullmatch(r'\d{8}', service(store).create('ann', EMAIL).reference)


def test_create_returns_owner_trimmed_email_and_expiry(store, clock):
    created = service(store, clock, ttl_seconds=600).create('ann', f'  {EMAIL} ')
    assert created.owner_username == 'ann'
    assert created.email == EMAIL
    assert created.expires_at == clock.now + 600
    assert service(store, clock, ttl_seconds=600).ttl_seconds == 600


@pytest.mark.parametrize(('email', 'message'), [
    ('', 'Please enter your email address.'),
    ('   ', 'Please enter your email address.'),
    ('not-an-email', 'Please enter a valid email address, like name@example.com.'),
    ('a@b', 'Please enter a valid email address, like name@example.com.'),
])
def test_a_bad_email_is_refused_and_nothing_is_stored(store, db, email, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        service(store).create('ann', email)
    assert rows(db, 'ad_hoc_references') == 0


def test_an_unknown_agent_gets_no_reference(store, db):
    with pytest.raises(NotFound, match="No agent named 'nobody'"):
        service(store).create('nobody', EMAIL)
    assert rows(db, 'ad_hoc_references') == 0


def test_the_store_never_holds_the_number_the_email_or_the_address(store, db, monkeypatch):
    draws(monkeypatch, 418233)
    references = service(store, redeem_limit=2)
    created = references.create('ann', EMAIL)
    assert references.redeem(created.reference, 'wrong@example.org', ADDRESS) is None
    assert owner(references.redeem(created.reference, EMAIL, ADDRESS)) == 'ann'
    for _ in range(2):
        with pytest.raises(RateLimited):
            references.redeem('12345678', EMAIL, ADDRESS)
    with sqlite3.connect(db) as reader:
        dump = '\n'.join(reader.iterdump())
        (key, email_key), = reader.execute('SELECT key, email_key FROM ad_hoc_references').fetchall()
    raw = b''.join(path.read_bytes() for path in db.parent.iterdir() if path.name.startswith(db.name))
    for secret in ('00418233', '418233', EMAIL, EMAIL.casefold(), 'zelda', 'wrong@example.org', ADDRESS, '113.77'):
        assert secret.casefold() not in dump.casefold(), secret
        assert secret.casefold().encode() not in raw.lower(), secret
    assert re.fullmatch(r'[0-9a-f]{64}', key) and re.fullmatch(r'[0-9a-f]{64}', email_key)
    assert 'ann' in dump  # the owner is stored in the clear: it is what the reference routes to


# collisions


def test_a_collision_with_a_live_reference_draws_a_new_number(store, monkeypatch):
    asked = draws(monkeypatch, 1, 1, 2)
    references = service(store)
    first, second = references.create('ann', EMAIL), references.create('bob', 'b@example.org')
    assert (first.reference, second.reference) == ('00000001', '00000002')
    assert len(asked) == 3
    assert owner(references.redeem('00000001', EMAIL, ADDRESS)) == 'ann'
    assert owner(references.redeem('00000002', 'b@example.org', ADDRESS)) == 'bob'


def test_endless_collisions_end_in_a_clear_error(store, monkeypatch):
    asked = draws(monkeypatch, 7)
    references = service(store)
    references.create('ann', EMAIL)
    with pytest.raises(NotAllowed, match=r'Could not create a reference just now\. Please try again in a minute\.'):
        references.create('bob', EMAIL)
    assert len(asked) == 1 + 10  # bounded retries
    assert owner(references.redeem('00000007', EMAIL, ADDRESS)) == 'ann'  # the live one is untouched


def test_used_burned_and_expired_numbers_may_be_drawn_again(store, clock, monkeypatch):
    draws(monkeypatch, 5)
    references = service(store, clock, ttl_seconds=60, max_wrong_emails=1)
    references.create('ann', EMAIL)
    assert owner(references.redeem('00000005', EMAIL, ADDRESS)) == 'ann'  # used
    assert references.create('bob', 'b@example.org').reference == '00000005'
    assert references.redeem('00000005', 'nope@example.org', ADDRESS) is None  # burned
    assert references.create('ann', 'c@example.org').reference == '00000005'
    clock.now += 60  # expired
    assert references.redeem('00000005', 'c@example.org', ADDRESS) is None
    assert references.create('bob', 'd@example.org').reference == '00000005'
    assert owner(references.redeem('00000005', 'd@example.org', ADDRESS)) == 'bob'


# lifetime and single use


def test_a_reference_expires_after_its_ttl(store, clock):
    references = service(store, clock, ttl_seconds=900)
    early, late = references.create('ann', EMAIL), references.create('ann', EMAIL)
    clock.now += 899.9
    assert owner(references.redeem(early.reference, EMAIL, ADDRESS)) == 'ann'
    clock.now += 0.1
    assert references.redeem(late.reference, EMAIL, ADDRESS) is None


def test_a_reference_is_single_use(store):
    references = service(store)
    created = references.create('ann', EMAIL)
    assert owner(references.redeem(created.reference, EMAIL, ADDRESS)) == 'ann'
    assert references.redeem(created.reference, EMAIL, ADDRESS) is None


def test_the_email_matches_ignoring_case_and_surrounding_whitespace(store):
    references = service(store)
    created = references.create('ann', EMAIL)
    assert owner(references.redeem(created.reference, f'\t {EMAIL.upper()}  ', ADDRESS)) == 'ann'


def test_the_email_is_bound_to_its_reference(store):
    references = service(store)
    for_zelda, for_bob = references.create('ann', EMAIL), references.create('bob', 'b@example.org')
    assert references.redeem(for_zelda.reference, 'b@example.org', ADDRESS) is None
    assert references.redeem(for_bob.reference, EMAIL, ADDRESS) is None
    assert owner(references.redeem(for_zelda.reference, EMAIL, ADDRESS)) == 'ann'


def test_the_fifth_wrong_email_burns_the_reference(store):
    references = service(store, redeem_limit=100)
    survivor, victim = references.create('ann', EMAIL), references.create('ann', EMAIL)
    for _ in range(4):
        assert references.redeem(survivor.reference, 'guess@example.org', ADDRESS) is None
    assert owner(references.redeem(survivor.reference, EMAIL, ADDRESS)) == 'ann'  # four wrong emails are forgiven
    for _ in range(5):
        assert references.redeem(victim.reference, 'guess@example.org', ADDRESS) is None
    assert references.redeem(victim.reference, EMAIL, ADDRESS) is None  # burned: even the right email fails


def test_the_store_reports_each_outcome(store, clock):
    record = ReferenceRecord(key='k' * 64, email_key='e' * 64, owner_username='ann', created_at=clock.now,
                             expires_at=clock.now + 60)
    assert store.add_reference(record)
    assert not store.add_reference(record)  # live: a collision
    outcomes = [store.redeem_reference('k' * 64, 'x' * 64, clock.now, 3) for _ in range(4)]
    assert outcomes == [(RedeemResult.WRONG_EMAIL, None), (RedeemResult.WRONG_EMAIL, None),
                        (RedeemResult.BURNED, None), (RedeemResult.INVALID, None)]
    assert store.redeem_reference('k' * 64, 'e' * 64, clock.now, 3) == (RedeemResult.INVALID, None)
    assert store.redeem_reference('unknown', 'e' * 64, clock.now, 3) == (RedeemResult.INVALID, None)
    assert store.add_reference(record)  # burned: may be replaced
    assert store.redeem_reference('k' * 64, 'e' * 64, clock.now + 60, 3) == (RedeemResult.INVALID, None)  # expired
    assert store.redeem_reference('k' * 64, 'e' * 64, clock.now + 59, 3) == (RedeemResult.REDEEMED, 'ann')
    assert store.redeem_reference('k' * 64, 'e' * 64, clock.now + 59, 3) == (RedeemResult.INVALID, None)


# one success out of many simultaneous redemptions


def race(redeemers: list[ReferenceService], reference: str) -> list[str | None]:
    """Every redeemer tries the same reference at once (threads released together by a barrier)."""
    barrier = threading.Barrier(len(redeemers))
    results: list[str | None] = [None] * len(redeemers)
    errors: list[BaseException] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            results[index] = owner(redeemers[index].redeem(reference, EMAIL, f'198.51.100.{index}'))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(redeemers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_100_simultaneous_redemptions_on_their_own_connections_give_one_success(store, db):
    created = service(store).create('ann', EMAIL)
    stores = [SqliteStore(db) for _ in range(100)]  # 100 connections to the same WAL file
    try:
        results = race([service(s) for s in stores], created.reference)
    finally:
        for each in stores:
            each.close()
    assert results.count('ann') == 1
    assert results.count(None) == 99


def test_100_simultaneous_redemptions_through_the_shared_store_give_one_success(store):
    references = service(store)
    created = references.create('ann', EMAIL)
    results = race([references] * 100, created.reference)
    assert results.count('ann') == 1
    assert results.count(None) == 99


# rate limit per client network


def test_redemption_is_rate_limited_per_address_and_the_window_rolls_over(store, clock):
    references = service(store, clock, redeem_limit=3, redeem_window_seconds=600, ttl_seconds=3600)
    created = references.create('ann', EMAIL)
    for _ in range(3):
        assert references.redeem('11112222', EMAIL, ADDRESS) is None
    with pytest.raises(RateLimited, match=r'^Too many reference attempts from your network\. '
                                          r'Please try again in 10 minutes\.$'):
        references.redeem(created.reference, EMAIL, ADDRESS)  # even a valid reference: not looked at
    assert isinstance(RateLimited('x'), InvalidInput)
    assert owner(references.redeem(created.reference, EMAIL, '192.0.2.1')) == 'ann'  # another address is unaffected
    second = references.create('ann', EMAIL)
    clock.now += 599
    with pytest.raises(RateLimited):
        references.redeem(second.reference, EMAIL, ADDRESS)
    clock.now += 601  # every attempt (the refused ones too) has left the window
    assert owner(references.redeem(second.reference, EMAIL, ADDRESS)) == 'ann'


def test_ipv6_addresses_are_limited_per_64_network(store):
    references = service(store, redeem_limit=1)
    assert references.redeem('11112222', EMAIL, '2001:db8:1:2::1') is None
    with pytest.raises(RateLimited):
        references.redeem('11112222', EMAIL, '2001:db8:1:2:ffff::9')
    assert references.redeem('11112222', EMAIL, '2001:db8:1:3::1') is None
    assert references.redeem('11112222', EMAIL, '203.0.113.9') is None
    with pytest.raises(RateLimited):
        references.redeem('11112222', EMAIL, '::ffff:203.0.113.9')
    assert client_network(' 2001:DB8::1 ') == '2001:db8::/64'
    assert client_network('') == UNKNOWN_NETWORK  # no address known: all such clients share one bucket


def test_old_attempt_rows_are_pruned(store, db, clock):
    references = service(store, clock, redeem_window_seconds=60)
    for i in range(50):
        references.redeem('11112222', EMAIL, f'192.0.2.{i}')
    assert rows(db, 'attempts') == 50
    clock.now += 60
    references.redeem('11112222', EMAIL, ADDRESS)
    assert rows(db, 'attempts') == 1


# logs


def test_logs_carry_outcomes_and_the_owner_but_no_number_email_or_address(store, caplog, monkeypatch):
    caplog.set_level(logging.INFO)
    draws(monkeypatch, 418233)
    references = service(store, redeem_limit=8, max_wrong_emails=5)
    created = references.create('ann', EMAIL)
    references.redeem(created.reference, 'guess@example.org', ADDRESS)
    references.redeem(created.reference, EMAIL, ADDRESS)
    references.redeem(created.reference, EMAIL, ADDRESS)
    burn = references.create('bob', EMAIL)
    for _ in range(5):
        references.redeem(burn.reference, 'guess@example.org', ADDRESS)
    with pytest.raises(RateLimited):
        references.redeem(burn.reference, EMAIL, ADDRESS)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith('vce')]
    assert lines[:4] == ['reference.created agent=ann ttl=900', 'reference.redeem outcome=wrong_email',
                         'reference.redeem outcome=redeemed agent=ann', 'reference.redeem outcome=invalid']
    assert 'reference.redeem outcome=burned' in lines
    assert 'reference.rate_limited attempts=9' in lines
    text = '\n'.join(lines)
    for secret in ('00418233', '418233', EMAIL, EMAIL.casefold(), 'guess@', ADDRESS):
        assert secret not in text, secret


# settings and composition


def test_reference_settings_have_defaults_and_ranges(monkeypatch):
    settings = Settings(demo=True)
    assert (settings.reference_ttl_minutes, settings.reference_max_wrong_emails, settings.reference_redeem_limit,
            settings.reference_redeem_window_seconds) == (15, 5, 10, 900)
    for name, value in [('REFERENCE_TTL_MINUTES', '0'), ('REFERENCE_TTL_MINUTES', '121'),
                        ('REFERENCE_MAX_WRONG_EMAILS', '0'), ('REFERENCE_REDEEM_LIMIT', '0'),
                        ('REFERENCE_REDEEM_WINDOW_SECONDS', '5'), ('REFERENCE_SECRET', 'too-short')]:
        monkeypatch.setenv(f'VCE_{name}', value)
        with pytest.raises(ValidationError, match=name.lower() if name != 'REFERENCE_SECRET' else 'at least 16'):
            Settings(demo=True)
        monkeypatch.delenv(f'VCE_{name}')


def test_the_reference_secret_is_derived_from_the_storage_secret_unless_set(monkeypatch):
    monkeypatch.setenv('VCE_STORAGE_SECRET', 'storage-secret-one-0123')
    derived = Settings().reference_key
    assert len(derived) == 32 and b'storage-secret-one' not in derived
    assert Settings().reference_key == derived  # stable across restarts
    monkeypatch.setenv('VCE_STORAGE_SECRET', 'storage-secret-two-0123')
    assert Settings().reference_key != derived
    monkeypatch.setenv('VCE_REFERENCE_SECRET', 'an-own-reference-secret')
    assert Settings().reference_key == b'an-own-reference-secret'


def test_the_composition_root_wires_references_from_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv('VCE_DATA_DIR', str(tmp_path / 'data'))
    monkeypatch.setenv('VCE_REFERENCE_TTL_MINUTES', '3')
    services = build_services(Settings(demo=True))
    assert services.references.ttl_seconds == 180
    services.accounts.add_agent('ann', 'Ann Agent', 'long enough')
    created = services.references.create('ann', EMAIL)
    assert created.expires_at > 0 and created.owner_username == 'ann'


# the customer's chat


async def test_a_valid_reference_routes_the_chat_to_its_agent_first_and_an_invalid_one_apologises(monkeypatch):
    engine, store, bus = make_engine()
    add_agent(store, 'ann', 'Ann Agent')
    add_agent(store, 'bob', 'Bob Agent')
    await engine.start()
    try:
        references = service(store)
        chat = chat_service(engine, store, bus, references)
        older = await chat.start_chat('tab-older-0000000000', name='Olga Older', email='olga@example.org')
        await settle()
        draws(monkeypatch, 418233)
        created = references.create('ann', EMAIL)
        routed = await chat.start_chat(TAB, name='Zelda', email=f' {EMAIL.lower()}', reference='0041 8233',
                                       client_address=ADDRESS)
        await settle()
        routed = engine.contact(routed.contact_id)
        assert routed.queue_id == 'agent/id-ann' and routed.priority == 1
        assert routed.attributes['videoRouteToAgent'] == 'id-ann'  # routes by the agent's id
        assert routed.attributes['videoReferenceId'] == created.reference
        assert any('validated' in m.text for m in chat.transcript(TAB))
        assert engine.contact(older.contact_id).priority == 5
        engine.set_agent_status('ann', AgentStatus.AVAILABLE)
        assert engine.offer_for('ann')[0].contact_id == routed.contact_id  # ahead of the older priority-5 chat
        engine.set_agent_status('bob', AgentStatus.AVAILABLE)
        assert engine.offer_for('bob')[0].contact_id == older.contact_id

        await chat.end_chat(TAB)
        again = await chat.start_chat(TAB, name='Zelda', email=EMAIL, reference=created.reference,
                                      client_address=ADDRESS)  # used: the flow apologises and disconnects
        await settle()
        again = engine.contact(again.contact_id)
        assert again.state is ContactState.ENDED
        assert again.attributes['videoReferenceId'] == 'error' and 'videoRouteToAgent' not in again.attributes
        assert any('not valid' in m.text for m in chat.transcript(TAB))
        retry = await chat.start_chat(TAB, name='Zelda', email=EMAIL, client_address=ADDRESS)  # may start again
        assert retry.contact_id != again.contact_id and chat.current_contact(TAB).state.is_open
    finally:
        await engine.stop()


async def test_a_rate_limited_customer_gets_the_message_and_no_chat():
    engine, store, bus = make_engine()
    add_agent(store, 'ann')
    await engine.start()
    try:
        references = service(store, redeem_limit=1)
        chat = chat_service(engine, store, bus, references)
        created = references.create('ann', EMAIL)
        first = await chat.start_chat(TAB, name='Zelda', email=EMAIL, reference='99998888', client_address=ADDRESS)
        await settle()
        assert engine.contact(first.contact_id).state is ContactState.ENDED
        with pytest.raises(RateLimited, match='Too many reference attempts'):
            await chat.start_chat(TAB, name='Zelda', email=EMAIL, reference=created.reference,
                                  client_address=ADDRESS)
        assert chat.current_contact(TAB).contact_id == first.contact_id  # nothing new started
        assert store.open_contacts() == []
        assert owner(references.redeem(created.reference, EMAIL, '192.0.2.50')) == 'ann'  # and nothing was used up
    finally:
        await engine.stop()


def rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as reader:
        (count,) = reader.execute(f'SELECT COUNT(*) FROM {table}').fetchone()
    return int(count)

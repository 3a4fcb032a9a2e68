"""Every service that takes typed text applies the rules at its own boundary: the UIs pass an input's value as they got
it, and a client can make that any JSON. Each refusal is an InvalidInput with the field's message, and changes
nothing (no chat, no call, no message, no agent, no reference)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from backend.adapters.local.meetings import LocalMeetingProvider
from backend.adapters.local.passwords import Argon2PasswordHasher
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.errors import InvalidInput
from backend.domain.model import AgentStatus
from backend.domain.reference import NOT_A_REFERENCE_TEXT
from backend.domain.validation import NO_EMAIL_TEXT, NO_MESSAGE_TEXT, NO_NAME_TEXT, USERNAME_RULE_TEXT
from backend.services.accounts import AccountService
from backend.services.agent_desk import AgentDeskService
from backend.services.media_sessions import MediaSessions
from backend.services.references import ReferenceService
from backend.services.voice import VoiceService
from tests.unit.engine_fixtures import Refs, add_agent, chat_service, settle, tab

NOT_TEXT = [7, 1.5, True, {'name': 'Cara'}, ['Cara'], None]
BIDI = 'Cara\u202eevil'
HIDDEN = 'an invisible text-direction control (U+202E)'


@pytest.fixture
def chat(centre):
    engine, store, bus = centre
    return chat_service(engine, store, bus, Refs({'24681357': 'ann'})), store


@pytest.mark.parametrize(('fields', 'message'), [
    *[({'name': value}, NO_NAME_TEXT) for value in NOT_TEXT],
    *[({'email': value}, NO_EMAIL_TEXT) for value in NOT_TEXT],
    *[({'reference': value}, NOT_A_REFERENCE_TEXT) for value in [24681357, True, {'r': 1}, ['24681357']]],
    ({'name': BIDI}, HIDDEN),
    ({'name': '\u200b\u200d'}, 'an invisible formatting character (U+200B)'),
    ({'name': '\u3164'}, NO_NAME_TEXT),
    ({'email': 'cara\u200b@example.com'}, 'Please enter a valid email address'),
    ({'reference': '2468\u200b1357'}, NOT_A_REFERENCE_TEXT),
])
async def test_a_chat_start_with_bad_fields_starts_nothing(chat, fields, message) -> None:
    service, store = chat
    key = tab()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await service.start_chat(key, **{'name': 'Cara', 'email': 'cara@example.com', **fields})
    assert service.current_contact(key) is None
    assert store.open_contacts() == []


async def test_a_chat_start_with_no_reference_given_as_none_is_an_ordinary_chat(chat) -> None:
    service, _ = chat
    contact = await service.start_chat(tab(), name='Cara', email='cara@example.com', reference=None)
    assert 'videoReferenceId' not in contact.attributes


@pytest.mark.parametrize(('text', 'message'), [
    *[(value, NO_MESSAGE_TEXT) for value in NOT_TEXT],
    ('\u200b', 'an invisible formatting character (U+200B)'),
    ('pay \u202e0987', HIDDEN),
    ('\x1b[2J', 'a control character (U+001B)'),
])
async def test_a_customer_message_that_is_not_text_or_hides_characters_is_not_stored(chat, text, message) -> None:
    service, _ = chat
    key = tab()
    await service.start_chat(key, name='Cara', email='cara@example.com')
    await settle()
    before = service.transcript(key)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await service.send(key, text)
    assert service.transcript(key) == before


@pytest.mark.parametrize(('text', 'message'), [
    *[(value, NO_MESSAGE_TEXT) for value in NOT_TEXT],
    ('\ufeff', 'an invisible formatting character (U+FEFF)'),
    ('see \u2066you\u2069', 'an invisible text-direction control (U+2066)'),
])
async def test_an_agent_message_that_is_not_text_or_hides_characters_is_not_stored(centre, text, message) -> None:
    engine, store, bus = centre
    service = chat_service(engine, store, bus)
    key = tab()
    contact = await service.start_chat(key, name='Cara', email='cara@example.com')
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    before = store.transcript(contact.contact_id)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await AgentDeskService(engine, bus).send('ann', contact.contact_id, text)
    assert store.transcript(contact.contact_id) == before


@pytest.mark.parametrize(('name', 'message'), [
    *[(value, NO_NAME_TEXT) for value in NOT_TEXT],
    (BIDI, HIDDEN),
    ('\u2060', 'an invisible formatting character (U+2060)'),
])
async def test_a_call_with_a_bad_name_starts_nothing(centre, name, message) -> None:
    engine, store, bus = centre
    voice = VoiceService(engine, store, MediaSessions(LocalMeetingProvider(), store, bus), engine,
                         AgentDeskService(engine, bus), bus)
    key = tab()
    with pytest.raises(InvalidInput, match=re.escape(message)):
        await voice.start_call(key, name)
    assert voice.current_call(key) is None
    assert store.open_contacts() == []


@pytest.fixture(scope='module')
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher()


@pytest.mark.parametrize(('username', 'display_name', 'password', 'message'), [
    *[(value, 'Ann Agent', 'long enough', USERNAME_RULE_TEXT) for value in NOT_TEXT],
    *[('ann', value, 'long enough', NO_NAME_TEXT) for value in NOT_TEXT],
    *[('ann', 'Ann Agent', value, 'Passwords need at least 8 characters.') for value in NOT_TEXT],
    ('ann', 'Ann\u202e Agent', 'long enough', HIDDEN),
    ('ann', '\u200b', 'long enough', 'an invisible formatting character (U+200B)'),
    ('ann\u200b', 'Ann Agent', 'long enough', USERNAME_RULE_TEXT),
    ('\u212aate', 'Kate Agent', 'long enough', USERNAME_RULE_TEXT),  # the Kelvin sign would lower-case to "k"
])
def test_an_agent_account_with_bad_fields_is_not_created(hasher, username, display_name, password, message) -> None:
    accounts = AccountService(SqliteStore(':memory:'), hasher, 'BasicQueue')
    with pytest.raises(InvalidInput, match=re.escape(message)):
        accounts.add_agent(username, display_name, password)
    assert accounts.list_agents() == []


@pytest.mark.parametrize('password', NOT_TEXT)
def test_a_password_that_is_not_text_is_not_set(hasher, password) -> None:
    accounts = AccountService(SqliteStore(':memory:'), hasher, 'BasicQueue')
    accounts.add_agent('ann', 'Ann Agent', 'first password')
    with pytest.raises(InvalidInput, match=re.escape('Passwords need at least 8 characters.')):
        accounts.change_password('ann', password)
    assert accounts.authenticate('ann', 'first password') is not None


@pytest.mark.parametrize(('email', 'message'), [
    *[(value, NO_EMAIL_TEXT) for value in NOT_TEXT],
    ('cara@example.com\u202e', 'Please enter a valid email address'),
])
def test_an_ad_hoc_reference_for_a_bad_email_is_not_created(tmp_path, email, message) -> None:
    store = SqliteStore(tmp_path / 'vce.sqlite3')
    add_agent(store, 'ann')
    references = ReferenceService(store, store, b'unit-test-reference-secret-0123456789')
    with pytest.raises(InvalidInput, match=re.escape(message)):
        references.create('ann', email)
    store.close()
    with sqlite3.connect(tmp_path / 'vce.sqlite3') as db:
        assert db.execute('SELECT COUNT(*) FROM ad_hoc_references').fetchone()[0] == 0

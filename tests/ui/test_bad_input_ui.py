"""Hostile field values under NiceGUI's simulated User: a value that is not text, sent the way the socket delivers it
(``Client.handle_event`` with JSON-encoded arguments, what NiceGUI's ``event`` handler calls), and hidden characters
typed into the fields. Each gets the form's clear message, and no chat or call starts."""

from __future__ import annotations

import json
import logging

import pytest
from nicegui.testing import User

from backend.adapters.local.sqlite_store import SqliteStore
from backend.settings import Settings
from tests.ui.helpers import AGENT_PASSWORD, create_agent, elements, find, start_chat
from ui_common.chat_transcript import ChatTranscript

NOT_TEXT = [5, 12.5, {'name': 'Cara'}, ['Cara'], True, None]


@pytest.fixture(autouse=True)
def _no_tracebacks(caplog):  # type: ignore[no-untyped-def]
    """A refused value is a message on the form, never an error in the server's log."""
    yield
    errors = [r.getMessage() for r in caplog.get_records('call') if r.levelno >= logging.ERROR]
    assert errors == []


def send_value(user: User, testid: str, value: object) -> None:
    """What a client's socket delivers when it says the input's value changed to ``value`` (any JSON)."""
    (element,) = elements(user, testid)
    listener = next(listener_id for listener_id, listener in element._event_listeners.items()
                    if listener.type == f'update:{element.VALUE_PROP}')  # type: ignore[attr-defined]
    assert user.client is not None
    user.client.handle_event({'id': element.id, 'client_id': user.client.id, 'listener_id': listener,
                              'args': [json.dumps(value)]})


def contacts_in_store() -> int:
    """Contacts the server has stored: none may exist after a refused start."""
    store = SqliteStore(Settings(demo=True).database_path)  # the test's own file (VCE_DATA_DIR, tests/ui/conftest.py)
    try:
        return len(store.open_contacts())
    finally:
        store.close()


async def open_form(user: User) -> None:
    await user.open('/')
    await user.should_see('Video call now')
    find(user, 'launcher').click()


async def refused_start(user: User, message: str) -> None:
    find(user, 'start-chat').click()
    await user.should_see(message)
    await user.should_not_see('Welcome to our video contact centre.')
    assert elements(user, 'start-chat'), 'the form stays so the customer can fix the input'
    assert contacts_in_store() == 0


@pytest.mark.parametrize('value', NOT_TEXT)
async def test_a_name_that_is_not_text_gets_the_empty_name_message(user: User, value: object) -> None:
    await open_form(user)
    send_value(user, 'name', value)
    find(user, 'email').type('cara@example.com')
    await refused_start(user, 'Please enter your name.')


@pytest.mark.parametrize('value', NOT_TEXT)
async def test_an_email_that_is_not_text_gets_the_empty_email_message(user: User, value: object) -> None:
    await open_form(user)
    find(user, 'name').type('Cara')
    send_value(user, 'email', value)
    await refused_start(user, 'Please enter your email address.')


@pytest.mark.parametrize('value', [24681357, {'ref': '24681357'}, ['24681357'], True])
async def test_a_reference_that_is_not_text_gets_the_reference_message(user: User, value: object) -> None:
    await open_form(user)
    find(user, 'name').type('Cara')
    find(user, 'email').type('cara@example.com')
    send_value(user, 'reference-input', value)
    await refused_start(user, 'A reference is the 8-digit number your agent gave you.')


@pytest.mark.parametrize(('name', 'message'), [
    ('Cara\u202eevil', 'Your name contains an invisible text-direction control (U+202E).'),
    ('\u200b\u200b\u200b', 'Your name contains an invisible formatting character (U+200B).'),
    ('\u3164', 'Please enter your name.'),
])
async def test_a_name_with_hidden_characters_is_refused(user: User, name: str, message: str) -> None:
    await open_form(user)
    find(user, 'name').type(name)
    find(user, 'email').type('cara@example.com')
    await refused_start(user, message)


async def test_a_persian_name_and_an_emoji_message_with_joiners_are_kept(user: User) -> None:
    name = 'نسیم\u200cدخت'  # ZWNJ inside a Persian name
    await start_chat(user, name=name)
    find(user, 'reply').type('On it \U0001f469\u200d\U0001f4bb')  # woman technologist: a ZWJ sequence
    find(user, 'send').click()
    await user.should_see('On it \U0001f469\u200d\U0001f4bb')
    transcript = next(e for e in user.client.layout.descendants() if isinstance(e, ChatTranscript))
    assert transcript.texts[0] == f'Hi {name}! Welcome to our video contact centre.'


@pytest.mark.parametrize(('value', 'message'), [
    ({'text': 'hi'}, 'Type a message before sending.'),
    (42, 'Type a message before sending.'),
    ('\u200b', 'Your message contains an invisible formatting character (U+200B).'),
    ('pay to \u202e0987', 'Your message contains an invisible text-direction control (U+202E).'),
])
async def test_a_message_that_is_not_text_or_hides_characters_is_refused(user: User, value: object,
                                                                         message: str) -> None:
    await start_chat(user)
    send_value(user, 'reply', value)
    find(user, 'send').click()
    await user.should_see(message)
    transcript = next(e for e in user.client.layout.descendants() if isinstance(e, ChatTranscript))
    assert not any(m['role'] == 'customer' for m in transcript.props['messages'])


@pytest.mark.parametrize('value', [7, {'name': 'Vic'}, ['Vic'], False])
async def test_a_caller_name_that_is_not_text_starts_no_call(user: User, value: object) -> None:
    await user.open('/call')
    await user.should_see('Call us')
    send_value(user, 'caller-name', value)
    find(user, 'call').click()
    await user.should_see('Please enter your name.')
    await user.should_not_see('Calling Example Bank…')
    assert contacts_in_store() == 0



@pytest.mark.parametrize('field', ['username', 'password'])
@pytest.mark.parametrize('value', NOT_TEXT)
async def test_login_credentials_that_are_not_text_get_a_clear_message(user: User, field: str, value: object) -> None:
    create_agent()
    await user.open('/agent/login')
    find(user, 'username').type('ann')
    find(user, 'password').type(AGENT_PASSWORD)
    send_value(user, field, value)
    find(user, 'login').click()
    await user.should_see('Enter your username and password.')
    await user.should_not_see('Wrong username or password.')
    assert user.back_history == [] or '/agent/login' in str(user.back_history[-1:])

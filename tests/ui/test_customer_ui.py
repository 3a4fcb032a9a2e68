"""The customer website under NiceGUI's simulated User."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nicegui.testing import User

import ui_common
from customer_ui.website import BACK_TO_CHAT_TEXT, HIDE_CHAT_TEXT
from tests.ui.helpers import elements, fill_and_start, find, start_chat, wait_for
from ui_common.chat_transcript import ChatTranscript


async def test_website_shows_brand_and_a_launcher(user: User) -> None:
    await user.open('/')
    await user.should_see('Example Bank')
    await user.should_see('Video call now')
    await user.should_not_see('Start a video call')  # the form is built only when asked for


@pytest.mark.vce_settings(company_name='Acme Telecom', launcher_text='Talk to us', brand_primary_color='#aa0000')
async def test_branding_comes_from_settings(user: User) -> None:
    await user.open('/')
    await user.should_see('Acme Telecom')
    await user.should_see('Talk to us')
    await user.should_not_see('Example Bank')


async def test_starting_a_chat_shows_greeting_and_queue_position(user: User) -> None:
    await start_chat(user, name='Cara')
    await user.should_see('Hi Cara! Welcome to our video contact centre.')
    await user.should_see('You are number 1 in the queue. Thank you for waiting, an agent will be with you shortly.')
    await user.should_see('Connecting you to an agent…')


@pytest.mark.parametrize(('name', 'email', 'reference', 'error'), [
    ('', 'cara@example.com', '', 'Please enter your name.'),
    ('x' * 65, 'cara@example.com', '', 'Please keep your name to 64 characters or fewer.'),
    ('Cara', 'cara-at-example', '', 'Please enter a valid email address, like name@example.com.'),
    ('Cara', 'cara@example.com', '12-34', 'A reference is the 8-digit number your agent gave you.'),
])
async def test_bad_form_input_shows_a_clear_message_and_starts_nothing(user: User, name, email, reference,
                                                                       error) -> None:
    await fill_and_start(user, name=name, email=email, reference=reference)
    await user.should_see(error)
    await user.should_not_see('Welcome to our video contact centre.')
    assert elements(user, 'start-chat'), 'the form stays so the customer can fix the input'


async def test_a_typed_reference_nobody_issued_is_refused_by_the_flow(user: User) -> None:
    await user.open('/')
    await user.should_see('Video call now')
    find(user, 'launcher').click()
    find(user, 'name').type('Cara')
    find(user, 'email').type('cara@example.com')
    find(user, 'reference-input').type('12345678')
    find(user, 'start-chat').click()
    await user.should_see('Unfortunately, the Reference you have provided is not valid, or has already expired. '
                          'Please check your reference and try again.')
    await user.should_see('This chat has ended')
    await user.should_see('Start a new chat')


async def test_reload_resumes_the_same_chat_with_its_history(user: User) -> None:
    await start_chat(user, name='Cara')
    find(user, 'reply').type('First question')
    find(user, 'send').click()
    await user.should_see('First question')
    await user.open('/')  # same tab: NiceGUI keeps the tab id across a reload
    await user.should_see('First question')
    await user.should_see('Hi Cara! Welcome to our video contact centre.')
    find(user, 'reply').type('Second question')
    find(user, 'send').click()
    await user.should_see('Second question')


async def test_empty_and_overlong_messages_are_refused(user: User) -> None:
    await start_chat(user)
    find(user, 'send').click()
    await user.should_see('Type a message before sending.')
    find(user, 'reply').type('z' * 1025)
    find(user, 'send').click()
    await user.should_see('Messages can be at most 1024 characters (1025 typed).')
    transcript = next(e for e in user.client.layout.descendants() if isinstance(e, ChatTranscript))
    assert not any(m['role'] == 'customer' for m in transcript.props['messages'])


async def test_html_in_names_and_messages_stays_text(user: User) -> None:
    await start_chat(user, name='<img src=x onerror=alert(1)>')
    find(user, 'reply').type('<script>alert("hi")</script>')
    find(user, 'send').click()
    transcript = next(e for e in user.client.layout.descendants() if isinstance(e, ChatTranscript))
    for _ in range(60):
        if len(transcript.texts) == 3:
            break
        await asyncio.sleep(0.05)
    assert transcript.texts[0] == 'Hi <img src=x onerror=alert(1)>! Welcome to our video contact centre.'
    assert transcript.texts[-1] == '<script>alert("hi")</script>'  # kept verbatim, shown with {{ }} (text only)
    component = (Path(ui_common.__file__).parent / 'chat_transcript.js').read_text()
    assert 'v-html' not in component and 'innerHTML' not in component


async def test_ending_a_waiting_chat_offers_a_new_one(user: User) -> None:
    await start_chat(user)
    find(user, 'end-chat').click()
    await user.should_see('This chat has ended')
    find(user, 'new-chat').click()
    await user.should_see('Start a video call')


async def test_health_endpoint(user: User) -> None:
    response = await user.http_client.get('/healthz')
    assert response.status_code == 200
    assert response.json() == {'status': 'ok', 'mode': 'local'}


async def test_the_launcher_leads_back_to_a_running_chat(user: User) -> None:
    await start_chat(user, name='Cara')
    launcher = find(user, 'launcher').elements.pop()
    assert launcher.text == HIDE_CHAT_TEXT, 'the chat is open: a click hides it'
    find(user, 'launcher').click()
    assert not elements(user, 'chat-window')
    assert launcher.text == BACK_TO_CHAT_TEXT, 'no promise of a new video call while this chat runs'
    find(user, 'launcher').click()
    assert elements(user, 'chat-window')
    await user.should_see('Welcome to our video contact centre.')  # the same chat, not a new form
    assert not elements(user, 'start-chat')

    await user.open('/')  # a reload restores the chat, and the launcher's words with it
    await user.should_see('Welcome to our video contact centre.')
    assert find(user, 'launcher').elements.pop().text == HIDE_CHAT_TEXT

    find(user, 'end-chat').click()
    await user.should_see('Start a new chat')
    find(user, 'new-chat').click()
    await wait_for(user, 'start-chat')
    assert find(user, 'launcher').elements.pop().text == 'Video call now', 'the form is back: a new chat starts'

"""The reply boxes of the customer chat and the agent desktop: a counter near the limit, nothing cut silently,
messages under the box that go when the problem goes, and a message left unsent by a lost connection comes back
marked as such."""

from __future__ import annotations

import asyncio

from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from backend.domain.validation import MAX_MESSAGE_LENGTH
from tests.ui.helpers import accepted_chat, calls, capture_js, create_agent, elements, find, start_chat
from ui_common.chat_transcript import ChatTranscript
from ui_common.unsent_draft import UNSENT_TEXT, UnsentDraft

TOO_LONG = f'Messages can be at most {MAX_MESSAGE_LENGTH} characters ({MAX_MESSAGE_LENGTH + 1} typed).'


def value(user: User, testid: str) -> str:
    return str(elements(user, testid)[0].value)  # type: ignore[attr-defined]


def retype(user: User, testid: str, text: str) -> None:
    find(user, testid).clear().type(text)


def shown(user: User, testid: str) -> str | None:
    """The text of ``testid`` when it is visible, else None."""
    found = elements(user, testid)
    return found[0].text if found else None  # type: ignore[attr-defined]


def texts(user: User, role: str) -> list[str]:
    transcript = next(e for e in user.client.layout.descendants() if isinstance(e, ChatTranscript))
    return [m['text'] for m in transcript.props['messages'] if m['role'] == role]


async def wait_texts(user: User, role: str, expected: list[str]) -> None:
    for _ in range(60):
        if texts(user, role) == expected:
            return
        await asyncio.sleep(0.05)
    assert texts(user, role) == expected


async def test_the_counter_shows_near_the_limit(user: User) -> None:
    await start_chat(user)
    near = int(MAX_MESSAGE_LENGTH * 0.8) + 1
    retype(user, 'reply', 'a' * (near - 2))
    assert shown(user, 'reply-counter') is None  # quiet while far from the limit
    retype(user, 'reply', 'a' * near)
    assert shown(user, 'reply-counter') == f'{near} / {MAX_MESSAGE_LENGTH}'


async def test_an_overlong_paste_is_kept_explained_and_not_sent(user: User) -> None:
    await start_chat(user)
    pasted = 'p' * (MAX_MESSAGE_LENGTH + 1)
    retype(user, 'reply', pasted)
    assert value(user, 'reply') == pasted  # nothing cut: the box has no maxlength
    assert 'maxlength' not in elements(user, 'reply')[0].props
    await user.should_see(TOO_LONG)  # said at once, before Send
    find(user, 'send').click()
    await user.should_see(TOO_LONG)
    assert value(user, 'reply') == pasted and texts(user, 'customer') == []

    retype(user, 'reply', pasted[:-1])  # shortened to the limit: the message under the box goes
    await user.should_not_see(TOO_LONG)
    find(user, 'send').click()
    await wait_texts(user, 'customer', [pasted[:-1]])
    assert value(user, 'reply') == ''
    assert shown(user, 'reply-counter') is None


async def test_a_refusal_goes_when_the_text_changes(user: User) -> None:
    await start_chat(user)
    find(user, 'send').click()
    await user.should_see('Type a message before sending.')
    find(user, 'reply').type('h')
    await user.should_not_see('Type a message before sending.')


async def test_the_agent_reply_box_keeps_an_overlong_text_too(create_user) -> None:
    create_agent('ann', 'Ann Agent')
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer)
    pasted = 'q' * (MAX_MESSAGE_LENGTH + 1)
    retype(agent, 'agent-reply', pasted)
    assert 'maxlength' not in elements(agent, 'agent-reply')[0].props
    assert shown(agent, 'agent-reply-counter') == f'{MAX_MESSAGE_LENGTH + 1} / {MAX_MESSAGE_LENGTH}'
    find(agent, 'agent-send').click()
    await agent.should_see(TOO_LONG)
    assert value(agent, 'agent-reply') == pasted and texts(agent, 'agent') == []
    retype(agent, 'agent-reply', 'Short and sent')
    await agent.should_not_see(TOO_LONG)
    find(agent, 'agent-send').click()
    await customer.should_see('Short and sent')


async def test_a_draft_left_unsent_comes_back_marked_and_is_forgotten_once_sent(user: User) -> None:
    await start_chat(user)
    sent = capture_js(user)
    draft = next(e for e in user.client.layout.descendants() if isinstance(e, UnsentDraft))
    assert draft.props['target'] == elements(user, 'reply')[0].html_id
    UserInteraction(user, {draft}, None).trigger('restored', {'text': 'Typed while offline'})
    assert value(user, 'reply') == 'Typed while offline'
    await user.should_see(UNSENT_TEXT)
    find(user, 'send').click()
    await wait_texts(user, 'customer', ['Typed while offline'])
    await user.should_not_see(UNSENT_TEXT)
    assert await calls(sent, 'forget')

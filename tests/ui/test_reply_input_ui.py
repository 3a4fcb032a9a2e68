"""The reply boxes empty after a send with one small browser call, and keep the text when the send is refused."""

from __future__ import annotations

import asyncio

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.ui.helpers import accepted_chat, capture_js, create_agent, elements, find, start_chat
from ui_common.reply_input import ReplyInput


def reply_box(user: User, testid: str) -> ReplyInput:
    (box,) = elements(user, testid)
    assert isinstance(box, ReplyInput)
    return box


def record_updates(user: User) -> list[ui.element]:
    """The elements whose whole dict the page sends to the browser from now on."""
    assert user.client is not None
    updated: list[ui.element] = []
    outbox = user.client.outbox
    original = outbox.enqueue_update

    def enqueue_update(element: ui.element) -> None:
        updated.append(element)
        original(element)

    outbox.enqueue_update = enqueue_update  # type: ignore[method-assign]
    return updated


async def emptied(box: ReplyInput) -> None:
    for _ in range(100):
        if box.value == '':
            return
        await asyncio.sleep(0.05)
    assert box.value == ''


async def test_the_customer_box_empties_without_sending_the_whole_input(user: User) -> None:
    await start_chat(user)
    box = reply_box(user, 'reply')
    find(user, 'reply').type('Where is my card?')
    sent_js, updated = capture_js(user), record_updates(user)
    find(user, 'send').click()
    await user.should_see('Where is my card?')
    await emptied(box)
    assert box not in updated  # no element update for the box itself
    assert f'const box = getElement({box.id}); if (box) box.inputValue = "";' in sent_js


async def test_a_refused_message_stays_in_the_box(user: User) -> None:
    await start_chat(user)
    box = reply_box(user, 'reply')
    find(user, 'reply').type('z' * 1025)
    find(user, 'send').click()
    await user.should_see('Messages can be at most 1024 characters (1025 typed).')
    assert box.value == 'z' * 1025


@pytest.fixture
def ann() -> None:
    create_agent('ann', 'Ann Agent')


async def test_the_agent_box_empties_the_same_way(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer)
    box = reply_box(agent, 'agent-reply')
    find(agent, 'agent-reply').type('Let me check')
    sent_js, updated = capture_js(agent), record_updates(agent)
    find(agent, 'agent-send').click()
    await customer.should_see('Let me check')
    await emptied(box)
    assert box not in updated
    assert f'const box = getElement({box.id}); if (box) box.inputValue = "";' in sent_js
    find(agent, 'agent-reply').type('And another')  # the next message starts from an empty box
    find(agent, 'agent-send').click()
    await customer.should_see('And another')


async def test_a_line_typed_while_the_previous_one_is_on_its_way_stays_in_the_box(user: User, monkeypatch) -> None:
    """The box empties when a line is sent, not when it is stored: a slow store must not wipe the next line."""
    from backend.services.customer_chat import CustomerChatService

    await start_chat(user)
    box = reply_box(user, 'reply')
    stored = asyncio.Event()
    send = CustomerChatService.send

    async def slow_send(self, session_key, text):  # type: ignore[no-untyped-def]
        await stored.wait()  # the group commit (or Amazon Connect) takes its time
        return await send(self, session_key, text)

    monkeypatch.setattr(CustomerChatService, 'send', slow_send)
    find(user, 'reply').type('First line')
    find(user, 'send').click()
    await emptied(box)  # at once, while the line is still on its way
    find(user, 'reply').type('Second line, not sent yet')
    stored.set()
    await user.should_see('First line')
    await asyncio.sleep(0.2)
    assert box.value == 'Second line, not sent yet'

"""The agent's contact list changes in place: a new unread message badges one row, the rows themselves stay."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing.user_interaction import UserInteraction

from tests.ui.helpers import accepted_chat, choose, create_agent, elements, find, login, start_chat, wait_for
from tests.ui.test_voice_ui import on_call


def rows(agent) -> list:  # type: ignore[no-untyped-def]
    return elements(agent, 'contact-item')


def row_of(agent, name: str):  # type: ignore[no-untyped-def]
    found = [row for row in rows(agent) if any(getattr(e, 'text', None) == name for e in row.descendants())]
    assert len(found) == 1, f'{len(found)} rows for {name!r}'
    return found[0]


def badges(row) -> list:  # type: ignore[no-untyped-def]
    return [e for e in row.descendants() if e.props.get('data-testid') == 'unread']


async def eventually(check, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    assert check()


@pytest.fixture
def ann() -> None:
    create_agent('ann', 'Ann Agent')


@pytest.mark.vce_settings(chat_concurrency=2)
async def test_a_message_badges_its_row_without_rebuilding_the_list(ann, create_user) -> None:
    agent, cara, dan = create_user(), create_user(), create_user()
    await login(agent)
    choose(agent, 'status-select', 'Available')
    await start_chat(dan, name='Dan Other', email='dan@example.com')
    (await wait_for(agent, 'accept')).click()
    await wait_for(agent, 'end-contact')
    await start_chat(cara, name='Cara Customer', email='cara@example.com')
    (await wait_for(agent, 'accept')).click()
    await agent.should_see('cara@example.com')  # Cara's contact is open, Dan's is not
    await eventually(lambda: len(rows(agent)) == 2)
    before = {id(row) for row in rows(agent)}
    cara_row, dan_row = row_of(agent, 'Cara Customer'), row_of(agent, 'Dan Other')
    labels = {id(e) for e in dan_row.descendants()}

    find(dan, 'reply').type('Are you there?')
    find(dan, 'send').click()
    await eventually(lambda: len(badges(dan_row)) == 1)
    assert {id(row) for row in rows(agent)} == before  # the same rows: nothing was rebuilt
    assert labels <= {id(e) for e in dan_row.descendants()}  # Dan's row only gained its badge
    assert not badges(cara_row)

    find(dan, 'reply').type('Hello?')
    find(dan, 'send').click()
    await dan.should_see('Hello?')
    await asyncio.sleep(0.2)
    assert len(badges(dan_row)) == 1  # still one badge after the next message

    UserInteraction(agent, {dan_row}, None).click()
    await agent.should_see('dan@example.com')
    await eventually(lambda: not badges(dan_row))  # opening the contact clears its badge, on the same row
    assert {id(row) for row in rows(agent)} == before


@pytest.mark.vce_settings(chat_concurrency=2)
async def test_rows_follow_the_contacts_state_and_leave_when_cleared(ann, create_user) -> None:
    agent, cara, dan = create_user(), create_user(), create_user()
    await login(agent)
    await agent.should_see('No contacts yet')
    choose(agent, 'status-select', 'Available')
    await start_chat(dan, name='Dan Other', email='dan@example.com')
    (await wait_for(agent, 'accept')).click()
    await wait_for(agent, 'end-contact')
    await start_chat(cara, name='Cara Customer', email='cara@example.com')
    (await wait_for(agent, 'accept')).click()
    await agent.should_see('cara@example.com')
    await eventually(lambda: len(rows(agent)) == 2)
    dan_row = row_of(agent, 'Dan Other')

    find(dan, 'end-chat').click()
    await eventually(lambda: any(getattr(e, 'text', None) == 'After contact work' for e in dan_row.descendants()))
    assert row_of(agent, 'Dan Other') is dan_row

    find(agent, 'end-contact').click()
    await agent.should_see('The agent ended the chat.')
    find(agent, 'clear-contact').click()
    await agent.should_see('No contact selected')
    await eventually(lambda: len(rows(agent)) == 1)
    assert rows(agent) == [dan_row]


def row_texts(row) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in row.descendants() if getattr(e, 'text', '')]


async def test_a_chat_row_says_chat_in_words(ann, create_user) -> None:
    agent, cara = create_user(), create_user()
    await accepted_chat(agent, cara)
    await eventually(lambda: len(rows(agent)) == 1)
    assert row_texts(row_of(agent, 'Cara Customer')) == ['Cara Customer', 'Chat', '·', 'Connected']


async def test_an_ended_phone_call_row_says_call_in_words(create_user) -> None:
    """After End call the caller may chat too: two rows of one name, told apart by their words, not only icons."""
    agent, caller = create_user(), create_user()
    await on_call(agent, caller)  # creates ann
    find(agent, 'end-call').click()
    await agent.should_see('After contact work')
    await eventually(lambda: len(rows(agent)) == 1)
    assert row_texts(row_of(agent, 'Vic Caller')) == ['Vic Caller', 'Call', '·', 'After contact work']

"""The Join button keeps the customer's name as typed and on one line: Quasar upper-cased it and wrapped it."""

from __future__ import annotations

from nicegui import ui

from tests.ui.helpers import accepted_chat, create_agent, find, wait_for

LONG_NAME = 'Maria-José de la Cruz McAllister-Ó Briain van der Berg'  # mixed case, longer than the button


async def test_the_join_button_shows_the_name_as_typed_and_whole_on_one_line(create_user) -> None:
    create_agent('ann', 'Ann Agent')
    agent, customer = create_user(), create_user()
    await accepted_chat(agent, customer, name=LONG_NAME)
    find(agent, 'start-video').click()
    (await wait_for(customer, 'join-video')).click()
    await wait_for(customer, 'join-meeting')
    text = f'Join meeting as {LONG_NAME}'
    button = find(customer, 'join-meeting').elements.pop()
    assert 'no-caps' in button.props, 'the name keeps its capitals'
    assert 'no-wrap' in button.props, 'the label stays on one line'
    assert button.props['aria-label'] == text, 'a screen reader reads the whole name'
    label = find(customer, 'join-meeting-label').elements.pop()
    assert label.text == text
    assert 'ellipsis' in label.classes, 'a long name ends in an ellipsis instead of wrapping'
    tooltips = [e for e in button.descendants() if isinstance(e, ui.tooltip)]
    assert [t.text for t in tooltips] == [text], 'the whole name shows on hover'

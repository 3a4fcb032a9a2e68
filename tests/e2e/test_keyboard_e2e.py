"""Keyboard only: the main journey (start a chat, accept, start video, join, end) with Tab, typing and Enter.

Every control on the way must be reachable with Tab (in at most TAB_LIMIT presses from wherever focus is) and work
with the keyboard; no mouse click is used. Runs only in a loopback-only network namespace (the call is WebRTC):

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_keyboard_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, DEMO_USER, LiveServer, Pages
from tests.e2e.test_video_e2e import AGENT_ENDED_TEXT, CUSTOMER_ENDED_TEXT, ONLY_LOOPBACK, expect_call_message

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not ONLY_LOOPBACK, reason='WebRTC e2e needs a loopback-only network namespace'),
]

TAB_LIMIT = 40
FOCUSED_TESTID = """() => {
    const el = document.activeElement;
    const marked = el && el.closest('[data-testid]');
    return marked ? marked.dataset.testid : null;
}"""


def focused(page: Page) -> str | None:
    return page.evaluate(FOCUSED_TESTID)


def tab_to(page: Page, testid: str) -> None:
    """Press Tab until ``testid`` has the focus (it must be reachable without a mouse)."""
    expect(page.get_by_test_id(testid)).to_be_visible()
    seen = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press('Tab')
        now = focused(page)
        if now == testid:
            return
        seen.append(now)
    pytest.fail(f'{testid} not reached with {TAB_LIMIT} presses of Tab; focus went through {seen}')


def press_on(page: Page, testid: str, key: str = 'Enter') -> None:
    tab_to(page, testid)
    page.keyboard.press(key)


def type_into(page: Page, testid: str, text: str) -> None:
    tab_to(page, testid)
    page.keyboard.type(text)


def choose_option(page: Page, name: str) -> None:
    """In an open Quasar select menu: arrow down to ``name`` and choose it with Enter."""
    expect(page.get_by_role('option', name=name, exact=True)).to_be_visible()
    highlighted = page.locator('.q-menu .q-item.q-manual-focusable--focused')
    for _ in range(8):
        page.keyboard.press('ArrowDown')
        if highlighted.count() and highlighted.inner_text().strip() == name:
            page.keyboard.press('Enter')
            return
    pytest.fail(f'option {name!r} not reached with the arrow keys')


def test_the_main_journey_with_the_keyboard_alone(server: LiveServer, pages: Pages) -> None:
    base = server.base_url
    agent = pages.new(label='agent')
    agent.goto(f'{base}/agent/login')
    type_into(agent, 'username', DEMO_USER)
    type_into(agent, 'password', DEMO_PASSWORD)
    agent.keyboard.press('Enter')
    agent.wait_for_url(f'{base}/agent')
    expect(agent.get_by_test_id('agent-status')).to_be_visible()
    # a dialog takes the focus while open and gives it back to the button that opened it
    press_on(agent, 'create-adhoc')
    expect(agent.get_by_test_id('adhoc-email')).to_be_visible()
    agent.wait_for_function(f'() => ({FOCUSED_TESTID})() === "adhoc-email"')
    agent.keyboard.type('kay@example.com')
    agent.keyboard.press('Escape')
    expect(agent.get_by_test_id('adhoc-email')).to_be_hidden()
    agent.wait_for_function(f'() => ({FOCUSED_TESTID})() === "create-adhoc"')
    press_on(agent, 'status-select')  # Enter opens the menu; the arrows move, Enter chooses
    choose_option(agent, 'Available')
    expect(agent.get_by_test_id('agent-status')).to_have_text('Available')

    customer = pages.new(label='customer')
    customer.goto(f'{base}/')
    press_on(customer, 'launcher')
    type_into(customer, 'name', 'Kay Board')
    type_into(customer, 'email', 'kay@example.com')
    press_on(customer, 'start-chat')
    type_into(customer, 'reply', 'Hello from the keyboard')
    customer.keyboard.press('Enter')
    expect(customer.get_by_test_id('reply')).to_have_value('')

    expect(agent.get_by_test_id('offer-name')).to_have_text('Kay Board')
    press_on(agent, 'accept')
    expect(agent.get_by_test_id('customer-name')).to_have_text('Kay Board')
    expect(agent.get_by_test_id('chat-customer').filter(has_text='Hello from the keyboard')).to_be_visible()
    type_into(agent, 'agent-reply', 'Hi Kay')
    agent.keyboard.press('Enter')
    expect(customer.get_by_test_id('chat-agent').filter(has_text='Hi Kay')).to_be_visible()

    press_on(agent, 'start-video')
    press_on(agent, 'join-meeting')
    expect(agent.get_by_test_id('leave')).to_be_visible()
    press_on(customer, 'join-video')
    press_on(customer, 'join-meeting')
    expect(customer.get_by_test_id('leave')).to_be_visible()
    press_on(customer, 'camera', 'Space')
    expect(customer.get_by_test_id('camera')).not_to_contain_text('videocam_off')

    press_on(agent, 'end-for-all')
    expect_call_message(agent, AGENT_ENDED_TEXT)
    expect_call_message(customer, CUSTOMER_ENDED_TEXT)
    press_on(customer, 'end-chat')
    expect(customer.get_by_test_id('chat-status')).to_have_text('This chat has ended')
    press_on(agent, 'clear-contact')
    expect(agent.get_by_test_id('contact-state')).to_have_count(0)

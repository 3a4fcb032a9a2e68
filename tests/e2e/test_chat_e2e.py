"""Customer and agent chatting through real Chromium tabs against a real ``vce demo`` process."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import (
    DEMO_USER,
    LiveServer,
    Pages,
    accept_offer,
    agent_send,
    customer_send,
    expect_tappable,
    login_agent,
    screenshot,
    set_status,
    start_customer_chat,
)

pytestmark = pytest.mark.e2e

GREETING = 'Welcome to our video contact centre.'
QUEUE_TEXT = 'You are number 1 in the queue'
AGENT_NAME = 'Demo Agent'
HTML_NAME = '<b>Bold</b> <img src=x onerror=window.__xss=1>'
HTML_MESSAGE = 'Look: <b>Bold</b> <img src=x onerror=window.__xss=1>'
HTML_REPLY = 'Agent says <b>Bold</b> <img src=x onerror=window.__xss=1>'
RECOVERY_SECONDS = 25
TYPING_DELAY_MS = 125  # per key: about 2.5 s for a short sentence, longer than the 2 s typing throttle


def transcript(page: Page) -> Locator:
    return page.get_by_test_id('transcript')


def expect_in_transcript(page: Page, *texts: str, timeout: float | None = None) -> None:
    for text in texts:
        expect(transcript(page).get_by_text(text, exact=False)).to_be_visible(timeout=timeout)


def expect_no_markup(page: Page) -> None:
    """Nothing typed by a person turned into an element, and no injected handler ran."""
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(transcript(page).locator('b')).to_have_count(0)
    assert page.evaluate('typeof window.__xss') == 'undefined'


def open_agent(pages: Pages, server: LiveServer, status: str = 'Available') -> Page:
    agent = pages.new(label='agent')
    login_agent(agent, server.base_url)
    set_status(agent, status)
    return agent


def connect(pages: Pages, server: LiveServer, agent: Page, name: str, email: str) -> Page:
    customer = pages.new(label=f'customer {name}')
    start_customer_chat(customer, server.base_url, name, email)
    accept_offer(agent, name)
    expect_in_transcript(customer, f'{AGENT_NAME} joined the chat.')
    return customer


def test_full_chat_between_customer_and_agent(server: LiveServer, pages: Pages) -> None:
    base = server.base_url
    agent = pages.new(label='agent')
    agent.goto(f'{base}/agent')
    expect(agent).to_have_url(re.compile(r'/agent/login'))
    agent.get_by_test_id('username').fill(DEMO_USER)
    screenshot(agent, 'agent-login.png')
    agent.get_by_test_id('password').fill('wrong-password')
    agent.get_by_test_id('login').click()
    expect(agent.get_by_test_id('login-error')).to_have_text('Wrong username or password.')
    login_agent(agent, base)
    expect(agent.get_by_test_id('agent-name')).to_have_text(AGENT_NAME)
    set_status(agent, 'Available')

    customer = pages.new(label='customer')
    customer.goto(f'{base}/')
    expect(customer.get_by_test_id('chat-window')).to_be_hidden()
    customer.get_by_test_id('launcher').click()
    customer.get_by_test_id('name').fill('Ann Lee')
    customer.get_by_test_id('email').fill('Ann@Example.COM')
    customer.get_by_test_id('start-chat').click()
    expect(customer.get_by_test_id('chat-system').filter(has_text=GREETING)).to_have_text(
        re.compile(r'Hi Ann Lee! Welcome to our video contact centre\.'))
    expect(customer.get_by_test_id('chat-system').filter(has_text=QUEUE_TEXT)).to_be_visible()

    expect(agent.get_by_test_id('offer')).to_be_visible()
    expect(agent.get_by_test_id('offer-name')).to_have_text('Ann Lee')
    agent.get_by_test_id('accept').click()
    expect(agent.get_by_test_id('offer')).to_be_hidden()
    expect(agent.get_by_test_id('customer-name')).to_have_text('Ann Lee')
    expect(agent.get_by_test_id('customer-email')).to_have_text('Ann@example.com')
    expect(agent.get_by_test_id('contact-state')).to_have_text('Connected')
    expect(agent.get_by_test_id('chat-system').filter(has_text='Hi Ann Lee!')).to_be_visible()
    expect(customer.get_by_test_id('chat-event').filter(has_text=f'{AGENT_NAME} joined the chat.')).to_be_visible()
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')

    customer_send(customer, 'Hello, I need help with my card.')
    expect(agent.get_by_test_id('chat-customer').filter(has_text='Hello, I need help with my card.')).to_be_visible()
    agent_send(agent, 'Hi Ann, I can help with that. Which card is it?')
    expect(customer.get_by_test_id('chat-agent').filter(has_text='Which card is it?')).to_be_visible()

    # typing indicator: the agent sees it while the customer types (without sending), and it goes away again.
    # "is typing" goes out at most every TYPING_INTERVAL_SECONDS, so type for longer than that.
    expect(agent.get_by_test_id('typing')).to_be_hidden()
    customer.get_by_test_id('reply').press_sequentially('The debit card ending', delay=TYPING_DELAY_MS)
    expect(agent.get_by_test_id('typing')).to_be_visible()
    expect(agent.get_by_test_id('typing')).to_have_text('Customer is typing…')
    customer.get_by_test_id('reply').press_sequentially(' in 1234', delay=60)
    customer.get_by_test_id('send').click()
    expect(agent.get_by_test_id('chat-customer').filter(has_text='The debit card ending in 1234')).to_be_visible()
    expect(agent.get_by_test_id('typing')).to_be_hidden()  # a message from the typist hides the indicator
    # ... and the other way round
    expect(customer.get_by_test_id('typing')).to_be_hidden()
    agent.get_by_test_id('agent-reply').press_sequentially('Thanks, let me look', delay=TYPING_DELAY_MS)
    expect(customer.get_by_test_id('typing')).to_be_visible()
    expect(customer.get_by_test_id('typing')).to_have_text('Agent is typing…')
    agent.get_by_test_id('agent-send').click()
    expect(customer.get_by_test_id('chat-agent').filter(has_text='Thanks, let me look')).to_be_visible()
    expect(customer.get_by_test_id('typing')).to_be_hidden()

    for page in (customer, agent):  # scroll as a person would: the newest message can be below the fold (see
        transcript(page).hover()    # test_transcript_scrolls_to_the_newest_message)
        page.mouse.wheel(0, 2000)
    screenshot(customer, 'customer-chat.png')
    screenshot(agent, 'agent-desktop.png')

    # HTML typed by either side is shown as text on both sides, and nothing runs
    customer_send(customer, HTML_MESSAGE)
    agent_send(agent, HTML_REPLY)
    for page in (customer, agent):
        expect(page.get_by_test_id('chat-customer').filter(has_text=HTML_MESSAGE)).to_be_visible()
        expect(page.get_by_test_id('chat-agent').filter(has_text=HTML_REPLY)).to_be_visible()
    # ... and so is HTML typed as a customer's name (a second chat, offered while the first is open)
    other = pages.new(label='html customer')
    start_customer_chat(other, base, HTML_NAME, 'html@example.com')
    expect(other.get_by_test_id('chat-system').filter(has_text=f'Hi {HTML_NAME}! {GREETING}')).to_be_visible()
    accept_offer(agent, HTML_NAME)  # offer-name and customer-name are checked as exact text
    expect(agent.get_by_test_id('chat-system').filter(has_text=f'Hi {HTML_NAME}!')).to_be_visible()
    expect(agent.get_by_test_id('contact-item').filter(has_text=HTML_NAME)).to_be_visible()
    customer_send(other, 'Hi')
    bubble = agent.get_by_test_id('chat-customer')
    expect(bubble).to_have_count(1)
    expect(bubble).to_contain_text(HTML_NAME)  # the sender's name on the bubble, as text
    for page in (customer, agent, other):
        expect_no_markup(page)

    # back to Ann: her new message is flagged unread while the agent looks at the other contact
    customer_send(customer, 'Are you still there?')
    ann_item = agent.get_by_test_id('contact-item').filter(has_text='Ann Lee')
    expect(ann_item.get_by_test_id('unread')).to_be_visible()
    ann_item.click()
    expect(agent.get_by_test_id('customer-name')).to_have_text('Ann Lee')
    expect(ann_item.get_by_test_id('unread')).to_have_count(0)
    expect_in_transcript(agent, 'Are you still there?', 'Which card is it?', HTML_MESSAGE)

    # the agent ends the chat: the customer is told and can no longer type; the agent does after-contact work
    agent.get_by_test_id('end-contact').click()
    expect(customer.get_by_test_id('chat-event').filter(has_text='The agent ended the chat.')).to_be_visible()
    expect(customer.get_by_test_id('reply')).to_be_hidden()
    expect(customer.get_by_test_id('send')).to_be_hidden()
    expect(customer.get_by_test_id('chat-status')).to_have_text('This chat has ended')
    expect(customer.get_by_test_id('new-chat')).to_be_visible()
    expect(agent.get_by_test_id('contact-state')).to_have_text('After contact work')
    expect(ann_item).to_contain_text('After contact work')
    expect(agent.get_by_test_id('agent-reply')).to_be_hidden()
    agent.get_by_test_id('clear-contact').click()
    expect(agent).to_have_url(f'{base}/agent')
    expect(ann_item).to_have_count(0)
    expect(agent.get_by_test_id('contact-item')).to_have_count(1)  # only the other customer is left
    expect_no_markup(agent)


def test_customer_reload_resumes_chat(server: LiveServer, pages: Pages) -> None:
    agent = open_agent(pages, server)
    customer = connect(pages, server, agent, 'Bob Stone', 'bob@example.com')
    sent = ['First question', 'Second question']
    customer_send(customer, sent[0])
    expect_in_transcript(agent, sent[0])
    agent_send(agent, 'First answer')
    customer_send(customer, sent[1])
    expect_in_transcript(agent, sent[1])
    agent_send(agent, 'Second answer')
    expected = [*sent, 'First answer', 'Second answer', f'{AGENT_NAME} joined the chat.', 'Hi Bob Stone!']
    expect_in_transcript(customer, *expected)
    bubbles_before = customer.get_by_test_id('transcript').locator('[data-testid^=chat-]').all_inner_texts()

    customer.reload()
    expect(customer.get_by_test_id('chat-window')).to_be_visible()
    expect(customer.get_by_test_id('start-chat')).to_have_count(0)  # straight back into the chat, no form
    expect_in_transcript(customer, *expected)
    bubbles = customer.get_by_test_id('transcript').locator('[data-testid^=chat-]')
    expect(bubbles).to_have_count(len(bubbles_before))
    assert bubbles.all_inner_texts() == bubbles_before  # same messages, same order, no duplicates
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')

    customer_send(customer, 'Sent after the reload')
    expect(agent.get_by_test_id('chat-customer').filter(has_text='Sent after the reload')).to_be_visible()
    agent_send(agent, 'Received after the reload')
    expect(customer.get_by_test_id('chat-agent').filter(has_text='Received after the reload')).to_be_visible()
    expect(customer.get_by_test_id('chat-customer')).to_have_count(3)  # each message exactly once


def test_mobile_width_customer_chat(server: LiveServer, pages: Pages) -> None:
    width, height = 390, 844
    customer = pages.new(label='mobile customer', viewport={'width': width, 'height': height}, is_mobile=True,
                         has_touch=True, device_scale_factor=2)
    customer.goto(f'{server.base_url}/')
    launcher = customer.get_by_test_id('launcher')
    expect(launcher).to_be_visible()
    box = launcher.bounding_box()
    assert box is not None and box['x'] >= 0 and box['x'] + box['width'] <= width and box['y'] + box['height'] <= height
    expect_tappable(customer, 'launcher')
    launcher.tap()
    expect(customer.get_by_test_id('chat-window')).to_be_visible()
    customer.get_by_test_id('name').fill('Mia Park')
    customer.get_by_test_id('email').fill('mia@example.com')
    for testid in ('name', 'email', 'start-chat'):
        expect_tappable(customer, testid)
    customer.get_by_test_id('start-chat').tap()
    expect(customer.get_by_test_id('chat-system').filter(has_text='Hi Mia Park!')).to_be_visible()
    expect(customer.get_by_test_id('chat-system').filter(has_text=QUEUE_TEXT)).to_be_visible()
    expect(customer.get_by_test_id('chat-status')).to_have_text('Connecting you to an agent…')
    for testid in ('reply', 'send', 'end-chat'):
        expect_tappable(customer, testid)
    customer.get_by_test_id('reply').tap()
    customer.get_by_test_id('reply').fill('Typed on a phone')
    customer.get_by_test_id('send').tap()
    expect(customer.get_by_test_id('chat-customer').filter(has_text='Typed on a phone')).to_be_visible()

    for testid in ('chat-window', 'transcript', 'reply', 'send', 'end-chat'):
        box = customer.get_by_test_id(testid).bounding_box()
        assert box is not None, testid
        assert box['x'] >= 0 and box['x'] + box['width'] <= width, (testid, box)
        assert box['y'] >= 0 and box['y'] + box['height'] <= height, (testid, box)
    assert customer.evaluate('document.documentElement.scrollWidth') <= width  # no sideways scrolling
    screenshot(customer, 'customer-mobile.png')


def test_transcript_scrolls_to_the_newest_message(server: LiveServer, pages: Pages) -> None:
    customer = pages.new(label='customer')
    start_customer_chat(customer, server.base_url, 'Sam Scroll', 'sam@example.com')
    expect(customer.get_by_test_id('chat-system').filter(has_text=QUEUE_TEXT)).to_be_visible()
    for number in range(1, 5):  # well past the transcript's height; every single message must come into view
        customer_send(customer, f'Message number {number}')
        expect(customer.get_by_test_id('chat-customer').filter(has_text=f'Message number {number}')).to_be_visible()
        customer.wait_for_function("""() => {
            const area = document.querySelector('[data-testid=transcript]').getBoundingClientRect();
            const bubbles = document.querySelectorAll('[data-testid=transcript] [data-testid^=chat-]');
            const last = bubbles[bubbles.length - 1].getBoundingClientRect();
            return last.top >= area.top - 1 && last.bottom <= area.bottom + 1;
        }""", timeout=2000)


@pytest.mark.vce_env(CHAT_CONCURRENCY=3)
def test_kill_9_mid_chat_and_restart(server: LiveServer, pages: Pages) -> None:
    agent = open_agent(pages, server)
    customer = connect(pages, server, agent, 'Kim Rivers', 'kim@example.com')
    customer_send(customer, 'Before the crash, from Kim')
    expect_in_transcript(agent, 'Before the crash, from Kim')
    agent_send(agent, 'Before the crash, from the agent')
    expect_in_transcript(customer, 'Before the crash, from the agent')
    agent_url = agent.url
    shown = ['Hi Kim Rivers!', f'{AGENT_NAME} joined the chat.', 'Before the crash, from Kim',
             'Before the crash, from the agent']
    # mark the documents: if a tab comes back, it is because it reloaded itself, not because we navigated it
    for page in (agent, customer):
        page.evaluate('window.__before_crash = true')

    server.kill9()
    server.start()

    for page in (agent, customer):
        page.wait_for_function('window.__before_crash === undefined', timeout=RECOVERY_SECONDS * 1000)
        expect_in_transcript(page, *shown, timeout=RECOVERY_SECONDS * 1000)
    assert agent.url == agent_url
    expect(agent.get_by_test_id('customer-name')).to_have_text('Kim Rivers')
    expect(agent.get_by_test_id('contact-state')).to_have_text('Connected')
    expect(agent.get_by_test_id('agent-status')).to_have_text('Available')
    expect(customer.get_by_test_id('chat-status')).to_have_text('You are chatting with an agent')
    for page in (agent, customer):
        assert len(page.get_by_test_id('transcript').get_by_text('Before the crash, from Kim').all()) == 1

    agent_send(agent, 'After the restart, from the agent')
    expect(customer.get_by_test_id('chat-agent').filter(has_text='After the restart, from the agent')).to_be_visible()
    customer_send(customer, 'After the restart, from Kim')
    expect(agent.get_by_test_id('chat-customer').filter(has_text='After the restart, from Kim')).to_be_visible()

    newcomer = pages.new(label='new customer')
    start_customer_chat(newcomer, server.base_url, 'Leo New', 'leo@example.com')
    accept_offer(agent, 'Leo New')
    expect(newcomer.get_by_test_id('chat-event').filter(has_text=f'{AGENT_NAME} joined the chat.')).to_be_visible()
    expect(agent.get_by_test_id('contact-item')).to_have_count(2)


def test_agent_does_not_see_own_typing_as_customer_typing(server: LiveServer, pages: Pages) -> None:
    agent = open_agent(pages, server)
    customer = connect(pages, server, agent, 'Tia Type', 'tia@example.com')
    agent.get_by_test_id('agent-reply').press_sequentially('One moment please', delay=40)
    expect(customer.get_by_test_id('typing')).to_have_text('Agent is typing…')  # the agent's typing did go out
    expect(customer.get_by_test_id('typing')).to_be_visible()
    expect(agent.get_by_test_id('typing')).to_be_hidden(timeout=1000)
    customer.get_by_test_id('reply').press_sequentially('Sure', delay=40)
    expect(agent.get_by_test_id('typing')).to_be_visible()
    expect(customer.get_by_test_id('typing')).to_be_visible()  # still the agent's indicator, not the customer's own
    expect(customer.get_by_test_id('typing')).to_have_text('Agent is typing…')


def test_second_agent_tab_takes_over(server: LiveServer, pages: Pages) -> None:
    # Both tabs live in one window (same browser context), and Chromium throttles the tab that is not in front,
    # so each step brings the tab it looks at to the front first.
    first = open_agent(pages, server)
    expect(first.get_by_text('Your desktop is open in another tab.')).to_be_hidden()

    second = pages.new(context=first.context, label='second tab')
    second.goto(f'{server.base_url}/agent')
    expect(second.get_by_test_id('agent-status')).to_have_text('Available')  # same login, no second sign-in
    expect(second.get_by_text('Your desktop is open in another tab.')).to_be_hidden()
    first.bring_to_front()
    expect(first.get_by_text('Your desktop is open in another tab.')).to_be_visible()
    expect(first.get_by_test_id('use-here')).to_be_visible()

    # the first tab's actions are refused by the server, even with the dialog forced out of the way
    hide = first.add_style_tag(content='.q-dialog, .q-dialog__backdrop { display: none !important; }')
    first.get_by_test_id('status-select').click()
    first.get_by_role('option', name='Break', exact=True).click()
    time.sleep(0.5)  # give a wrongly accepted change time to arrive
    expect(first.get_by_test_id('agent-status')).to_have_text('Available')
    hide.evaluate('node => node.remove()')
    expect(first.get_by_text('Your desktop is open in another tab.')).to_be_visible()
    second.bring_to_front()
    expect(second.get_by_test_id('agent-status')).to_have_text('Available')

    # the active tab works, and the locked tab still shows what happens
    set_status(second, 'Break')
    first.bring_to_front()
    expect(first.get_by_test_id('agent-status')).to_have_text('Break')

    # "Use this tab" takes the desktop back; now the second tab is the one that is locked out
    first.get_by_test_id('use-here').click()
    expect(first.get_by_text('Your desktop is open in another tab.')).to_be_hidden()
    set_status(first, 'Available')
    second.bring_to_front()
    expect(second.get_by_text('Your desktop is open in another tab.')).to_be_visible()
    expect(second.get_by_test_id('agent-status')).to_have_text('Available')

"""Messages in a real browser: a paste over the limit is kept and explained, never cut and sent; a message typed
while the server is unreachable comes back after the reload, marked as not sent, and goes out when sent again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backend.domain.validation import MAX_MESSAGE_LENGTH
from tests.e2e.conftest import LiveServer, Pages, agent_send, customer_send
from tests.e2e.test_chat_e2e import RECOVERY_SECONDS, connect, expect_in_transcript, open_agent
from ui_common.unsent_draft import UNSENT_TEXT

pytestmark = pytest.mark.e2e

TOO_LONG = f'Messages can be at most {MAX_MESSAGE_LENGTH} characters ({MAX_MESSAGE_LENGTH + 1} typed).'


def test_a_paste_over_the_limit_is_kept_and_not_sent(server: LiveServer, pages: Pages) -> None:
    agent = open_agent(pages, server)
    customer = connect(pages, server, agent, 'Pat Paste', 'pat@example.com')
    pasted = 'x' * (MAX_MESSAGE_LENGTH + 1)
    for page, box, send, error, counter in (
            (customer, 'reply', 'send', 'chat-error', 'reply-counter'),
            (agent, 'agent-reply', 'agent-send', 'agent-error', 'agent-reply-counter')):
        page.get_by_test_id(box).focus()
        page.keyboard.insert_text(pasted)  # what a paste does: one insertion of the whole text
        expect(page.get_by_test_id(box)).to_have_value(pasted)  # not cut to the limit
        expect(page.get_by_test_id(counter)).to_have_text(f'{MAX_MESSAGE_LENGTH + 1} / {MAX_MESSAGE_LENGTH}')
        expect(page.get_by_test_id(error)).to_have_text(TOO_LONG)
        page.get_by_test_id(send).click()
        expect(page.get_by_test_id(error)).to_have_text(TOO_LONG)
        expect(page.get_by_test_id(box)).to_have_value(pasted)
        page.get_by_test_id(box).press('End')
        page.get_by_test_id(box).press('Backspace')  # one character less: allowed, the message goes
        expect(page.get_by_test_id(error)).to_have_text('')
        page.get_by_test_id(send).click()
        expect(page.get_by_test_id(box)).to_have_value('')
        expect(page.get_by_test_id(counter)).to_be_hidden()  # an empty box shows no '0 / 1024'
    for page in (agent, customer):
        expect(page.get_by_test_id('transcript').get_by_text(pasted[:-1], exact=True)).to_have_count(2)
        expect(page.get_by_test_id('transcript').get_by_text(pasted, exact=True)).to_have_count(0)


def test_a_message_typed_while_the_server_is_away_comes_back_marked_unsent(server: LiveServer,
                                                                            pages: Pages) -> None:
    agent = open_agent(pages, server)
    customer = connect(pages, server, agent, 'Oli Offline', 'oli@example.com')
    customer_send(customer, 'Before the outage')
    expect_in_transcript(agent, 'Before the outage')
    customer.evaluate('window.__before_outage = true')

    server.kill9()
    customer.get_by_test_id('reply').press_sequentially('Typed while the server was away')
    customer.get_by_test_id('send').click()
    server.start()

    customer.wait_for_function('window.__before_outage === undefined', timeout=RECOVERY_SECONDS * 1000)
    expect(customer.get_by_test_id('reply')).to_have_value('Typed while the server was away',
                                                           timeout=RECOVERY_SECONDS * 1000)
    expect(customer.get_by_test_id('chat-error')).to_have_text(UNSENT_TEXT)
    expect_in_transcript(customer, 'Before the outage')
    customer.get_by_test_id('send').click()
    expect(customer.get_by_test_id('reply')).to_have_value('')
    expect(customer.get_by_test_id('chat-error')).to_have_text('')
    expect_in_transcript(agent, 'Typed while the server was away', timeout=RECOVERY_SECONDS * 1000)
    agent_send(agent, 'Got it')
    expect_in_transcript(customer, 'Got it')

    customer.reload()  # sent: the draft is gone for good
    expect_in_transcript(customer, 'Got it')
    expect(customer.get_by_test_id('reply')).to_have_value('')
    expect(customer.get_by_test_id('chat-error')).to_have_text('')

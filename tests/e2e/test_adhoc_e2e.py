"""The browser-only parts of the ad-hoc invitation in real Chromium: the expiry in the agent's own time zone, the
clipboard, and the customer page reading the link's fragment and removing it from the address bar."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DESKTOP_VIEWPORT, LiveServer, Pages, login_agent

pytestmark = pytest.mark.e2e

AGENT_ZONE = 'Asia/Kolkata'  # UTC+05:30 all year: a clock time in UTC or the server's zone cannot match by chance
AGENT_OFFSET = timezone(timedelta(hours=5, minutes=30))
VALIDATED_TEXT = 'Your Reference has been validated, we are connecting you to your agent.'


def test_invitation_from_the_agents_dialog_to_the_customers_prefilled_form(server: LiveServer, pages: Pages,
                                                                          browser: Browser) -> None:
    context = browser.new_context(viewport=DESKTOP_VIEWPORT, timezone_id=AGENT_ZONE, locale='en-GB',
                                  permissions=['clipboard-read', 'clipboard-write'])
    pages.contexts.append(context)
    agent = pages.new(context=context, label='agent')
    login_agent(agent, server.base_url)

    agent.get_by_test_id('create-adhoc').click()
    agent.get_by_test_id('adhoc-email').fill('cara+video@example.com')
    before = time.time()
    agent.get_by_test_id('adhoc-create').click()
    expect(agent.get_by_test_id('adhoc-reference')).to_have_text(re.compile(r'^\d{4} \d{4}$'))
    after = time.time()
    expected = {datetime.fromtimestamp(t + 15 * 60, AGENT_OFFSET).strftime('%H:%M') for t in (before, after)}
    until = agent.get_by_test_id('adhoc-until').inner_text()
    assert until in expected, f'{until!r} is not the expiry in {AGENT_ZONE} ({expected})'
    assert until != datetime.fromtimestamp(before + 15 * 60, UTC).strftime('%H:%M'), 'not the server\'s UTC'

    link = agent.get_by_test_id('adhoc-link').inner_text()
    assert link.startswith(f'{server.base_url}/#ref=') and link.endswith('&email=cara%2Bvideo%40example.com')
    agent.get_by_test_id('adhoc-copy').click()
    expect(agent.get_by_test_id('adhoc-copy')).to_contain_text('Copied')
    assert agent.evaluate('navigator.clipboard.readText()') == link

    customer = pages.new(label='customer')
    customer.goto(link)
    expect(customer.get_by_test_id('reference-input')).to_have_value(link.split('ref=')[1][:8])
    expect(customer.get_by_test_id('email')).to_have_value('cara+video@example.com')
    expect(customer.get_by_test_id('name')).to_have_value('')
    customer.wait_for_function('window.location.hash === ""')
    assert customer.url == f'{server.base_url}/'
    customer.get_by_test_id('name').fill('Cara')
    customer.get_by_test_id('start-chat').click()
    expect(customer.get_by_test_id('transcript').get_by_text(VALIDATED_TEXT)).to_be_visible()


def test_a_garbled_link_leaves_the_page_as_it_was(server: LiveServer, pages: Pages) -> None:
    customer: Page = pages.new(label='customer')
    customer.goto(f'{server.base_url}/#ref=12&email=cara%40example.com')
    customer.wait_for_function('window.location.hash === ""')
    expect(customer.get_by_test_id('launcher')).to_be_visible()
    expect(customer.get_by_test_id('chat-window')).to_be_hidden()

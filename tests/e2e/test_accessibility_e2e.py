"""WCAG 2.2 AA on every page and state, checked with axe-core: 0 serious or critical violations.

Website, chat, phone page, login, desktop, offer, contact, ad-hoc dialog here; the call states need WebRTC and run
only in the loopback network namespace, like the other video tests:

    unshare -n sh -c 'ip link set lo up && \
        .venv/bin/pytest tests/e2e/test_accessibility_e2e.py -m e2e -q -p no:cacheprovider'
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import LiveServer, Pages, customer_send, login_agent, set_status, start_customer_chat
from tests.e2e.test_video_e2e import (
    ONLY_LOOPBACK,
    agent_join,
    customer_join,
    expect_both_in_call,
    open_chat,
    start_video,
)

pytestmark = pytest.mark.e2e

PHONE_VIEWPORT = {'width': 390, 'height': 844}


class Findings:
    """Collects the serious findings of every state, so one run reports all of them at once."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, page: Page, state: str) -> None:
        page.wait_for_timeout(300)  # let Quasar's transitions finish: axe reads colours as drawn
        self.lines.extend(serious_violations(page, state))

    def assert_none(self) -> None:
        assert not self.lines, 'serious or critical accessibility violations:\n' + '\n'.join(self.lines)


def dark_mode(agent: Page) -> None:
    agent.get_by_test_id('dark-mode').click()
    agent.wait_for_function('() => document.body.classList.contains("body--dark")')


def test_pages_without_a_call_have_no_serious_violations(server: LiveServer, pages: Pages) -> None:
    findings = Findings()
    base = server.base_url
    customer = pages.new(label='customer')
    customer.goto(f'{base}/')
    expect(customer.get_by_test_id('launcher')).to_be_visible()
    findings.check(customer, 'website')
    customer.get_by_test_id('launcher').click()
    expect(customer.get_by_test_id('start-chat')).to_be_visible()
    findings.check(customer, 'chat start form')

    phone = pages.new(label='phone', viewport=PHONE_VIEWPORT)  # type: ignore[arg-type]
    phone.goto(f'{base}/call')
    expect(phone.get_by_test_id('call')).to_be_visible()
    findings.check(phone, 'phone page')
    phone.goto(f'{base}/')
    findings.check(phone, 'website at phone width')

    agent = pages.new(label='agent')
    agent.goto(f'{base}/agent/login')
    expect(agent.get_by_test_id('login')).to_be_visible()
    findings.check(agent, 'login')
    login_agent(agent, base)
    findings.check(agent, 'desktop')
    set_status(agent, 'Available')
    start_customer_chat(customer, base, 'Ann Lee', 'ann@example.com')
    findings.check(customer, 'chat waiting')
    expect(agent.get_by_test_id('offer-name')).to_have_text('Ann Lee')
    findings.check(agent, 'offer')
    agent.get_by_test_id('accept').click()
    expect(agent.get_by_test_id('customer-name')).to_have_text('Ann Lee')
    customer_send(customer, 'Hello')
    findings.check(customer, 'chat')
    findings.check(agent, 'contact')
    agent.get_by_test_id('create-adhoc').click()
    expect(agent.get_by_test_id('adhoc-email')).to_be_visible()
    findings.check(agent, 'ad-hoc dialog')
    agent.get_by_test_id('adhoc-email').fill('cara@example.com')
    agent.get_by_test_id('adhoc-create').click()
    expect(agent.get_by_test_id('adhoc-link')).to_be_visible()
    findings.check(agent, 'ad-hoc dialog with link')
    agent.keyboard.press('Escape')
    expect(agent.get_by_test_id('adhoc-link')).to_be_hidden()
    dark_mode(agent)
    findings.check(agent, 'contact in dark mode')
    findings.assert_none()


@pytest.mark.skipif(not ONLY_LOOPBACK, reason='WebRTC e2e needs a loopback-only network namespace')
def test_call_states_have_no_serious_violations(server: LiveServer, pages: Pages) -> None:
    findings = Findings()
    agent, customer = open_chat(pages, server)
    start_video(agent, customer)
    findings.check(agent, 'agent device setup')
    findings.check(customer, 'customer video invitation')
    agent_join(agent)
    customer_join(customer)
    expect_both_in_call(agent, customer)
    findings.check(agent, 'agent in call')
    dark_mode(agent)
    findings.check(agent, 'agent in call in dark mode')
    findings.check(customer, 'customer in call')
    agent.get_by_test_id('end-for-all').click()
    expect(agent.get_by_test_id('leave')).to_be_hidden()
    findings.check(agent, 'agent after the call')
    findings.check(customer, 'customer after the call')
    findings.assert_none()

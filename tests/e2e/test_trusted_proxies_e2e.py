"""Forwarded headers on a real server (issue 10, point 3): a client on 127.0.0.1 that rotates ``X-Forwarded-For`` stays
one client for every per-client limit, unless 127.0.0.1 is a configured proxy (``VCE_TRUSTED_PROXIES``); then the
header's last hop is the client. The limits observed: the agent login's per-network lock and the ad-hoc reference
redemption's per-network budget. Every request goes to 127.0.0.1; the counts are small and fixed."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD, DEMO_USER, DESKTOP_VIEWPORT, LiveServer, Pages

pytestmark = pytest.mark.e2e

LOGIN_FAILURES = 5  # VCE_LOGIN_FAILURES_PER_ACCOUNT_AND_NETWORK's default
LOCKED = 'Too many failed logins from your network. Try again in 15 minutes.'
REDEEM_LIMIT = 2
REFERENCE_REFUSED = 'Too many reference attempts from your network.'
INVALID_REFERENCE = 'Unfortunately, the Reference you have provided is not valid'
_addresses = count(1)


def forged_addresses() -> Iterator[str]:
    """A new client address for every request: what an attacker writes into X-Forwarded-For."""
    while True:
        n = next(_addresses)
        yield f'198.18.{n // 250}.{n % 250 + 1}'


def page_from(browser: Browser, pages: Pages, forwarded_for: str) -> Page:
    context = browser.new_context(viewport=DESKTOP_VIEWPORT, extra_http_headers={'X-Forwarded-For': forwarded_for})
    pages.contexts.append(context)
    return pages.new(context=context, label=f'client {forwarded_for}')


def try_login(page: Page, base: str, password: str) -> None:
    page.goto(f'{base}/agent/login')
    page.get_by_test_id('username').fill(DEMO_USER)
    page.get_by_test_id('password').fill(password)
    page.get_by_test_id('login').click()


def fail_logins(browser: Browser, pages: Pages, base: str, addresses: Iterator[str]) -> None:
    for _ in range(LOGIN_FAILURES):
        page = page_from(browser, pages, next(addresses))
        try_login(page, base, 'not the password')
        expect(page.get_by_test_id('login-error')).to_have_text('Wrong username or password.')
        page.context.close()


def try_reference(page: Page, base: str) -> None:
    page.goto(f'{base}/')
    page.get_by_test_id('launcher').click()
    page.get_by_test_id('name').fill('Mallory')
    page.get_by_test_id('email').fill('mallory@example.com')
    page.get_by_test_id('reference').click()  # the optional section opens
    page.get_by_test_id('reference-input').fill('12345678')
    page.get_by_test_id('start-chat').click()


def test_rotating_forwarded_for_from_loopback_does_not_change_the_client(server: LiveServer, pages: Pages,
                                                                         browser: Browser) -> None:
    forged = forged_addresses()
    fail_logins(browser, pages, server.base_url, forged)
    page = page_from(browser, pages, next(forged))
    try_login(page, server.base_url, DEMO_PASSWORD)  # "another network" by the header: still the same client
    expect(page.get_by_test_id('login-error')).to_have_text(LOCKED)


@pytest.mark.vce_env(REFERENCE_REDEEM_LIMIT=REDEEM_LIMIT)
def test_rotating_forwarded_for_gets_no_fresh_reference_budget(server: LiveServer, pages: Pages,
                                                               browser: Browser) -> None:
    forged = forged_addresses()
    for _ in range(REDEEM_LIMIT):
        page = page_from(browser, pages, next(forged))
        try_reference(page, server.base_url)
        expect(page.get_by_text(INVALID_REFERENCE)).to_be_visible()  # a wrong number, counted
    page = page_from(browser, pages, next(forged))
    try_reference(page, server.base_url)
    expect(page.get_by_test_id('form-error')).to_contain_text(REFERENCE_REFUSED)


@pytest.mark.vce_env(TRUSTED_PROXIES='127.0.0.1')
def test_behind_a_trusted_proxy_the_forwarded_client_counts(server: LiveServer, pages: Pages,
                                                            browser: Browser) -> None:
    attacker = iter(['203.0.113.66'] * (LOGIN_FAILURES + 1))
    fail_logins(browser, pages, server.base_url, attacker)
    page = page_from(browser, pages, next(attacker))
    try_login(page, server.base_url, DEMO_PASSWORD)
    expect(page.get_by_test_id('login-error')).to_have_text(LOCKED)  # the attacker's own network is locked
    # the attacker writes a header of their own; the proxy appends the address it saw: the last hop counts
    forged = page_from(browser, pages, '198.51.100.99, 203.0.113.66')
    try_login(forged, server.base_url, DEMO_PASSWORD)
    expect(forged.get_by_test_id('login-error')).to_have_text(LOCKED)
    agent = page_from(browser, pages, '198.51.100.20')  # the agent, on another network, behind the same proxy
    try_login(agent, server.base_url, DEMO_PASSWORD)
    agent.wait_for_url(f'{server.base_url}/agent')
    expect(agent.get_by_test_id('agent-status')).to_be_visible()

"""Chat-start limits and abandoned chats in real Chromium tabs against a real ``vce demo`` (docs/security/flood.md):
every tab comes from 127.0.0.1, one client network. A real browser's reload and a closed tab are what the
simulated User tests can only imitate."""

from __future__ import annotations

import sqlite3
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, Pages, start_customer_chat

pytestmark = pytest.mark.e2e

GRACE_SECONDS = 3


def contact_state(server: LiveServer, name: str) -> str | None:
    """The newest contact of this customer, as the server's database holds it (read-only, like another process)."""
    with sqlite3.connect(f'file:{server.data_dir / "vce.sqlite3"}?mode=ro', uri=True, timeout=10) as db:
        row = db.execute('SELECT state FROM contacts WHERE customer_name = ? ORDER BY initiated_at DESC LIMIT 1',
                         (name,)).fetchone()
    return row[0] if row else None


def wait_for_state(server: LiveServer, name: str, state: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while contact_state(server, name) != state:
        assert time.monotonic() < deadline, f'{name} is {contact_state(server, name)}, not {state}'
        time.sleep(0.2)


def expect_position(page: Page, position: int) -> None:
    expect(page.get_by_test_id('transcript').get_by_text(f'You are number {position} in the queue',
                                                          exact=False)).to_be_visible()


@pytest.mark.vce_env(CUSTOMER_DISCONNECT_GRACE_SECONDS=GRACE_SECONDS, CHAT_START_LIMIT=3)
def test_a_closed_tab_leaves_the_queue_a_reload_does_not_and_a_flood_is_refused(server: LiveServer,
                                                                                pages: Pages) -> None:
    stays, leaves = pages.new(label='stays'), pages.new(label='leaves')
    start_customer_chat(stays, server.base_url, 'Stan Stays', 'stan@example.com')
    start_customer_chat(leaves, server.base_url, 'Lea Leaves', 'lea@example.com')
    expect_position(leaves, 2)

    stays.reload()  # a new page of the same tab: back within the grace
    expect(stays.get_by_test_id('chat-status')).to_have_text('Connecting you to an agent…')
    leaves.close()  # the tab is gone for good
    wait_for_state(server, 'Lea Leaves', 'ended')
    stays.wait_for_timeout(GRACE_SECONDS * 1000)  # the reloaded tab's old page has been gone longer than the grace
    assert contact_state(server, 'Stan Stays') == 'queued'
    expect(stays.get_by_test_id('start-chat')).to_have_count(0)

    newcomer = pages.new(label='newcomer')
    start_customer_chat(newcomer, server.base_url, 'Nia Newcomer', 'nia@example.com')
    expect_position(newcomer, 2)  # Stan is first; the abandoned chat holds no place

    flood = pages.new(label='flood')  # the network's fourth start within the window (the reload did not count)
    flood.goto(f'{server.base_url}/')
    flood.get_by_test_id('launcher').click()
    flood.get_by_test_id('name').fill('Fred Flood')
    flood.get_by_test_id('email').fill('fred@example.com')
    flood.get_by_test_id('start-chat').click()
    expect(flood.get_by_test_id('form-error')).to_have_text(
        'Too many chat requests from your network. Please try again in 10 minutes.')
    expect(flood.get_by_test_id('reply')).to_have_count(0)
    assert contact_state(server, 'Fred Flood') is None

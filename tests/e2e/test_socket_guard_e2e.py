"""The socket guard on the wire (vce/socket_guard.py): a real ``vce demo`` on 127.0.0.1, driven by the headless NiceGUI
client as an attacker would drive it (its own cookie jar, forged and malformed socket messages). No browser.

The scenarios are coroutines run on their own thread: the package's Playwright fixture may hold this thread's loop.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import socketio

from benchmarks.nicegui_client import Browser, Page
from tests.e2e.conftest import DEMO_PASSWORD, DEMO_USER, LiveServer

SCENARIO_TIMEOUT_SECONDS = 90
SMALL_LIMIT = 32_768


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, asyncio.wait_for(scenario(), SCENARIO_TIMEOUT_SECONDS)).result()


async def agent_desktop(base: str) -> tuple[Browser, Page]:
    browser = Browser(base)
    login = browser.page()
    assert await login.open('/agent') == '/agent/login'
    await login.set_value('username', DEMO_USER)
    await login.set_value('password', DEMO_PASSWORD)
    await login.click('login')
    target = await login.wait_for_navigation(30)
    await login.close()
    desktop = browser.page()
    assert await desktop.open(target.removeprefix(base)) == '/agent'
    await desktop.wait_for(lambda: desktop.text('agent-status') == 'Offline')
    return browser, desktop


async def customer_page(base: str) -> tuple[Browser, Page]:
    browser = Browser(base)
    page = browser.page()
    await page.open('/')
    await page.wait_for_testid('launcher')
    return browser, page


async def round_trip(page: Page) -> None:
    """Everything this tab sent before has been handled: its socket's messages are handled in order."""
    await page.click('launcher')
    await page.wait_for_testid('start-chat', 15, visible=True)


def status_change(desktop: Page, status: str) -> dict[str, Any]:
    """The event the desktop's status select sends when the agent picks ``status``."""
    element_id = desktop.find('status-select')[-1]
    element = desktop.elements[element_id]
    listener = next(e for e in element['events'] if e['type'] in ('update:model-value', 'update:modelValue'))
    option = next(o for o in element['props']['options'] if o['label'] == status)
    return {'id': element_id, 'client_id': desktop.client_id, 'listener_id': listener['listener_id'],
            'args': [json.dumps(option)]}


def log_problems(server: LiveServer) -> list[str]:
    return [line for line in server.log().splitlines() if ' ERROR ' in line or 'Traceback' in line]


# ---------------------------------------------------------------------------------------------------- routing


def test_a_customer_socket_cannot_change_an_agents_status(server: LiveServer) -> None:
    async def scenario() -> None:
        agent, desktop = await agent_desktop(server.base_url)
        customer, page = await customer_page(server.base_url)
        try:
            await page.send('event', status_change(desktop, 'Available'))  # the agent page's client id, our socket
            await round_trip(page)
            fresh = agent.page()  # what the server holds now, rendered into a new desktop's HTML
            await fresh.open('/agent')
            assert fresh.text('agent-status') == 'Offline'
            await fresh.send('event', status_change(fresh, 'Available'))  # the same message from its own socket
            await fresh.wait_for(lambda: fresh.text('agent-status') == 'Available')
            await fresh.close()
        finally:
            for closing in (page, desktop, customer, agent):
                await closing.close()

    run(scenario)
    assert 'socket.refused event=event reason=not_this_sockets_page' in server.log()
    assert not log_problems(server)


def test_a_socket_from_another_browser_cannot_join_a_page(server: LiveServer) -> None:
    """A page's client id and tab id travel in its socket URL; another browser that read them still cannot join."""
    async def scenario() -> None:
        victim, page = await customer_page(server.base_url)
        attacker = Browser(server.base_url)
        await attacker.page().open('/')  # the attacker's own session cookie, valid but not the victim's
        cookieless = Browser(server.base_url)
        try:
            for browser in (attacker, cookieless):  # with its own session cookie, and with none at all
                intruder = browser.page(tab_id=page.tab_id)
                with pytest.raises(socketio.exceptions.ConnectionError):
                    await intruder.join(page.client_id)
                await intruder.close()
            await round_trip(page)  # the victim's page is untouched and works
        finally:
            for closing in (page, victim, attacker, cookieless):
                await closing.close()

    run(scenario)
    log = server.log()
    assert 'socket.refused event=handshake reason=other_browser' in log
    assert 'socket.refused event=handshake reason=no_session_cookie' in log
    assert not log_problems(server)


# ---------------------------------------------------------------------------------------------------- malformed input


MALFORMED_EVENTS: list[tuple[str, tuple[Any, ...]]] = [
    ('event', ()),  # no body at all
    ('event', ('just text',)),
    ('event', ([1, 2, 3],)),
    ('event', ({},)),
    ('event', ({'client_id': 42, 'id': 1, 'listener_id': 'x', 'args': []},)),
    ('event', ({'client_id': '{own}', 'id': 'one', 'listener_id': 'x', 'args': []},)),
    ('event', ({'client_id': '{own}', 'id': '{launcher}'},)),  # no listener
    ('event', ({'client_id': '{own}', 'id': '{launcher}', 'listener_id': 'no-such-listener', 'args': []},)),
    ('event', ({'client_id': '{own}', 'id': 2 ** 62, 'listener_id': 'x', 'args': []},)),
    ('event', ({'client_id': '{own}', 'id': '{launcher}', 'listener_id': '{click}', 'args': 'not a list'},)),
    ('event', ({'client_id': '{own}', 'id': '{launcher}', 'listener_id': '{click}', 'args': ['{not json']},)),
    ('event', ({'client_id': '{own}', 'id': '{launcher}', 'listener_id': '{click}', 'args': [{'an': 'object'}]},)),
    ('event', ({'client_id': '{own}', 'id': 1, 'listener_id': 'x', 'args': []}, 'an extra argument')),
    ('ack', ({'client_id': '{own}', 'next_message_id': 'soon'},)),
    ('ack', ({'next_message_id': 3},)),
    ('javascript_response', ({'client_id': '{own}'},)),
    ('javascript_response', ({'client_id': '{own}', 'request_id': 'no-such-request', 'result': 1},)),
    ('handshake', ('not a dict',)),
    ('handshake', ({'client_id': '{own}', 'tab_id': ['a', 'list'], 'document_id': 'd'},)),
    ('log', ({'client_id': '{own}', 'level': 'critical', 'message': 'no such level'},)),
    ('log', (['not', 'a', 'dict'],)),
]
MALFORMED_FRAMES = [
    '42[',  # a truncated event
    '42["event"',
    '42{"not": "an array"}',
    '4zz',
    '9',
    '451-["event",{"_placeholder":true,"num":7}]',  # announces a binary attachment that never comes
]


def _filled(value: Any, page: Page) -> Any:
    """Put this page's real ids into a message template ({own}, {launcher}, {click})."""
    launcher = page.find('launcher')[-1]
    click = next(e['listener_id'] for e in page.elements[launcher]['events'] if e['type'] == 'click')
    names = {'{own}': page.client_id, '{launcher}': launcher, '{click}': click}
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {k: _filled(v, page) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_filled(v, page) for v in value)
    return value


def test_malformed_messages_give_at_most_a_short_warning(server: LiveServer) -> None:
    async def scenario() -> None:
        browser, page = await customer_page(server.base_url)
        try:
            for event, data in MALFORMED_EVENTS:
                await page.send(event, *_filled(data, page))
            await round_trip(page)  # all handled (raw frames below would overtake the client's send queue)
            for frame in MALFORMED_FRAMES:
                if page.connected:
                    await page.send_frame(frame)
            await page.close()
            page = browser.page()  # engine.io may drop a socket over a garbled frame; the browser just reconnects
            await page.open('/')
            await page.wait_for_testid('launcher')
            bad_query = browser.page()
            bad_query.tab_id = ''  # an implicit handshake without a tab id
            with pytest.raises(socketio.exceptions.ConnectionError):
                await bad_query.join(page.client_id)
            await round_trip(page)
        finally:
            await page.close()
            await browser.close()

    run(scenario)
    log = server.log()
    assert not log_problems(server), '\n'.join(log_problems(server))
    warnings = [line for line in log.splitlines() if ' WARNING ' in line]
    assert len(warnings) >= len(MALFORMED_EVENTS)
    assert all(len(line) < 200 for line in warnings), 'short lines'
    assert 'not json' not in log and 'just text' not in log, 'nothing of the client text'


@pytest.mark.vce_env(socket_max_message_bytes=SMALL_LIMIT)
def test_a_message_over_the_size_limit_closes_its_socket(server: LiveServer) -> None:
    async def scenario() -> None:
        browser, page = await customer_page(server.base_url)
        try:
            fits = {'client_id': page.client_id, 'level': 'info', 'message': 'x' * (SMALL_LIMIT - 1_000)}
            await page.send('log', fits)
            await round_trip(page)
            assert page.connected
            await page.send('log', {**fits, 'message': 'x' * (SMALL_LIMIT + 1_000)})
            await page.wait_for(lambda: page.disconnected, 15)
        finally:
            await page.close()
            await browser.close()

    run(scenario)
    assert not log_problems(server)


FORGED_LINE = '2026-11-25 10:00:00,000 INFO vce.references reference.redeemed agent=demo FORGED-BY-A-BROWSER'


@pytest.mark.vce_env(log_level='DEBUG')
def test_a_browser_cannot_write_into_the_server_log(server: LiveServer) -> None:
    async def scenario() -> None:
        browser, page = await customer_page(server.base_url)
        try:
            for level in ('info', 'warning', 'error'):
                await page.send('log', {'client_id': page.client_id, 'level': level, 'message': f'\n{FORGED_LINE}'})
            await page.send('log', {'client_id': page.client_id, 'level': 'error', 'message': 'y' * 100_000})
            await round_trip(page)
        finally:
            await page.close()
            await browser.close()

    run(scenario)
    log = server.log()
    assert 'FORGED-BY-A-BROWSER' not in log and 'yyyyyyyyyy' not in log
    assert re.search(r'DEBUG vce\.sockets socket\.browser_log level=error length=100000$', log, re.M)
    assert not log_problems(server)

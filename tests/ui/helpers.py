"""Helpers for User tests: find elements by their data-testid (the same ids the Playwright tests use), and record the
element method calls a page sends to the browser."""

from __future__ import annotations

import asyncio
import json

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from backend.bootstrap import build_accounts
from backend.settings import Settings

AGENT_PASSWORD = 'agent-password'


def create_agent(username: str = 'ann', display_name: str = 'Ann Agent') -> None:
    """Create an agent in the test database (VCE_DATA_DIR is set per test) before the app starts."""
    build_accounts(Settings(demo=True)).add_agent(username, display_name, AGENT_PASSWORD)


def elements(user: User, testid: str) -> list[ui.element]:
    assert user.client is not None
    return [e for e in user.client.layout.descendants()
            if e.props.get('data-testid') == testid and _visible(e)]


def find(user: User, testid: str) -> UserInteraction:
    found = elements(user, testid)
    assert found, f'no visible element with data-testid={testid!r}'
    return UserInteraction(user, set(found), None)


async def wait_for(user: User, testid: str, timeout: float = 3.0) -> UserInteraction:
    for _ in range(int(timeout / 0.05)):
        if elements(user, testid):
            return find(user, testid)
        await asyncio.sleep(0.05)
    return find(user, testid)


def choose(user: User, testid: str, value: str) -> None:
    (select,) = elements(user, testid)
    assert user.client is not None
    with user.client:
        select.value = value  # type: ignore[attr-defined]


async def login(user: User, username: str = 'ann', password: str = AGENT_PASSWORD) -> None:
    await user.open('/agent/login')
    find(user, 'username').type(username)
    find(user, 'password').type(password)
    find(user, 'login').click()
    await user.should_see('My contacts')  # the login page navigates to the desktop by itself


async def start_chat(user: User, name: str = 'Cara Customer', email: str = 'cara@example.com') -> None:
    await user.open('/')
    await user.should_see('Video call now')
    find(user, 'launcher').click()
    find(user, 'name').type(name)
    find(user, 'email').type(email)
    find(user, 'start-chat').click()
    await user.should_see('Welcome to our video contact centre.')


async def fill_and_start(user: User, *, name: str, email: str, reference: str) -> None:
    """Open the launcher form, fill it in and press Start chat (whatever comes of it)."""
    await user.open('/')
    await user.should_see('Video call now')
    find(user, 'launcher').click()
    find(user, 'name').type(name)
    find(user, 'email').type(email)
    find(user, 'reference-input').type(reference)
    find(user, 'start-chat').click()


async def status_is(user: User, status: str) -> None:
    """Wait until the status badge shows ``status`` (the status select lists every status, so text alone proves
    nothing)."""
    for _ in range(100):
        badges = elements(user, 'agent-status')
        if badges and badges[0].text == status:  # type: ignore[attr-defined]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f'status badge shows {[b.text for b in elements(user, "agent-status")]}, not {status!r}')


async def accepted_chat(agent: User, customer: User, name: str = 'Cara Customer',
                        email: str = 'cara@example.com') -> None:
    """Agent logged in and Available, customer chatting, offer accepted."""
    await login(agent)
    choose(agent, 'status-select', 'Available')
    await start_chat(customer, name=name, email=email)
    (await wait_for(agent, 'accept')).click()
    await wait_for(agent, 'end-contact')


def capture_js(user: User) -> list[str]:
    """Record the page's fire-and-forget JavaScript (element method calls) from now on."""
    sent: list[str] = []
    assert user.client is not None
    original = user.client.outbox._emit

    async def emit(message):  # type: ignore[no-untyped-def]
        _, kind, data = message
        if kind == 'run_javascript' and 'request_id' not in data:
            sent.append(data['code'])
            return
        await original(message)

    user.client.outbox._emit = emit  # type: ignore[method-assign]
    return sent


async def calls(sent: list[str], method: str, *, expected: int = 1) -> list[list]:
    """The arguments of each call of an element method, waiting briefly for the outbox to flush."""
    prefix = 'return runMethod('
    for _ in range(40):
        found = []
        for code in sent:
            if code.startswith(prefix):
                _, name, args = code[len(prefix):-1].split(', ', 2)
                if json.loads(name) == method:
                    found.append(json.loads(args))
        if len(found) >= expected:
            break
        await asyncio.sleep(0.05)
    return found


def _visible(element: ui.element) -> bool:
    """As the browser sees it: NiceGUI hides with the 'hidden' class, which ``classes(replace=...)`` can drop."""
    while element is not None:
        if 'hidden' in element.classes:
            return False
        element = element.parent_slot.parent if element.parent_slot else None  # type: ignore[assignment]
    return True

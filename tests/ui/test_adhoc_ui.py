"""Ad-hoc references in the UIs under the simulated User: the agent's "Create ad-hoc" dialog, the customer's
prefilled form from an invitation link, and a reference redeemed through the form.

The link-fragment element's JavaScript does not run here, so tests fire its ``read`` event by hand and record the
page's fire-and-forget JavaScript to see the fragment-removal calls; a fake clipboard answers the dialog's awaited
clipboard script as a browser that allows or refuses the write would.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import threading
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from agent_ui import adhoc_dialog
from agent_ui.adhoc_dialog import COPY_BY_HAND_TEXT, FAILED_TEXT, SIGNED_OUT_TEXT, AdhocDialog
from agent_ui.local_time import LocalTime
from backend.bootstrap import build_accounts
from backend.services.customer_chat import CustomerChatService
from backend.services.references import ReferenceService
from backend.settings import Settings
from customer_ui.link_fragment import LinkFragment
from customer_ui.start_form import StartForm
from tests.ui.helpers import calls, capture_js, choose, create_agent, elements, fill_and_start, find, login, wait_for
from ui_common.adhoc_link import parse_fragment

INVALID_TEXT = ('Unfortunately, the Reference you have provided is not valid, or has already expired. '
                'Please check your reference and try again.')
VALIDATED_TEXT = 'Your Reference has been validated, we are connecting you to your agent.'
COPIED_TEXT = 'Link copied. Paste it into your message to the customer.'
# the dialog's clipboard script, with the text it writes as a JSON string
CLIPBOARD_WRITE = re.compile(r'.*navigator\.clipboard\.writeText\(("(?:[^"\\]|\\.)*")\)', re.DOTALL)


@pytest.fixture
def ann() -> None:
    create_agent('ann', 'Ann Agent')


# the agent's dialog

async def test_bad_email_shows_a_message_and_creates_nothing(ann, user: User) -> None:
    await login(user)
    dialog = await open_dialog(user)
    find(user, 'adhoc-create').click()
    await user.should_see('Please enter your email address.')
    find(user, 'adhoc-email').type('cara-at-example')
    find(user, 'adhoc-create').click()
    await user.should_see('Please enter a valid email address, like name@example.com.')
    assert dialog.invitation is None
    assert not elements(user, 'adhoc-reference')
    assert stored_references() == 0


async def test_create_shows_the_spaced_reference_expiry_link_and_mail(ann, user: User) -> None:
    await login(user)
    dialog = await open_dialog(user)
    find(user, 'adhoc-email').type('  Cara.Lee+video@Example.com ')
    find(user, 'adhoc-create').click()
    reference = await shown_reference(user)
    assert re.fullmatch(r'\d{4} \d{4}', reference)  # zero-padded 8 digits, in two groups
    digits = reference.replace(' ', '')
    assert text_of(user, 'adhoc-for') == 'Cara.Lee+video@Example.com'  # trimmed, as typed, shown as text
    assert stored_references() == 1

    await user.should_see('Valid for 15 minutes, until')
    (until,) = [e for e in user.client.layout.descendants() if isinstance(e, LocalTime)]
    assert dialog.invitation is not None and until.epoch == dialog.invitation.expires_at
    assert until.epoch > time.time() + 14 * 60

    link = text_of(user, 'adhoc-link')
    assert link == f'http://test/#ref={digits}&email=Cara.Lee%2Bvideo%40Example.com'  # fragment, not query
    assert parse_fragment(urlsplit(link).fragment) is not None

    (mail,) = elements(user, 'adhoc-mailto')
    href = mail.props['href']
    assert not re.search(r'\s', href), 'every part of the mailto link is percent-encoded'
    parts = urlsplit(href)
    assert parts.scheme == 'mailto' and unquote(parts.path) == 'Cara.Lee+video@Example.com'
    fields = parse_qs(parts.query, strict_parsing=True)
    assert fields['subject'] == ['Example Bank – your video call link']
    (body,) = fields['body']
    assert f'\r\n{link}\r\n' in body
    assert reference in body and 'valid for 15 minutes' in body and body.startswith('Hello,')


async def test_copy_link_writes_the_clipboard_and_says_so(ann, user: User) -> None:
    clipboard = FakeClipboard(user, allows=True)
    await created_invitation(user)
    find(user, 'adhoc-copy').click()
    await user.should_see(COPIED_TEXT)
    assert text_of(user, 'adhoc-copy') == 'Copied'
    assert clipboard.written == [text_of(user, 'adhoc-link')]
    assert not elements(user, 'adhoc-copy-error')


async def test_a_refused_clipboard_asks_to_copy_by_hand(ann, user: User) -> None:
    clipboard = FakeClipboard(user, allows=False)  # e.g. the desktop is served over plain http on a LAN
    await created_invitation(user)
    find(user, 'adhoc-copy').click()
    await user.should_see(COPY_BY_HAND_TEXT)
    assert text_of(user, 'adhoc-copy') == 'Copy link'
    await user.should_not_see(COPIED_TEXT)
    assert clipboard.asked == 1 and clipboard.written == []

    clipboard.allows = True  # the agent allowed the clipboard and tries again
    find(user, 'adhoc-copy').click()
    await user.should_see(COPIED_TEXT)
    assert text_of(user, 'adhoc-copy') == 'Copied'
    assert not elements(user, 'adhoc-copy-error'), 'the request to copy by hand is gone'


async def test_a_browser_that_never_answers_is_not_called_copied(ann, user: User, monkeypatch) -> None:
    monkeypatch.setattr(adhoc_dialog, 'COPY_TIMEOUT_SECONDS', 0.2)
    await created_invitation(user)  # no fake clipboard: the script gets no answer
    find(user, 'adhoc-copy').click()
    await user.should_see(COPY_BY_HAND_TEXT)
    assert text_of(user, 'adhoc-copy') == 'Copy link'
    await user.should_not_see(COPIED_TEXT)


@pytest.mark.vce_settings(website_url='https://www.example.com/help', company_name='Acme Telecom')
async def test_the_link_uses_the_public_website_url_when_set(ann, user: User) -> None:
    await login(user)
    await open_dialog(user)
    find(user, 'adhoc-email').type('cara@example.com')
    find(user, 'adhoc-create').click()
    digits = (await shown_reference(user)).replace(' ', '')
    assert text_of(user, 'adhoc-link') == f'https://www.example.com/help#ref={digits}&email=cara%40example.com'
    (mail,) = elements(user, 'adhoc-mailto')
    assert parse_qs(urlsplit(mail.props['href']).query)['subject'] == ['Acme Telecom – your video call link']


async def test_create_is_busy_while_creating_and_a_second_click_creates_nothing(ann, user: User,
                                                                                monkeypatch) -> None:
    release = threading.Event()
    original = ReferenceService.create

    def slow_create(self, username, email):  # type: ignore[no-untyped-def]
        release.wait(timeout=10)
        return original(self, username, email)

    monkeypatch.setattr(ReferenceService, 'create', slow_create)
    await login(user)
    await open_dialog(user)
    find(user, 'adhoc-email').type('cara@example.com')
    find(user, 'adhoc-create').click()
    (button,) = elements(user, 'adhoc-create')
    for _ in range(100):
        if 'loading' in button.props:
            break
        await asyncio.sleep(0.02)
    assert 'loading' in button.props and not button.enabled  # type: ignore[attr-defined]
    find(user, 'adhoc-create').click()
    release.set()
    await shown_reference(user)
    assert stored_references() == 1
    assert 'loading' not in button.props


async def test_an_unexpected_failure_says_so_and_shows_no_reference(ann, user: User, monkeypatch, caplog) -> None:
    def broken(self, username, email):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError('disk I/O error')

    monkeypatch.setattr(ReferenceService, 'create', broken)
    await login(user)
    dialog = await open_dialog(user)
    find(user, 'adhoc-email').type('cara@example.com')
    find(user, 'adhoc-create').click()
    await user.should_see(FAILED_TEXT)
    assert dialog.invitation is None and not elements(user, 'adhoc-reference')
    assert elements(user, 'adhoc-create'), 'the agent can try again'
    assert [r.getMessage() for r in caplog.records if r.levelname == 'ERROR'] == ['reference.create_failed agent=ann']
    caplog.clear()  # the one expected ERROR (NiceGUI's User fixture fails a test on any)


async def test_reopening_the_dialog_starts_fresh(ann, user: User) -> None:
    await login(user)
    dialog = await open_dialog(user)
    find(user, 'adhoc-email').type('cara@example.com')
    find(user, 'adhoc-create').click()
    await shown_reference(user)
    find(user, 'adhoc-done').click()
    assert not dialog.value
    find(user, 'create-adhoc').click()
    assert dialog.value
    assert dialog.invitation is None
    assert not elements(user, 'adhoc-reference'), 'the result is hidden'
    assert [hidden(user, testid).text for testid in ('adhoc-for', 'adhoc-reference', 'adhoc-link')] == ['', '', '']
    assert 'href' not in hidden(user, 'adhoc-mailto').props
    (email,) = elements(user, 'adhoc-email')
    assert email.value == ''  # type: ignore[attr-defined]


async def test_logged_out_users_cannot_reach_the_dialog(ann, user: User) -> None:
    await user.open('/agent')
    await user.should_see('Log in')
    assert not elements(user, 'create-adhoc')
    assert not [e for e in user.client.layout.descendants() if isinstance(e, AdhocDialog)]


async def test_a_page_left_open_after_logging_out_creates_nothing(ann, user: User) -> None:
    await login(user)
    dialog = await open_dialog(user)
    dialog._session.clear()  # what logging out in another tab of the same browser does to this page's session
    find(user, 'adhoc-email').type('cara@example.com')
    find(user, 'adhoc-create').click()
    await user.should_see(SIGNED_OUT_TEXT)
    assert dialog.invitation is None
    assert stored_references() == 0


# the customer's website

async def test_an_invitation_link_opens_the_prefilled_form_and_leaves_the_address_bar(user: User) -> None:
    await user.open('/')
    await user.should_see('Video call now')
    sent = capture_js(user)
    read_fragment(user, 'ref=00418233&email=cara%2Bvideo%40example.com')
    form = await start_form(user)
    assert form.name.value == ''
    assert form.email.value == 'cara+video@example.com'
    assert form.reference.value == '00418233'
    assert form.reference_section.value, 'the reference section is open'
    await user.should_see("Your agent's reference is filled in. Enter your name to start.")
    assert elements(user, 'chat-window')
    assert len(await calls(sent, 'forget')) == 1


@pytest.mark.parametrize('fragment', [
    'ref=1234&email=cara%40example.com',  # not 8 digits
    'ref=123456789',
    'ref=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98',  # full-width digits
    'ref=12345678%0A',
    'ref=12345678&email=not-an-email',
    'ref=12345678&ref=87654321',
    'ref=12345678&email=cara%40example.com&name=Mallory',
    'email=cara%40example.com',
    'ref=12345678&email=' + 'a' * 500 + '%40example.com',
    'ref=%ZZ&&=',
])
async def test_a_garbled_link_is_ignored_and_removed(user: User, fragment: str) -> None:
    await user.open('/')
    await user.should_see('Video call now')
    sent = capture_js(user)
    read_fragment(user, fragment)
    assert len(await calls(sent, 'forget')) == 1
    assert not elements(user, 'chat-window')
    assert not [e for e in user.client.layout.descendants() if isinstance(e, StartForm)]


async def test_an_ordinary_anchor_is_left_alone(user: User) -> None:
    await user.open('/')
    await user.should_see('Video call now')
    sent = capture_js(user)
    read_fragment(user, 'opening-hours')
    read_fragment(user, 'ref=1')  # removed: once its call is out, a call for the anchor would be out too
    assert len(await calls(sent, 'forget')) == 1
    assert not elements(user, 'chat-window')


async def test_a_link_in_a_tab_that_is_chatting_shows_that_chat(user: User) -> None:
    await user.open('/')
    await user.should_see('Video call now')
    find(user, 'launcher').click()
    find(user, 'name').type('Cara')
    find(user, 'email').type('cara@example.com')
    find(user, 'start-chat').click()
    await user.should_see('Hi Cara! Welcome to our video contact centre.')
    find(user, 'launcher').click()  # the customer hides the chat window, then opens a link in the same tab
    assert not elements(user, 'chat-window')
    read_fragment(user, 'ref=00418233&email=other%40example.com')
    await wait_for(user, 'reply')
    assert not elements(user, 'start-chat')


async def test_the_form_passes_the_page_requests_client_address(user: User, monkeypatch) -> None:
    seen: list[str] = []
    original = CustomerChatService.start_chat

    async def spy(self, session_key, *, client_address='', **kwargs):  # type: ignore[no-untyped-def]
        seen.append(client_address)
        return await original(self, session_key, client_address=client_address, **kwargs)

    monkeypatch.setattr(CustomerChatService, 'start_chat', spy)
    await fill_and_start(user, name='Cara', email='cara@example.com', reference='12345678')
    await user.should_see(INVALID_TEXT)
    assert seen == ['127.0.0.1']  # httpx's test transport's address, as the page's request saw it


@pytest.mark.vce_settings(reference_redeem_limit=1)
async def test_a_rate_limited_address_is_told_in_the_form(create_user) -> None:
    first, second = create_user(), create_user()  # two tabs, one address
    await fill_and_start(first, name='Cara', email='cara@example.com', reference='12345678')
    await first.should_see(INVALID_TEXT)
    await fill_and_start(second, name='Cara', email='cara@example.com', reference='87654321')
    await second.should_see('Too many reference attempts from your network.')
    assert elements(second, 'start-chat'), 'the form stays'


# the whole redeem

async def test_a_redeemed_link_routes_the_chat_to_the_agent_who_created_it(ann, create_user) -> None:
    create_agent('bob', 'Bob Agent')
    agent, other, customer = create_user(), create_user(), create_user()
    await login(other, 'bob')
    choose(other, 'status-select', 'Available')  # bob could take any standard chat at once
    await login(agent)  # ann stays Offline: the chat must wait for her
    link = await create_reference(agent, 'cara@example.com')

    await customer.open('/')
    await customer.should_see('Video call now')
    read_fragment(customer, urlsplit(link).fragment)
    await start_form(customer)
    find(customer, 'name').type('Cara')
    find(customer, 'start-chat').click()
    await customer.should_see(VALIDATED_TEXT)
    await customer.should_see('Connecting you to an agent…')
    assert not elements(other, 'offer'), 'the chat waits in ann\'s personal queue, not for bob'

    choose(agent, 'status-select', 'Available')
    (await wait_for(agent, 'accept')).click()
    await agent.should_see('Handled by Ann Agent')
    table = find(agent, 'attributes').elements.pop()
    assert isinstance(table, ui.table)
    [ann_account] = [a for a in build_accounts(Settings(demo=True)).list_agents() if a.username == 'ann']
    assert {'key': 'videoRouteToAgent', 'value': ann_account.agent_id} in table.rows  # the id flows route by
    await customer.should_see('You are chatting with an agent')
    assert not elements(other, 'offer')


async def test_a_wrong_email_apologises_and_a_new_chat_keeps_name_and_email(ann, create_user) -> None:
    agent, customer = create_user(), create_user()
    await login(agent)
    digits = urlsplit(await create_reference(agent, 'cara@example.com')).fragment[4:12]
    await fill_and_start(customer, name='Cara', email='cara@example.org', reference=digits)
    await customer.should_see(INVALID_TEXT)
    await customer.should_see('This chat has ended')

    find(customer, 'new-chat').click()
    form = await start_form(customer)
    assert (form.name.value, form.email.value) == ('Cara', 'cara@example.org')
    assert form.reference_section.value and form.reference.value == ''  # open, for the reference to be typed again
    form.email.set_value('Cara@Example.com')  # the right address, other case: emails are compared case-folded
    find(customer, 'reference-input').type(digits)
    find(customer, 'start-chat').click()
    await customer.should_see(VALIDATED_TEXT)


# helpers

async def open_dialog(user: User) -> AdhocDialog:
    (await wait_for(user, 'create-adhoc')).click()
    (dialog,) = [e for e in user.client.layout.descendants() if isinstance(e, AdhocDialog)]
    assert dialog.value
    return dialog


async def shown_reference(user: User) -> str:
    await wait_for(user, 'adhoc-reference')
    return text_of(user, 'adhoc-reference')


async def created_invitation(user: User) -> None:
    await login(user)
    await open_dialog(user)
    find(user, 'adhoc-email').type('cara@example.com')
    find(user, 'adhoc-create').click()
    await shown_reference(user)


class FakeClipboard:
    """Answers the dialog's clipboard script as the browser would: ``True`` once written, ``False`` when refused."""

    def __init__(self, user: User, *, allows: bool) -> None:
        self.allows = allows
        self.asked = 0
        self.written: list[str] = []
        user.javascript_rules[CLIPBOARD_WRITE] = self._answer

    def _answer(self, match: re.Match[str]) -> bool:
        self.asked += 1
        if self.allows:
            self.written.append(json.loads(match.group(1)))
        return self.allows


async def create_reference(agent: User, email: str) -> str:
    await open_dialog(agent)
    find(agent, 'adhoc-email').type(email)
    find(agent, 'adhoc-create').click()
    await shown_reference(agent)
    return text_of(agent, 'adhoc-link')


def text_of(user: User, testid: str) -> str:
    (element,) = elements(user, testid)
    return element.text  # type: ignore[attr-defined]


def hidden(user: User, testid: str) -> Any:
    """The one element with this test id, visible or not."""
    (element,) = [e for e in user.client.layout.descendants() if e.props.get('data-testid') == testid]
    return element


def stored_references() -> int:
    with sqlite3.connect(Settings(demo=True).database_path) as db:
        return db.execute('SELECT COUNT(*) FROM ad_hoc_references').fetchone()[0]


async def start_form(user: User) -> StartForm:
    await wait_for(user, 'start-chat')
    (form,) = [e for e in user.client.layout.descendants() if isinstance(e, StartForm)]
    return form


def read_fragment(user: User, fragment: str) -> None:
    """What the link-fragment element's JavaScript does when the page opens with ``#<fragment>``."""
    (element,) = [e for e in user.client.layout.descendants() if isinstance(e, LinkFragment)]
    UserInteraction(user, {element}, None).trigger('read', {'fragment': fragment})


async def test_the_link_stays_on_one_scrollable_line_instead_of_breaking_mid_word(ann, user: User) -> None:
    await login(user)
    await open_dialog(user)
    find(user, 'adhoc-email').type('a.very.long.address.for.a.customer@example.com')
    find(user, 'adhoc-create').click()
    await shown_reference(user)
    (link,) = elements(user, 'adhoc-link')
    assert 'break-all' not in link.classes, 'break-all cut the link in the middle of words'
    assert {'whitespace-nowrap', 'overflow-x-auto', 'select-all'} <= set(link.classes)
    assert link.props['tabindex'] == '0', 'the keyboard can scroll it too'

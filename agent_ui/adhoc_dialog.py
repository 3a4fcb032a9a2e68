"""The "Create ad-hoc" dialog: the agent types the email of a customer they are talking to (usually on the phone)
and gets a single-use reference plus a link and a ready email that bring that customer straight to them.

The reference is created for the agent of the *session* (``app.storage.user``), checked again at every Create, so
a page left open after logging out cannot create references; nothing the browser sends names the agent.
"""

from __future__ import annotations

import json
import logging

from nicegui import app, run, ui

from agent_ui.adhoc_invitation import Invitation
from agent_ui.local_time import LocalTime
from backend.domain.errors import DomainError
from backend.domain.validation import MAX_EMAIL_LENGTH
from backend.services.references import CreatedReference, ReferenceService

log = logging.getLogger('vce.agent_ui')

FAILED_TEXT = 'Could not create a reference. Please try again.'
SIGNED_OUT_TEXT = 'You are no longer signed in. Log in again to create a reference.'
COPIED_SHOWN_SECONDS = 3.0
COPY_BY_HAND_TEXT = ('Your browser did not let this page copy the link. Click the link to select it, then copy it '
                     'by hand (Ctrl+C, or ⌘C on a Mac).')
COPY_TIMEOUT_SECONDS = 5.0  # the browser may ask the agent for permission first
# true only when the browser confirms the write; a page served over plain http on a LAN has no navigator.clipboard,
# and a browser may refuse the write, so both end in `false` instead of an error nobody sees
COPY_SCRIPT = 'try {{ await navigator.clipboard.writeText({text}); return true; }} catch (error) {{ return false; }}'


class AdhocDialog(ui.dialog):
    def __init__(self, references: ReferenceService, username: str, *, company_name: str,
                 website_url: str = '') -> None:
        """Ad-hoc Dialog

        Build it during the desktop's page build: it captures the session and the page's origin then.

        :param references: creates the references
        :param username: the agent the desktop was built for; the session must still name this agent at Create
        :param company_name: for the invitation email
        :param website_url: the customer website's public URL (default: the origin this page was served from)
        """
        super().__init__()
        # a stray click outside must not lose a reference being read out; Escape (on purpose) still closes it
        self.props('no-backdrop-dismiss data-testid=adhoc-dialog')
        self._references, self._username, self._company_name = references, username, company_name
        self._session = app.storage.user  # captured while the page's request is current
        self._website_url = website_url or _page_origin()
        self._busy = False
        self._generation = 0  # bumped by every reset, so a create that finishes after the dialog closed shows nothing
        self.invitation: Invitation | None = None
        with self, ui.card().classes('w-[34rem] max-w-full gap-3'):
            with ui.row().classes('w-full items-center no-wrap'):
                ui.label('Invite a customer to video').classes('text-lg font-medium grow')
                ui.button(icon='close', on_click=self.close) \
                    .props('flat round dense aria-label=Close data-testid=adhoc-close').tooltip('Close')
            with ui.column().classes('w-full gap-3') as self.form:
                ui.label('Creates a single-use reference that brings this customer straight to you in a chat, '
                         'where you can start video. The customer needs the same email address to use it.') \
                    .classes('text-sm text-grey-8')
                self.email = ui.input("Customer's email address") \
                    .props(f'type=email maxlength={MAX_EMAIL_LENGTH} outlined autofocus data-testid=adhoc-email') \
                    .classes('w-full')
                self.error = ui.label().classes('text-negative text-sm').props('role=alert data-testid=adhoc-error')
                with ui.row().classes('w-full justify-end'):
                    ui.button('Cancel', on_click=self.close).props('flat')
                    self.create_button = ui.button('Create', icon='add_link', on_click=self._create) \
                        .props('data-testid=adhoc-create')
                self.email.on('keydown.enter', self._create)
            with ui.column().classes('w-full gap-3') as self.result:
                with ui.row().classes('w-full gap-1 text-sm'):
                    ui.label('Reference for')
                    self.for_email = ui.label().classes('font-medium break-all').props('data-testid=adhoc-for')
                self.reference = ui.label() \
                    .classes('w-full text-center font-mono text-5xl font-bold tracking-widest q-py-sm') \
                    .props('data-testid=adhoc-reference')
                with ui.row().classes('w-full justify-center gap-1 text-sm text-grey-8'):
                    self.validity = ui.label().props('data-testid=adhoc-validity')
                    self.until = LocalTime().props('data-testid=adhoc-until')
                    ui.label('· works once')
                ui.label('Read the reference to the customer, or send them this link:').classes('text-sm')
                # one line that scrolls sideways (by keyboard too: tabindex) instead of breaking mid-word; a click
                # still selects all of it for copying by hand
                self.link = ui.label() \
                    .classes('w-full font-mono text-sm whitespace-nowrap overflow-x-auto select-all bg-grey-2 '
                             'text-black rounded q-pa-sm') \
                    .props('tabindex=0 data-testid=adhoc-link')
                self.copy_error = ui.label().classes('text-negative text-sm') \
                    .props('role=alert data-testid=adhoc-copy-error')
                with ui.row().classes('w-full items-center gap-2'):
                    self.copy_button = ui.button('Copy link', icon='content_copy', on_click=self._copy) \
                        .props('data-testid=adhoc-copy')
                    self.mail = ui.button('Email the link', icon='mail').props('outline data-testid=adhoc-mailto')
                    ui.space()
                    ui.button('Done', on_click=self.close).props('flat data-testid=adhoc-done')
        self._copied_timer: ui.timer | None = None
        self.on_value_change(lambda e: None if e.value else self._reset())  # nothing of an old reference stays
        self._reset()

    def start(self) -> None:
        """Open with an empty form."""
        self._reset()
        self.open()

    async def _create(self) -> None:
        if self._busy or self.invitation is not None:
            return
        if self._session.get('username') != self._username:
            self._show_error(SIGNED_OUT_TEXT)
            return
        generation = self._generation
        self._busy = True
        self.create_button.props('loading').disable()
        try:
            outcome = await self._create_reference(self.email.value or '')
        finally:
            self._busy = False
            self.create_button.props(remove='loading').enable()
        if generation != self._generation:
            return  # the dialog was closed while creating: show nothing of it
        if isinstance(outcome, str):
            self._show_error(outcome)
            return
        self._show(Invitation.create(reference=outcome.reference, email=outcome.email,
                                     website_url=self._website_url, expires_at=outcome.expires_at,
                                     ttl_seconds=self._references.ttl_seconds, company_name=self._company_name))

    async def _create_reference(self, email: str) -> CreatedReference | str:
        """The new reference, or the text to show instead."""
        try:
            # off the event loop: the store may wait for a write lock (SQLite) or a network round trip (DynamoDB)
            created = await run.io_bound(self._references.create, self._username, email)
        except DomainError as error:
            return str(error)
        except Exception:
            log.exception('reference.create_failed agent=%s', self._username)
            return FAILED_TEXT
        return created if created is not None else FAILED_TEXT  # None: the server is shutting down

    def _show(self, invitation: Invitation) -> None:
        self.invitation = invitation
        self.for_email.set_text(invitation.email)
        self.reference.set_text(invitation.spaced_reference)
        self.reference.props['aria-label'] = f'Reference {" ".join(invitation.reference)}'  # read digit by digit
        self.validity.set_text(f'Valid for {invitation.validity}, until')
        self.until.set_epoch(invitation.expires_at)
        self.link.set_text(invitation.link)
        self.mail.props['href'] = invitation.mailto
        self.form.set_visibility(False)
        self.result.set_visibility(True)

    async def _copy(self) -> None:
        """Say "Copied" only when the browser confirms it; otherwise tell the agent to copy the link by hand."""
        if self.invitation is None:
            return
        generation = self._generation
        copied = await self._write_clipboard(self.invitation.link)
        if generation != self._generation:
            return  # the dialog was closed (and maybe reopened) meanwhile: this answer is about an old link
        self._cancel_copied_timer()
        if not copied:
            self._show_copy()
            self._show_copy_error(COPY_BY_HAND_TEXT)
            return
        self._show_copy_error('')
        self.copy_button.set_text('Copied')
        self.copy_button.props('icon=check color=positive')
        ui.notify('Link copied. Paste it into your message to the customer.', type='positive')
        with self.result:
            self._copied_timer = ui.timer(COPIED_SHOWN_SECONDS, self._show_copy, once=True)

    @staticmethod
    async def _write_clipboard(text: str) -> bool:
        try:
            answer = await ui.run_javascript(COPY_SCRIPT.format(text=json.dumps(text)), timeout=COPY_TIMEOUT_SECONDS)
        except TimeoutError:
            return False  # no answer is no confirmation
        return answer is True

    def _cancel_copied_timer(self) -> None:
        if self._copied_timer is not None:
            self._copied_timer.cancel()
            self._copied_timer = None

    def _show_copy(self) -> None:
        self.copy_button.set_text('Copy link')
        self.copy_button.props('icon=content_copy color=primary')

    def _show_error(self, text: str) -> None:
        self.error.set_text(text)
        self.error.set_visibility(bool(text))

    def _show_copy_error(self, text: str) -> None:
        self.copy_error.set_text(text)
        self.copy_error.set_visibility(bool(text))

    def _reset(self) -> None:
        self._generation += 1
        self.invitation = None
        self.email.set_value('')
        self._show_error('')
        self._show_copy_error('')
        for label in (self.for_email, self.reference, self.validity, self.link):
            label.set_text('')
        self.reference.props.pop('aria-label', None)
        self.until.set_epoch(None)
        self.mail.props.pop('href', None)
        self._cancel_copied_timer()
        self._show_copy()
        self.form.set_visibility(True)
        self.result.set_visibility(False)


def _page_origin() -> str:
    """Where this page was served from; the customer website lives at the root of the same app."""
    request = ui.context.client.request
    return str(request.base_url) if request is not None else '/'

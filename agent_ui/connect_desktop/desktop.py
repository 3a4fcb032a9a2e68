"""The agent desktop in aws mode: the local desktop's layout with the real Amazon Connect CCP in its left drawer.

The CCP (``ConnectCcp``) handles status, offers, chat and calls; this page lists the contacts the CCP reports, shows
one contact's details on a sub-page, and adds what Connect has not got: the video session. Start video asks
``MeetingService`` (which checks with Connect that the contact is this agent's), opens the same ``CallPanel`` as in
local mode and tells the customer through the chat (the video signal, ``backend.domain.video_signal``), sent by the
CCP as the agent. A contact the CCP reports cleared ends its meeting for everyone.

The CCP may be signed in as somebody else than the agent logged in here (popup login lets anyone sign in to any
Connect user): then the page says so and refuses video actions.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from nicegui import app, background_tasks, ui

from agent_ui.adhoc_dialog import AdhocDialog
from agent_ui.connect_desktop.connect_ccp import CcpAgentEvent, CcpContactEvent, CcpErrorEvent, ConnectCcp
from agent_ui.connect_desktop.contact_view import ConnectContactView
from agent_ui.contact_list import ContactList
from agent_ui.desktop_frame import DESKTOP_ROOT, desktop_body, desktop_header
from agent_ui.extensions import DesktopExtensions
from agent_ui.recording_control import AgentRecordingControl
from agent_ui.video_start import start_agent_video
from backend.domain.errors import DomainError
from backend.domain.model import Agent, Contact, ContactState
from backend.domain.video_signal import VideoAction, format_video_signal
from backend.events import Event, MeetingChanged, Resync
from backend.services.ccp_login import CcpLoginService
from backend.services.meetings import MeetingService
from backend.services.recordings import RecordingService

log = logging.getLogger('vce.agent_ui')

WRONG_CCP_USER_TEXT = ('The contact control panel is signed in as "{ccp}", but you are logged in here as "{agent}". '
                       'Sign out of the CCP and sign in as "{agent}"; video stays off until then.')
NO_CCP_USER_TEXT = 'The contact control panel has not signed in yet; video starts once it has.'


class ConnectDesktop:
    def __init__(self, ccp_login: CcpLoginService, meetings: MeetingService, extensions: DesktopExtensions,
                 username: str, display_name: str, *, ice_servers: list[dict[str, object]],
                 adhoc_dialog: Callable[[], AdhocDialog],
                 end_session: Callable[[MutableMapping[str, Any]], Awaitable[str]],
                 recordings: RecordingService | None = None) -> None:
        """:param username: the logged-in agent, which is also the Connect username the CCP must be signed in as"""
        self._recordings = recordings
        self._ccp_login, self._meetings, self._extensions = ccp_login, meetings, extensions
        self._username, self._display_name = username, display_name
        self._ice_servers, self._adhoc_dialog, self._end_session = ice_servers, adhoc_dialog, end_session
        self._contacts: dict[str, Contact] = {}
        self._ccp_username: str | None = None
        self._call_contact: str | None = None
        self._signalled: set[str] = set()  # meetings whose "started" signal this page sent
        self._view: ConnectContactView | None = None
        self._page_contact: str | None = None  # the contact the open sub-page is for, shown or not (yet)
        self._page_area: ui.column | None = None

    def build(self) -> None:
        self._session = app.storage.user  # captured while the page's request is current, for later handlers
        self.adhoc = desktop_header(self._display_name, self._session, adhoc_dialog=self._adhoc_dialog,
                                    on_logout=self._logout)
        with ui.left_drawer(value=True, fixed=True).props('width=340 bordered').classes('p-3 gap-3'):
            self.ccp_warning = ui.label().classes('text-sm text-negative') \
                .props('role=alert data-testid=ccp-user-warning')
            self.ccp_warning.set_visibility(False)
            self.ccp_error = ui.label().classes('text-sm text-negative').props('role=alert data-testid=ccp-error')
            self.ccp_error.set_visibility(False)
            self.ccp = self._ccp_element().classes('w-full')
            ui.label('My contacts').classes('text-sm text-grey-7 q-mt-sm')
            self.contact_list = ContactList(on_open=self._open, show_connecting=True)
        self.call = desktop_body(home=self._home, contact_page=self._contact_page, meetings=self._meetings,
                                 ice_servers=self._ice_servers, on_end_for_all=self._end_for_all)
        if self._recordings is not None:
            AgentRecordingControl(self.call, self._recordings, self._username, self._display_name,
                                  contact_of=lambda: self._call_contact)
        subscription = self._meetings.subscribe_agent(self._username, self._on_meeting_event)
        ui.context.client.on_delete(subscription.close)
        self._refresh_contacts()

    def _ccp_element(self) -> ConnectCcp:
        federation = None
        if self._ccp_login.setup.login_mode == 'federated':
            def federation() -> Awaitable[Any]:
                return self._ccp_login.federation_token(self._username)
        ccp = ConnectCcp(self._ccp_login.setup, federation_token=federation)
        ccp.on_agent(self._on_agent).on_contact(self._on_contact).on_error(self._on_ccp_error)
        return ccp

    # views

    def _home(self) -> None:
        self._view, self._page_contact, self._page_area = None, None, None
        with ui.column().classes('p-6 gap-2'):
            ui.label('No contact selected').classes('text-xl')
            ui.label('Set your status to Available in the contact control panel to receive chats and calls; '
                     'the contacts it gives you appear on the left.').classes('text-grey-8')

    def _contact_page(self, contact_id: str) -> None:
        self._page_contact = contact_id
        self._page_area = ui.column().classes('w-full gap-0')
        self._show_page()

    def _show_page(self) -> None:
        """(Re)build the open contact's view, e.g. when the CCP reports the contact after a reload."""
        if self._page_area is None or self._page_contact is None:
            return
        self._page_area.clear()
        contact = self._contacts.get(self._page_contact)
        with self._page_area:
            if contact is None:
                self._view = None
                ui.label('This contact is not in your contact control panel.').classes('p-6 text-lg') \
                    .props('data-testid=contact-missing')
            else:
                self._view = ConnectContactView(contact, self._agent(), self._extensions,
                                                on_start_video=self._start_video)
        self._refresh_contacts()

    def _agent(self) -> Agent:
        """The signed-in agent as the extension panels see it (aws mode keeps no agent record of its own)."""
        return Agent(username=self._username, display_name=self._display_name, agent_id='', password_hash='',
                     routing_queues=())

    # CCP events

    def _on_agent(self, event: CcpAgentEvent) -> None:
        self._ccp_username = event.username
        mismatch = not self._ccp_is_agent()
        self.ccp_warning.set_text(WRONG_CCP_USER_TEXT.format(ccp=event.username, agent=self._username)
                                  if mismatch else '')
        self.ccp_warning.set_visibility(mismatch)
        if mismatch:
            log.warning('ccp.wrong_user agent=%s ccp_user=%s', self._username, event.username)

    def _on_contact(self, event: CcpContactEvent) -> None:
        contact_id = event.contact_id
        if event.state is ContactState.ENDED:
            self._contacts.pop(contact_id, None)
            self._end_cleared(contact_id)
        else:
            contact = event.to_contact(agent_username=self._username, now=time.time())
            if not contact.customer_name:
                contact.customer_name = 'Customer'
            self._contacts[contact_id] = contact
            if event.state is ContactState.CONNECTED:
                self._offer_rejoin(contact_id)
        if contact_id == self._page_contact:
            if event.state is ContactState.ENDED:
                ui.navigate.to(DESKTOP_ROOT)  # cleared in the CCP, as Clear contact does in local mode
            elif self._view is not None:
                self._view.show_state(event.state)
            else:
                self._show_page()
        self._refresh_contacts()

    def _on_ccp_error(self, event: CcpErrorEvent) -> None:
        if event.code == 'chat-send-failed':
            ui.notify('The video invitation could not be sent through the chat. '
                      f'Tell the customer in the chat to select "Join video call". ({event.message})', type='warning')
            return
        self.ccp_error.set_text(event.message)
        self.ccp_error.set_visibility(bool(event.message))

    def _on_meeting_event(self, event: Event) -> None:
        if isinstance(event, MeetingChanged) and not event.live:
            self.call.meeting_ended(event.meeting_id)
        elif isinstance(event, Resync):  # events may have been lost between server processes: ask the store
            join, contact_id = self.call.join_info, self._call_contact
            if join is not None and contact_id is not None \
                    and self._meetings.agent_join_info(self._username, contact_id) is None:
                self.call.meeting_ended(join.meeting_id)

    def _refresh_contacts(self) -> None:
        self.contact_list.show(list(self._contacts.values()), set(), self._page_contact)

    # actions

    def _ccp_is_agent(self) -> bool:
        return self._ccp_username is not None and self._ccp_username.casefold() == self._username.casefold()

    def _video_refusal(self) -> str | None:
        if self._ccp_username is None:
            return NO_CCP_USER_TEXT
        if not self._ccp_is_agent():
            return WRONG_CCP_USER_TEXT.format(ccp=self._ccp_username, agent=self._username)
        return None

    async def _start_video(self, contact_id: str) -> None:
        refusal = self._video_refusal()
        if refusal is not None:
            ui.notify(refusal, type='warning')
            return
        if await start_agent_video(self.call, self._meetings, self._username, contact_id,
                                   call_contact=self._call_contact,
                                   on_started=lambda join: self._signal_started(contact_id, join.meeting_id)):
            self._call_contact = contact_id

    def _signal_started(self, contact_id: str, meeting_id: str) -> None:
        """Tell the customer through the CCP chat, once per meeting from this page."""
        if meeting_id not in self._signalled:
            self._signalled.add(meeting_id)
            self._signal(contact_id, VideoAction.STARTED, meeting_id)

    async def _end_for_all(self) -> None:
        """Ends only this agent's own meeting (the service checks); the customer is told if the CCP is the agent's."""
        contact_id, join = self._call_contact, self.call.join_info
        if contact_id is None or join is None:
            return
        try:
            await self._meetings.end_for_all(self._username, contact_id)
        except DomainError as error:
            ui.notify(str(error), type='negative')
            return
        if self._ccp_is_agent() and contact_id in self._contacts:
            self._signal(contact_id, VideoAction.ENDED, join.meeting_id)

    def _end_cleared(self, contact_id: str) -> None:
        """The agent cleared the contact in the CCP: its live meeting ends for everyone (the chat is gone, so no
        signal: the customer's page ends the call with the chat)."""
        if self._meetings.agent_join_info(self._username, contact_id) is None:
            return

        async def end() -> None:
            try:
                await self._meetings.end_for_all(self._username, contact_id)
            except DomainError as error:  # e.g. it ended meanwhile
                log.info('meeting.end_on_clear_skipped contact=%s reason=%s', contact_id, error)
        background_tasks.create(end(), name=f'end-meeting-{contact_id}')

    def _offer_rejoin(self, contact_id: str) -> None:
        """After a reload the CCP reports its contacts again: a live meeting of one of them can be rejoined."""
        if self.call.join_info is not None or not self._ccp_is_agent():
            return
        join = self._meetings.agent_join_info(self._username, contact_id)
        if join is not None:
            self._call_contact = contact_id
            self._signalled.add(join.meeting_id)
            self.call.offer_rejoin(join)

    def _signal(self, contact_id: str, action: VideoAction, meeting_id: str) -> None:
        self.ccp.send_chat_message(contact_id, format_video_signal(action, meeting_id))
        log.info('meeting.signal_sent action=%s meeting=%s contact=%s', action.value, meeting_id, contact_id)

    def _open(self, contact_id: str) -> None:
        if contact_id != self._call_contact:
            self.call.forget_ended()  # "The video session has ended" was about another contact
        ui.navigate.to(f'{DESKTOP_ROOT}/contact/{contact_id}')

    async def _logout(self) -> None:
        ui.navigate.to(await self._end_session(self._session))

"""The agent desktop: one page whose CCP panel stays put while sub-pages switch between contacts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from nicegui import app, ui

from agent_ui.adhoc_dialog import AdhocDialog
from agent_ui.desktop_frame import DESKTOP_ROOT, desktop_body, desktop_header
from agent_ui.extensions import DesktopExtensions
from agent_ui.local_desktop.ccp_panel import CcpPanel
from agent_ui.local_desktop.contact_view import ContactView
from agent_ui.local_desktop.softphone import Softphone
from agent_ui.login.auth import LOGIN_PATH
from agent_ui.recording_control import AgentRecordingControl
from agent_ui.video_start import start_agent_video
from backend.domain.errors import DomainError
from backend.domain.model import AgentStatus, ParticipantRole
from backend.events import (
    AgentChanged,
    ContactChanged,
    DesktopTakenOver,
    Event,
    MeetingChanged,
    MessageAdded,
    TypingStarted,
    VoiceChanged,
)
from backend.services.agent_desk import AgentDeskService
from backend.services.meetings import MeetingService
from backend.services.recordings import RecordingService
from backend.services.voice import VoiceService


async def _forget_agent(session: MutableMapping[str, Any]) -> str:
    session.clear()
    return LOGIN_PATH


class AgentDesktop:
    def __init__(self, desk: AgentDeskService, meetings: MeetingService, extensions: DesktopExtensions, username: str,
                 *, ice_servers: list[dict[str, object]], adhoc_dialog: Callable[[], AdhocDialog],
                 voice: VoiceService,
                 end_session: Callable[[MutableMapping[str, Any]], Awaitable[str]] | None = None,
                 recordings: RecordingService | None = None) -> None:
        self._recordings = recordings
        self._desk, self._meetings, self._extensions, self._username = desk, meetings, extensions, username
        self._adhoc_dialog = adhoc_dialog
        self._end_session = end_session or _forget_agent  # returns where the browser goes after logout
        self._ice_servers = ice_servers
        self._voice = voice
        self._call_contact: str | None = None
        self._desk_id = ''
        self._view: ContactView | None = None
        self._unread: set[str] = set()

    def build(self) -> None:
        agent = self._desk.agent(self._username)
        self._session = app.storage.user  # captured while the page's request is current, for later handlers
        self.adhoc = desktop_header(agent.display_name, self._session, adhoc_dialog=self._adhoc_dialog,
                                    on_logout=self._logout)
        with ui.left_drawer(value=True, fixed=True).props('width=320 bordered').classes('p-3'):
            self.ccp = CcpPanel(on_status=self._set_status, on_accept=self._accept, on_reject=self._reject,
                                on_open=self._open)
            with self.ccp.call_slot:
                self.softphone = Softphone(desk=self._desk, voice=self._voice, meetings=self._meetings,
                                           username=self._username, ice_servers=self._ice_servers, guard=self._active,
                                           is_active=lambda: self._desk.is_active(self._username, self._desk_id))
        self.call = desktop_body(home=self._home, contact_page=self._contact_page, meetings=self._meetings,
                                 ice_servers=self._ice_servers, on_end_for_all=self._end_for_all)
        if self._recordings is not None:
            AgentRecordingControl(self.call, self._recordings, self._username, agent.display_name,
                                  contact_of=lambda: self._call_contact)
        with ui.dialog().props('persistent') as self.taken_over, ui.card():
            ui.label('Your desktop is open in another tab.').classes('text-lg')
            ui.label('Only one tab can handle contacts at a time.').classes('text-sm')
            ui.button('Use this tab', on_click=self._take_back).props('data-testid=use-here')
        self._desk_id = self._desk.open_desktop(self._username)
        subscription = self._desk.subscribe(self._username, self._on_event)
        client = ui.context.client
        client.on_delete(subscription.close)
        client.on_delete(lambda: self._desk.close_desktop(self._username, self._desk_id))
        self._refresh()
        self._offer_rejoin()

    # views

    def _home(self) -> None:
        self._view = None
        with ui.column().classes('p-6 gap-2'):
            ui.label('No contact selected').classes('text-xl')
            ui.label('Set your status to Available to receive chats and calls; accepted ones appear on the left.') \
                .classes('text-grey-8')

    def _contact_page(self, contact_id: str) -> None:
        try:
            contact = self._desk.contact(self._username, contact_id)
        except DomainError as error:
            self._view = None
            ui.label(str(error)).classes('p-6 text-lg').props('data-testid=contact-missing')
            return
        self._unread.discard(contact_id)
        self._view = ContactView(self._desk, self._desk.agent(self._username), contact, self._extensions,
                                 guard=self._active, on_cleared=lambda: ui.navigate.to(DESKTOP_ROOT),
                                 on_start_video=self._start_video)
        self._refresh_contacts()

    # events

    def _on_event(self, event: Event) -> None:
        if isinstance(event, DesktopTakenOver):
            if event.desk_id == self._desk_id:
                self.taken_over.open()
                self.softphone.refresh()  # the call's audio moves to the new tab
            return
        if isinstance(event, AgentChanged):
            self.ccp.show_agent(event.agent)
            return
        if isinstance(event, VoiceChanged):
            self.softphone.refresh()
            return
        if isinstance(event, MeetingChanged):
            if not event.live:
                self.call.meeting_ended(event.meeting_id)
            return
        view = self._view
        if isinstance(event, MessageAdded):
            if view is not None and view.contact_id == event.contact_id:
                view.transcript.show([event.message])
            elif event.message.role is ParticipantRole.CUSTOMER and event.contact_id not in self._unread:
                self._unread.add(event.contact_id)  # one badge on one row; the rest of the list stays as it is
                if not self.ccp.mark_unread(event.contact_id):
                    self._refresh_contacts()
        elif isinstance(event, TypingStarted):
            if view is not None and view.contact_id == event.contact_id and event.role is ParticipantRole.CUSTOMER:
                view.transcript.show_typing()
        elif isinstance(event, ContactChanged):
            if view is not None and view.contact_id == event.contact.contact_id:
                view.show_state(event.contact.state)
            self._refresh()

    def _refresh(self) -> None:
        self.ccp.show_agent(self._desk.agent(self._username))
        offer = self._desk.offer(self._username)
        if offer is None:
            self.ccp.hide_offer()
        else:
            self.ccp.show_offer(*offer)
        self._refresh_contacts()
        self.softphone.refresh()

    def _refresh_contacts(self) -> None:
        current = self._view.contact_id if self._view is not None else None
        self.ccp.show_contacts(self._desk.contacts(self._username), self._unread, current)

    # actions

    def _active(self) -> bool:
        if self._desk.is_active(self._username, self._desk_id):
            return True
        self.taken_over.open()
        return False

    def _take_back(self) -> None:
        self._desk_id = self._desk.open_desktop(self._username)
        self.taken_over.close()
        self._refresh()

    async def _start_video(self, contact_id: str) -> None:
        if self._active() and await start_agent_video(self.call, self._meetings, self._username, contact_id,
                                                      call_contact=self._call_contact):
            self._call_contact = contact_id

    async def _end_for_all(self) -> None:
        if self._call_contact is None or not self._active():
            return
        try:
            await self._meetings.end_for_all(self._username, self._call_contact)
        except DomainError as error:
            ui.notify(str(error), type='negative')

    def _offer_rejoin(self) -> None:
        """After a reload, a live meeting of one of the agent's contacts is offered for rejoining."""
        for contact in self._desk.contacts(self._username):
            join = self._meetings.agent_join_info(self._username, contact.contact_id)
            if join is not None:
                self._call_contact = contact.contact_id
                self.call.offer_rejoin(join)
                return

    def _set_status(self, status: AgentStatus) -> None:
        if self._active():
            self._try(lambda: self._desk.set_status(self._username, status))

    def _accept(self) -> None:
        offer = self._desk.offer(self._username)
        if offer is not None and self._active() and self._try(lambda: self._desk.accept(self._username,
                                                                                          offer[0].contact_id)):
            self._open(offer[0].contact_id)

    def _reject(self) -> None:
        offer = self._desk.offer(self._username)
        if offer is not None and self._active():
            self._try(lambda: self._desk.reject(self._username, offer[0].contact_id))

    def _open(self, contact_id: str) -> None:
        if contact_id != self._call_contact:
            self.call.forget_ended()  # "The video session has ended" was about another contact
        ui.navigate.to(f'{DESKTOP_ROOT}/contact/{contact_id}')

    async def _logout(self) -> None:
        if self._active() and self._try(lambda: self._desk.logout(self._username, self._desk_id)):
            ui.navigate.to(await self._end_session(self._session))

    def _try(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except DomainError as error:
            ui.notify(str(error), type='negative')
            return False
        self._refresh()
        return True


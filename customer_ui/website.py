"""The demo company website: a branded page with a floating "Video call now" launcher that opens the chat.

The page stays light until the launcher is used (form and chat are built on demand), because a contact centre's
website has many idle visitors for every one who starts a chat.
"""

from __future__ import annotations

from collections.abc import Sequence

from nicegui import ui

from backend.domain.errors import DomainError
from backend.domain.model import Contact, ContactState
from backend.services.customer_chat import CustomerChatService
from backend.services.meetings import MeetingService
from backend.services.recordings import RecordingService
from backend.settings import Settings
from customer_ui.branding import branded_header
from customer_ui.chat_panel import CustomerChatPanel
from customer_ui.link_fragment import LinkFragment
from customer_ui.page_presence import PresenceListener, report_presence
from customer_ui.start_form import StartForm
from customer_ui.tab_session import TabSession
from ui_common.adhoc_link import AdhocLink, names_a_reference, parse_fragment
from ui_common.client_address import client_address

# while a chat is on the page the launcher is the way back to it (or out of the way): "Video call now" there
# would promise a second conversation the customer cannot start
BACK_TO_CHAT_TEXT = 'Back to your chat'
HIDE_CHAT_TEXT = 'Hide chat'


class CustomerWebsite:
    def __init__(self, settings: Settings, chat: CustomerChatService, meetings: MeetingService, *,
                 presence: Sequence[PresenceListener], recordings: RecordingService | None = None) -> None:
        self._settings, self._chat, self._meetings, self._presence = settings, chat, meetings, presence
        self._recordings = recordings
        self._client_address = ''
        self._chat_panel: CustomerChatPanel | None = None
        self._restored = False  # the tab's running chat (if any) is on screen; links may act from now on
        self._pending_link: AdhocLink | None = None

    async def build(self) -> None:
        settings = self._settings
        self._tab = TabSession(settings.page_connect_timeout_seconds)  # before the HTML goes out: it may set a cookie
        with branded_header(settings):
            ui.label(settings.company_tagline).classes('text-sm opacity-80 max-sm:hidden')
            ui.link('Call us', '/call').classes('text-white text-sm font-medium') \
                .props('data-testid=call-us aria-label="Call us from your browser"')
        with ui.column().classes('w-full max-w-3xl mx-auto p-6 gap-4'):
            ui.label(f'Welcome to {settings.company_name}').classes('text-3xl font-bold')
            ui.label(settings.welcome_text).classes('text-lg text-grey-8')
            with ui.row().classes('gap-4 flex-wrap'):
                for title, text in (('Accounts', 'Open and manage your accounts online.'),
                                    ('Cards', 'Freeze, unfreeze and order cards in seconds.'),
                                    ('Help', 'Our agents are a click away, by chat or video.')):
                    with ui.card().classes('w-52'):
                        ui.label(title).classes('font-medium')
                        ui.label(text).classes('text-sm text-grey-8')
        self.panel = ui.card().classes('fixed z-50 bottom-24 right-0 w-full sm:w-[26rem] sm:right-6 p-4') \
            .style('max-height: calc(100vh - 7rem); overflow-y: auto') \
            .props('data-testid=chat-window')
        self.panel.set_visibility(False)
        self.launcher = ui.button(settings.launcher_text, icon='video_call', on_click=self._toggle) \
            .classes('fixed z-50 bottom-6 right-6').props('rounded size=lg data-testid=launcher')
        self._client_address = client_address()
        self.link_fragment = LinkFragment(on_read=self._open_link)
        client = ui.context.client
        if not await self._tab.connected():
            return  # no socket came (a crawler, a probe): nothing to restore
        if self._chat.current_contact(self._session_key) is not None:
            self._show_chat()
        # after the lookup above: the service then knows whether the tab has a chat
        report_presence(client, self._session_key, self._presence)
        self._restored = True
        if self._pending_link is not None:
            self._apply_link(self._pending_link)

    @property
    def _session_key(self) -> str:
        return self._tab.key

    def _toggle(self) -> None:
        if not self.panel.visible and self._chat_panel is None and not list(self.panel):
            with self.panel:
                StartForm(self._start)
        self.panel.set_visibility(not self.panel.visible)
        self._show_launcher()

    async def _start(self, name: str, email: str, reference: str) -> str | None:
        try:
            await self._chat.start_chat(self._session_key, name=name, email=email, reference=reference,
                                        client_address=self._client_address)
        except DomainError as error:
            return str(error)
        self._show_chat()
        return None

    def _show_chat(self) -> None:
        contact = self._chat.current_contact(self._session_key)
        if contact is None:
            return
        if self._chat_panel is not None:
            self._chat_panel.close()
        self.panel.clear()
        with self.panel:
            self._chat_panel = CustomerChatPanel(self._chat, self._meetings, self._session_key, contact,
                                                 on_new_chat=self._new_chat, ice_servers=self._settings.ice_servers,
                                                 recordings=self._recordings)
        self.panel.set_visibility(True)
        self._show_launcher()

    def _new_chat(self) -> None:
        """The form again, keeping the ended chat's name and email (e.g. to fix a refused reference and retry)."""
        ended = self._chat.current_contact(self._session_key)
        if ended is None:
            self._show_form()
            return
        self._show_form(name=ended.customer_name, email=ended.customer_email,
                        show_reference=ended.attributes.get('videoReferenceId') == 'error')

    def _show_form(self, *, name: str = '', email: str = '', reference: str = '', show_reference: bool = False) -> None:
        if self._chat_panel is not None:
            self._chat_panel.close()
            self._chat_panel = None
        self.panel.clear()
        with self.panel:
            StartForm(self._start, name=name, email=email, reference=reference, show_reference=show_reference)
        self.panel.set_visibility(True)
        self._show_launcher()

    def _show_launcher(self) -> None:
        """The launcher says what a click does: with a chat on the page it shows or hides that chat."""
        if self._chat_panel is None:
            text, icon = self._settings.launcher_text, 'video_call'
        elif self.panel.visible:
            text, icon = HIDE_CHAT_TEXT, 'expand_more'
        else:
            text, icon = BACK_TO_CHAT_TEXT, 'chat'
        if self.launcher.text != text:
            self.launcher.set_text(text)
            self.launcher.props(f'icon={icon}')

    def _open_link(self, fragment: str) -> None:
        """An invitation link (``#ref=…&email=…``) opens the chat window with the form filled in; the fragment is
        removed from the address bar at once, and a garbled one is ignored."""
        if not names_a_reference(fragment):
            return  # an ordinary anchor: not ours to touch
        self.link_fragment.forget()
        link = parse_fragment(fragment)
        if link is None:
            return
        if self._restored:
            self._apply_link(link)
        else:
            self._pending_link = link  # the page is still looking for this tab's running chat

    def _apply_link(self, link: AdhocLink) -> None:
        self._pending_link = None
        if _running(self._chat.current_contact(self._session_key)):
            if self._chat_panel is None:
                self._show_chat()
            self.panel.set_visibility(True)  # a tab that is already chatting keeps its chat and ignores the link
            self._show_launcher()
            return
        self._show_form(email=link.email, reference=link.reference)


def _running(contact: Contact | None) -> bool:
    return contact is not None and contact.state not in (ContactState.AFTER_CONTACT_WORK, ContactState.ENDED)


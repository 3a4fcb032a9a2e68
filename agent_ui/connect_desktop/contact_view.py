"""One contact on the desktop on the Connect CCP: who the customer is and Start video (aws mode).

The local ``ContactView`` without the transcript, reply box and End / Clear buttons: in aws mode the CCP has the
chat and ends and clears contacts itself. Same test ids, so the page reads the same in both modes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from agent_ui.contact_parts import STATE_TEXT, attributes_table, contact_heading, extension_panels
from agent_ui.extensions import ContactPanelContext, DesktopExtensions
from backend.domain.model import Agent, Channel, Contact, ContactState

STATE_TEXT_CCP = {ContactState.CONNECTING: 'Incoming', **STATE_TEXT}
CHAT_IN_CCP_TEXT = 'The chat is in the contact control panel on the left.'
CALL_TEXT = 'Phone call: to move this caller to video, use Create ad-hoc and give them the reference.'


class ConnectContactView(ui.column):
    def __init__(self, contact: Contact, agent: Agent, extensions: DesktopExtensions, *,
                 on_start_video: Callable[[str], Awaitable[None]]) -> None:
        super().__init__()
        self.classes('w-full gap-3 p-4 max-w-4xl')
        self.contact_id = contact.contact_id
        self._is_chat = contact.channel is Channel.CHAT
        with self:
            _, self.state_badge, self.video_button = contact_heading(contact, on_start_video)
            with ui.row().classes('items-center gap-1 text-sm text-grey-8'):
                if contact.channel is Channel.VOICE:
                    ui.icon('phone').props('data-testid=voice-contact')
                ui.label(contact.customer_email).props('data-testid=customer-email')
            ui.label(CHAT_IN_CCP_TEXT if self._is_chat else CALL_TEXT if contact.channel is Channel.VOICE else
                     f'A {contact.channel.value.lower()} contact: video starts from a chat.') \
                .classes('text-sm text-grey-8').props('data-testid=contact-hint')
            attributes_table(contact.attributes)
            extension_panels(extensions, ContactPanelContext(contact=contact, agent=agent))
        self.show_state(contact.state)

    def show_state(self, state: ContactState) -> None:
        self.state_badge.set_text(STATE_TEXT_CCP.get(state, state.value))
        self.video_button.set_visibility(self._is_chat and state is ContactState.CONNECTED)

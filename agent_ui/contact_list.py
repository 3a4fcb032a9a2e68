"""The agent's list of contacts under the CCP, shared by the local CCP panel and the desktop on the Connect CCP."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from backend.domain.model import Channel, Contact, ContactState

STATE_LABELS = {
    ContactState.CONNECTING: 'Incoming',
    ContactState.CONNECTED: 'Connected',
    ContactState.AFTER_CONTACT_WORK: 'After contact work',
}
CHANNEL_ICONS = {Channel.CHAT: 'chat', Channel.VOICE: 'phone', Channel.TASK: 'task'}


class ContactList(ui.list):
    def __init__(self, *, on_open: Callable[[str], None], show_connecting: bool = False) -> None:
        """:param show_connecting: list offered contacts too (the local panel shows them as its offer card instead)"""
        super().__init__()
        self.props('bordered separator dense data-testid=contact-list').classes('w-full')
        self._on_open, self._show_connecting = on_open, show_connecting

    def show(self, contacts: list[Contact], unread: set[str], current: str | None) -> None:
        self.clear()
        with self:
            held = [c for c in contacts if self._show_connecting or c.state is not ContactState.CONNECTING]
            if not held:
                with ui.item():  # a list holds items, also when it is empty (screen readers count them)
                    ui.item_label('No contacts yet').classes('text-grey-7')
            for contact in held:
                with ui.item(on_click=lambda c=contact: self._on_open(c.contact_id)) \
                        .props(f'clickable active={contact.contact_id == current} data-testid=contact-item'):
                    with ui.item_section().props('avatar'):
                        ui.icon(CHANNEL_ICONS.get(contact.channel, 'task'), color='primary') \
                            .props(f'data-testid=channel-{contact.channel.value.lower()}')
                    with ui.item_section():
                        ui.item_label(contact.customer_name)
                        ui.item_label(STATE_LABELS.get(contact.state, contact.state.value)).props('caption')
                    if contact.contact_id in unread:
                        with ui.item_section().props('side'):
                            ui.badge('new', color='primary').props('data-testid=unread')

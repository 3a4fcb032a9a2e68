"""The agent's list of contacts under the CCP, shared by the local CCP panel and the desktop on the Connect CCP.

The list is updated in place: one row per contact, kept while the contact is listed, whose state, active mark and
unread badge change on their own. Rebuilding the whole list on every change made each new unread contact cost a
dozen elements per listed contact; when every chat sent its first message at once that was hundreds of rebuilds
(benchmarks/README.md, "Capacity of one process").
"""

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
# in words too: a customer who called and then chatted has two rows of the same name, which an icon alone (unseen by
# a screen reader, easy to miss for anyone) does not tell apart
CHANNEL_WORDS = {Channel.CHAT: 'Chat', Channel.VOICE: 'Call', Channel.TASK: 'Task'}


class ContactRow(ui.item):
    """One contact in the list: channel icon, customer name, channel and state in words, and an unread badge while
    there is news."""

    def __init__(self, contact: Contact, on_open: Callable[[str], None]) -> None:
        contact_id = contact.contact_id
        super().__init__(on_click=lambda: on_open(contact_id))
        self.contact_id = contact_id
        self._active = False
        self.props('clickable active=False data-testid=contact-item')
        with self:
            with ui.item_section().props('avatar'):
                ui.icon(CHANNEL_ICONS.get(contact.channel, 'task'), color='primary') \
                    .props(f'data-testid=channel-{contact.channel.value.lower()} aria-hidden=true')
            with ui.item_section():
                self.name_label = ui.item_label(contact.customer_name)
                with ui.item_label().props('caption').classes('row no-wrap gap-1'):
                    ui.label(CHANNEL_WORDS.get(contact.channel, 'Task')).props('data-testid=contact-channel')
                    ui.label('·').props('aria-hidden=true')
                    self.state_label = ui.label(_state_text(contact.state))
        self._badge: ui.item_section | None = None

    @property
    def unread(self) -> bool:
        return self._badge is not None

    def show(self, contact: Contact, *, unread: bool, active: bool) -> None:
        """Change only what differs from what the row shows."""
        if self.name_label.text != contact.customer_name:
            self.name_label.set_text(contact.customer_name)
        state = _state_text(contact.state)
        if self.state_label.text != state:
            self.state_label.set_text(state)
        if active != self._active:
            self._active = active
            self.props(f'active={active}')  # the same prop text as the rebuilt rows had
        self.show_unread(unread)

    def show_unread(self, unread: bool) -> None:
        """The badge is an element only while it shows, as before: no hidden badges on the page."""
        if unread and self._badge is None:
            with self:
                with ui.item_section().props('side') as self._badge:
                    ui.badge('new', color='primary').props('data-testid=unread')
        elif not unread and self._badge is not None:
            self._badge.delete()
            self._badge = None


class ContactList(ui.list):
    def __init__(self, *, on_open: Callable[[str], None], show_connecting: bool = False) -> None:
        """:param show_connecting: list offered contacts too (the local panel shows them as its offer card instead)"""
        super().__init__()
        self.props('bordered separator dense data-testid=contact-list').classes('w-full')
        self._on_open, self._show_connecting = on_open, show_connecting
        self._rows: dict[str, ContactRow] = {}
        self._empty: ui.item | None = None

    def show(self, contacts: list[Contact], unread: set[str], current: str | None) -> None:
        """Show these contacts in this order: rows are added, removed, moved and changed, never all rebuilt."""
        held = [c for c in contacts if self._show_connecting or c.state is not ContactState.CONNECTING]
        listed = {c.contact_id for c in held}
        for contact_id in [i for i in self._rows if i not in listed]:
            self._rows.pop(contact_id).delete()
        self._show_empty(not held)
        for index, contact in enumerate(held):
            row = self._rows.get(contact.contact_id)
            if row is None:
                with self:
                    row = self._rows[contact.contact_id] = ContactRow(contact, self._on_open)
            if self.default_slot.children[index] is not row:
                row.move(self, target_index=index)
            row.show(contact, unread=contact.contact_id in unread, active=contact.contact_id == current)

    def mark_unread(self, contact_id: str) -> bool:
        """Badge one listed contact; False when it is not listed (the caller then refreshes the whole list)."""
        row = self._rows.get(contact_id)
        if row is None:
            return False
        row.show_unread(True)
        return True

    def _show_empty(self, empty: bool) -> None:
        if empty and self._empty is None:
            with self, ui.item() as self._empty:  # a list holds items, also when empty (screen readers count them)
                ui.item_label('No contacts yet').classes('text-grey-7')
        elif not empty and self._empty is not None:
            self._empty.delete()
            self._empty = None


def _state_text(state: ContactState) -> str:
    return STATE_LABELS.get(state, state.value)

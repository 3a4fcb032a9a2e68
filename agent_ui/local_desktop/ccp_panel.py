"""CCP Panel

The agent's contact control panel: status, the ringing offer (chat or call) with Accept / Reject, a slot for the
softphone, and the list of the agent's contacts. It lives outside the sub-pages, so it never rebuilds while the agent
moves between contacts.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from nicegui import ui

from agent_ui.contact_list import ContactList
from backend.domain.model import SELECTABLE_STATUSES, Agent, AgentStatus, Channel, Contact

RINGTONE_URL = '/assets/audio/ring.wav'

OFFER_TITLES = {Channel.CHAT: 'Incoming chat', Channel.VOICE: 'Incoming call'}
STATUS_COLORS = {AgentStatus.AVAILABLE: 'positive', AgentStatus.BREAK: 'warning', AgentStatus.OFFLINE: 'grey',
                 AgentStatus.MISSED: 'negative', AgentStatus.REJECTED: 'negative'}


class CcpPanel(ui.column):
    def __init__(self, *, on_status: Callable[[AgentStatus], None], on_accept: Callable[[], None],
                 on_reject: Callable[[], None], on_open: Callable[[str], None]) -> None:
        super().__init__()
        self.classes('w-full gap-3')
        self._on_status = on_status
        self._offer_expires_at = 0.0
        self._showing_agent = False
        with self:
            with ui.card().classes('w-full'):
                with ui.row().classes('w-full items-center justify-between'):
                    ui.label('Status').classes('text-sm text-grey-7')
                    self.status_badge = ui.badge().props('data-testid=agent-status')
                self.status_select = ui.select({s.value: s.value for s in SELECTABLE_STATUSES},
                                               label='Change status', on_change=self._status_chosen) \
                    .classes('w-full').props('dense outlined data-testid=status-select')
                self.status_hint = ui.label().classes('text-xs text-negative').props('data-testid=status-hint')
            with ui.card().classes('w-full bg-amber-1').props('data-testid=offer') as self.offer_card:
                self.offer_title = ui.label().classes('text-sm font-medium').props('data-testid=offer-title')
                self.offer_name = ui.label().classes('text-lg font-bold').props('data-testid=offer-name')
                self.offer_countdown = ui.label().classes('text-xs text-grey-8')
                with ui.row().classes('w-full'):
                    ui.button('Accept', icon='call', on_click=on_accept).props('color=positive data-testid=accept')
                    ui.button('Reject', icon='call_end', on_click=on_reject) \
                        .props('color=negative outline data-testid=reject')
                self.ringtone = ui.audio(RINGTONE_URL, controls=False, loop=True).classes('hidden')
            self.offer_card.set_visibility(False)
            self.call_slot = ui.column().classes('w-full gap-0')  # the softphone, built by the desktop
            ui.label('My contacts').classes('text-sm text-grey-7 q-mt-sm')
            self.contact_list = ContactList(on_open=on_open)
        self._countdown = ui.timer(1.0, self._tick, active=False)

    def show_agent(self, agent: Agent) -> None:
        self.status_badge.set_text(agent.status.value)
        self.status_badge.props(f'color={STATUS_COLORS[agent.status]}')
        self._showing_agent = True  # reflecting the server's status must not echo back as a new choice
        try:
            self.status_select.set_value(agent.status.value if agent.status in SELECTABLE_STATUSES else None)
        finally:
            self._showing_agent = False
        if agent.status in SELECTABLE_STATUSES:
            self.status_hint.set_text('')
        else:
            self.status_hint.set_text('You did not answer a contact. Choose a status to continue.'
                                      if agent.status is AgentStatus.MISSED else
                                      'You rejected a contact. Choose a status to continue.')

    def show_offer(self, contact: Contact, expires_at: float) -> None:
        self.offer_title.set_text(OFFER_TITLES[contact.channel])
        self.offer_name.set_text(contact.customer_name)
        self._offer_expires_at = expires_at
        self._tick()
        self.offer_card.set_visibility(True)
        self._countdown.activate()
        self.ringtone.play()

    def hide_offer(self) -> None:
        if self.offer_card.visible:
            self.offer_card.set_visibility(False)
            self._countdown.deactivate()
            self.ringtone.pause()

    def show_contacts(self, contacts: list[Contact], unread: set[str], current: str | None) -> None:
        self.contact_list.show(contacts, unread, current)

    def mark_unread(self, contact_id: str) -> bool:
        """Badge one listed contact; False when the list does not show it yet."""
        return self.contact_list.mark_unread(contact_id)

    def _status_chosen(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.value and not self._showing_agent:
            self._on_status(AgentStatus(event.value))

    def _tick(self) -> None:
        remaining = max(0, round(self._offer_expires_at - time.time()))
        self.offer_countdown.set_text(f'Answer within {remaining} s')

"""One contact on the agent desktop: who the customer is, the chat, and the End / Clear buttons.

A phone call shows its event lines read-only (no reply box, no video); the softphone in the CCP panel ends it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from agent_ui.contact_parts import STATE_TEXT, attributes_table, contact_heading, extension_panels
from agent_ui.extensions import ContactPanelContext, DesktopExtensions
from backend.domain.errors import DomainError
from backend.domain.model import Agent, Channel, Contact, ContactState, ParticipantRole
from backend.services.agent_desk import AgentDeskService
from ui_common.chat_transcript import ChatTranscript
from ui_common.reply_input import ReplyInput
from ui_common.reply_sender import ReplySender
from ui_common.typing_throttle import TypingThrottle


class ContactView(ui.column):
    def __init__(self, desk: AgentDeskService, agent: Agent, contact: Contact, extensions: DesktopExtensions, *,
                 guard: Callable[[], bool], on_cleared: Callable[[], None],
                 on_start_video: Callable[[str], Awaitable[None]]) -> None:
        super().__init__()
        self.classes('w-full gap-3 p-4 max-w-4xl')
        self.contact_id = contact.contact_id
        self._is_call = contact.channel is Channel.VOICE
        self._desk, self._agent, self._guard, self._on_cleared = desk, agent, guard, on_cleared
        with self:
            heading, self.state_badge, self.video_button = contact_heading(contact, on_start_video)
            with heading:
                self.end_button = ui.button('End contact', icon='call_end', on_click=self._end) \
                    .props('color=negative data-testid=end-contact')
                self.clear_button = ui.button('Clear contact', icon='done_all', on_click=self._clear) \
                    .props('color=primary data-testid=clear-contact')
            with ui.row().classes('items-center gap-1 text-sm text-grey-8'):
                if self._is_call:
                    ui.icon('phone').props('data-testid=voice-contact')
                ui.label('Phone call' if self._is_call else contact.customer_email).props('data-testid=customer-email')
            attributes_table(contact.attributes)
            with ui.card().classes('w-full'):
                self.transcript = ChatTranscript(own_role=ParticipantRole.AGENT, typing_label='Customer is typing…')
                with ui.row().classes('w-full items-center no-wrap gap-1') as self.reply_row:
                    self.reply = ReplyInput(placeholder='Reply to the customer') \
                        .props('dense outlined aria-label="Reply to the customer" data-testid=agent-reply') \
                        .classes('grow')
                    ui.button(icon='send', on_click=self._send) \
                        .props('round dense aria-label="Send reply" data-testid=agent-send')
                with ui.row().classes('w-full items-start no-wrap gap-2'):
                    self.error = ui.label().classes('text-negative text-xs grow') \
                        .props('role=alert data-testid=agent-error')
                    counter = ui.label().props('data-testid=agent-reply-counter')
                self._sender = ReplySender(self.reply, self.error, counter, f'agent:{contact.contact_id}',
                                           lambda text: desk.send(agent.username, contact.contact_id, text))
            extension_panels(extensions, ContactPanelContext(contact=contact, agent=agent))
        self.reply.on('keydown.enter', self._send)
        typing = TypingThrottle(lambda: desk.typing(agent.username, contact.contact_id))
        self.reply.on_value_change(lambda e: typing() if e.value else None)
        self.transcript.show(desk.transcript(agent.username, contact.contact_id))
        self.show_state(contact.state)

    def show_state(self, state: ContactState) -> None:
        self.state_badge.set_text(STATE_TEXT.get(state, state.value))
        chatting = state is ContactState.CONNECTED and not self._is_call
        self.end_button.set_visibility(chatting)
        self.video_button.set_visibility(chatting)
        self.clear_button.set_visibility(state is ContactState.AFTER_CONTACT_WORK)
        self.reply_row.set_visibility(chatting)

    async def _send(self) -> None:
        if self._guard():
            await self._sender.send()

    def _end(self) -> None:
        if self._guard():
            self._act(lambda: self._desk.end_contact(self._agent.username, self.contact_id))

    def _clear(self) -> None:
        if self._guard() and self._act(lambda: self._desk.clear_contact(self._agent.username, self.contact_id)):
            self._on_cleared()

    def _act(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except DomainError as error:
            ui.notify(str(error), type='negative')
            return False
        return True

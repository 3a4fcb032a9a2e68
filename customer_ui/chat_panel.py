"""The customer's chat: status line, transcript, reply box with typing notifications, End chat."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from backend.domain.errors import DomainError
from backend.domain.model import Contact, ContactState, ParticipantRole
from backend.domain.validation import MAX_MESSAGE_LENGTH
from backend.events import ContactChanged, Event, MessageAdded, TypingStarted
from backend.services.customer_chat import CustomerChatService
from ui_common.chat_transcript import ChatTranscript
from ui_common.typing_throttle import TypingThrottle

WAITING_STATES = {ContactState.INITIATED, ContactState.IN_FLOW, ContactState.QUEUED, ContactState.CONNECTING}


class CustomerChatPanel(ui.column):
    def __init__(self, chat: CustomerChatService, session_key: str, contact: Contact, *,
                 on_new_chat: Callable[[], None]) -> None:
        """Customer Chat Panel

        Subscribes to its contact's events for as long as the page lives; rebuilds its history from the backend,
        so a reload shows the same conversation.
        """
        super().__init__()
        self.classes('w-full gap-2')
        self._chat, self._session_key = chat, session_key
        with self:
            with ui.row().classes('w-full items-center no-wrap'):
                self.status = ui.label().classes('text-sm font-medium grow').props('data-testid=chat-status')
                self.end_button = ui.button('End chat', on_click=self._end).props('flat dense color=negative') \
                    .props('data-testid=end-chat')
            self.transcript = ChatTranscript(own_role=ParticipantRole.CUSTOMER, typing_label='Agent is typing…')
            with ui.row().classes('w-full items-center no-wrap gap-1') as self.reply_row:
                self.reply = ui.input(placeholder='Type a message') \
                    .props(f'dense outlined maxlength={MAX_MESSAGE_LENGTH} data-testid=reply').classes('grow')
                self.send_button = ui.button(icon='send', on_click=self._send).props('round dense data-testid=send')
            self.error = ui.label().classes('text-negative text-xs').props('role=alert data-testid=chat-error')
            self.new_chat = ui.button('Start a new chat', on_click=on_new_chat).props('outline data-testid=new-chat')
        typing = TypingThrottle(lambda: chat.typing(session_key))
        self.reply.on('keydown.enter', self._send)
        self.reply.on_value_change(lambda e: typing() if e.value else None)
        self._subscription = chat.subscribe(session_key, self._on_event)
        ui.context.client.on_delete(self._subscription.close)
        self.transcript.show(chat.transcript(session_key))
        self._show_state(contact.state)

    def close(self) -> None:
        self._subscription.close()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, MessageAdded):
            self.transcript.show([event.message])
        elif isinstance(event, TypingStarted) and event.role is ParticipantRole.AGENT:
            self.transcript.show_typing()
        elif isinstance(event, ContactChanged):
            self._show_state(event.contact.state)

    def _show_state(self, state: ContactState) -> None:
        ended = state in (ContactState.AFTER_CONTACT_WORK, ContactState.ENDED)
        if state in WAITING_STATES:
            self.status.set_text('Connecting you to an agent…')
        elif state is ContactState.CONNECTED:
            self.status.set_text('You are chatting with an agent')
        else:
            self.status.set_text('This chat has ended')
        self.reply_row.set_visibility(not ended)
        self.end_button.set_visibility(not ended)
        self.new_chat.set_visibility(ended)

    async def _send(self) -> None:
        text = self.reply.value or ''
        try:
            await self._chat.send(self._session_key, text)
        except DomainError as error:
            self.error.set_text(str(error))
            return
        self.error.set_text('')
        self.reply.set_value('')

    async def _end(self) -> None:
        await self._chat.end_chat(self._session_key)

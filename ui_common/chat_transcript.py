"""Chat Transcript

A scrolling list of chat messages for one contact, shared by the customer panel and the agent's chat view.
All user text goes through ``ui.chat_message`` with ``text_html=False``, so it always renders as text.
"""

from __future__ import annotations

import time
from datetime import datetime

from nicegui import ui

from backend.domain.model import Message, MessageKind, ParticipantRole

TYPING_SHOWN_SECONDS = 3.0


class ChatTranscript(ui.column):
    def __init__(self, *, own_role: ParticipantRole, typing_label: str) -> None:
        """Chat Transcript

        :param own_role: messages from this role are drawn as "sent" (right side)
        :param typing_label: shown while the other side types, e.g. "Agent is typing…"
        """
        super().__init__()
        self.classes('w-full gap-1')
        self._own_role = own_role
        self._last_seq = 0
        self._typing_until = 0.0
        with self:
            self._scroll = ui.scroll_area().classes('w-full grow h-72').props('data-testid=transcript')
            with self._scroll:
                self._messages = ui.column().classes('w-full gap-1 p-1')
            self._typing = ui.label(typing_label).classes('text-xs italic text-grey-7 h-4') \
                .props('data-testid=typing')
        self._typing.set_visibility(False)
        self._typing_timer = ui.timer(0.5, self._hide_stale_typing, active=False)

    @property
    def last_seq(self) -> int:
        return self._last_seq

    def show(self, messages: list[Message]) -> None:
        """Append messages not shown yet; sequence numbers make repeated deliveries harmless."""
        new = [m for m in messages if m.seq > self._last_seq]
        if not new:
            return
        with self._messages:
            for message in new:
                self._render(message)
        self._last_seq = new[-1].seq
        if any(m.role is not self._own_role for m in new):
            self._typing.set_visibility(False)
        self._scroll.scroll_to(pixels=10**9)  # the browser clamps to the real bottom; percent lags new content

    def show_typing(self) -> None:
        self._typing_until = time.monotonic() + TYPING_SHOWN_SECONDS
        self._typing.set_visibility(True)
        self._typing_timer.activate()

    def _hide_stale_typing(self) -> None:
        if time.monotonic() >= self._typing_until:
            self._typing.set_visibility(False)
            self._typing_timer.deactivate()

    def _render(self, message: Message) -> None:
        stamp = datetime.fromtimestamp(message.created_at).strftime('%H:%M')
        if message.kind is MessageKind.EVENT:
            ui.label(message.text).classes('self-center text-xs text-grey-7 italic').props('data-testid=chat-event')
            return
        ui.chat_message(text=message.text, name=_display_name(message), stamp=stamp,
                        sent=message.role is self._own_role, text_html=False) \
            .props(f'data-testid=chat-{message.role.value.lower()} bg-color={_bubble(message)}')


def _display_name(message: Message) -> str:
    return 'Assistant' if message.role is ParticipantRole.SYSTEM else message.display_name


def _bubble(message: Message) -> str:
    return {ParticipantRole.SYSTEM: 'grey-3', ParticipantRole.AGENT: 'blue-2'}.get(message.role, 'green-2')

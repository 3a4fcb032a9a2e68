"""Chat Transcript

The messages of one contact, shared by the customer panel and the agent's chat view. The whole conversation is
ONE element whose browser side renders each message as text (never HTML); new messages are appended in the
browser, so a busy contact centre keeps a few bytes per message on the server instead of two elements.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from nicegui import ui

from backend.domain.model import Message, MessageKind, ParticipantRole

TYPING_SHOWN_SECONDS = 3.0
BUBBLE_COLORS = {ParticipantRole.SYSTEM: 'grey-3', ParticipantRole.AGENT: 'blue-2', ParticipantRole.CUSTOMER: 'green-2'}


class ChatTranscript(ui.element, component='chat_transcript.js'):
    def __init__(self, *, own_role: ParticipantRole, typing_label: str) -> None:
        """Chat Transcript

        :param own_role: messages from this role are drawn as "sent" (right side)
        :param typing_label: shown while the other side types, e.g. "Agent is typing…"
        """
        super().__init__()
        self.classes('w-full')
        self._own_role = own_role
        self._props['ownRole'] = own_role.value.lower()
        self._props['typingLabel'] = typing_label
        self._props['messages'] = []
        self._typing_until = 0.0

    @property
    def last_seq(self) -> int:
        messages = self._props['messages']
        return messages[-1]['seq'] if messages else 0

    @property
    def texts(self) -> list[str]:
        return [m['text'] for m in self._props['messages']]

    def show(self, messages: list[Message]) -> None:
        """Append messages not shown yet; sequence numbers make repeated deliveries harmless."""
        new = [self._item(m) for m in messages if m.seq > self.last_seq]
        if not new:
            return
        # NOTE: the list grows without an update: a (re)built page renders it all, a live page gets run_method deltas
        with self._props.suspend_updates():
            self._props['messages'].extend(new)
        if any(m.role is not self._own_role for m in messages):
            self._typing_until = 0.0
        self.run_method('append', new)

    def set_height(self, height: str) -> None:
        """Change the visible height (CSS), e.g. to make room for a video call beside the chat."""
        with self._props.suspend_updates():  # a full update would resend the whole conversation
            self._props['height'] = height
        self.run_method('setHeight', height)

    def show_typing(self) -> None:
        self._typing_until = time.monotonic() + TYPING_SHOWN_SECONDS
        self.run_method('showTyping', TYPING_SHOWN_SECONDS)

    def _displayed_contents(self, *, only_visible: bool) -> list[Any]:
        """What a reader sees, for NiceGUI's simulated User (the browser renders it in JavaScript)."""
        typing = [self._props['typingLabel']] if time.monotonic() < self._typing_until else []
        return [*super()._displayed_contents(only_visible=only_visible), *self.texts, *typing]

    def _item(self, message: Message) -> dict[str, Any]:
        return {
            'seq': message.seq,
            'kind': message.kind.value,
            'role': message.role.value.lower(),
            'name': 'Assistant' if message.role is ParticipantRole.SYSTEM else message.display_name,
            'text': message.text,
            'stamp': datetime.fromtimestamp(message.created_at).strftime('%H:%M'),
            'sent': message.role is self._own_role and message.kind is MessageKind.MESSAGE,
            'bg': BUBBLE_COLORS[message.role],
        }

"""One customer chat on Amazon Connect as our server sees it: the contact's state, its transcript, and how Connect's
chat items become the domain events the local engine publishes (MessageAdded, TypingStarted, ContactChanged,
MeetingChanged).

No I/O here apart from reading the meeting store: the channel feeds items in and publishes what comes out.
Items are deduplicated by Connect's item id, so the websocket, a transcript catch-up after a reconnect and the echo
of the customer's own message can all deliver the same item safely.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from backend.adapters.aws.chat_items import ChatItem, ItemKind
from backend.adapters.aws.connect_chat_api import ParticipantConnection
from backend.domain.model import (
    Contact,
    ContactState,
    MeetingState,
    Message,
    MessageKind,
    ParticipantRole,
    ParticipantSession,
)
from backend.domain.video_signal import VideoAction, VideoSignal, parse_video_signal
from backend.events import ContactChanged, Event, MeetingChanged, MessageAdded, TypingStarted
from backend.ports import MeetingStore

log = logging.getLogger('vce.aws.connect_chat')

SYSTEM_NAME = 'SYSTEM'
CUSTOMER_LEFT_TEXT = 'The customer left the chat.'
CHAT_ENDED_TEXT = 'The chat has ended.'
RICH_MESSAGE_TEXT = '{who} sent a message this chat cannot show.'
ATTACHMENT_TEXT = '{who} shared a file ({names}); files cannot be shown in this chat.'


class ConnectChat:
    def __init__(self, session: ParticipantSession, meetings: MeetingStore, clock: Callable[[], float]) -> None:
        self.contact = dataclasses.replace(session.contact, attributes=dict(session.contact.attributes))
        self.participant_id = session.participant_id
        self.participant_token = session.participant_token
        self.expires_at = session.expires_at
        # a stored connection token is still good for API calls; its websocket URL was never stored (100 s life)
        self.connection: ParticipantConnection | None = ParticipantConnection(
            session.connection_token, session.connection_expires_at, '', 0.0) if session.connection_token else None
        self.connection_lock = asyncio.Lock()
        self.save_lock = asyncio.Lock()  # the channel writes this chat's record one write at a time, in order
        self.messages: list[Message] = []
        self.last_typing_sent = float('-inf')
        self.customer_leaving = False  # DisconnectParticipant is under way: Connect's "chat ended" is the customer's
        self._by_item: dict[str, Message] = {}
        self._seen: set[str] = set()
        self._meetings, self._clock = meetings, clock

    @property
    def contact_id(self) -> str:
        return self.contact.contact_id

    @property
    def is_ended(self) -> bool:
        """Over for the customer: after-contact work (an agent had it) or ended."""
        return self.contact.state in (ContactState.AFTER_CONTACT_WORK, ContactState.ENDED)

    def snapshot(self) -> Contact:
        return dataclasses.replace(self.contact, attributes=dict(self.contact.attributes))

    def to_session(self) -> ParticipantSession:
        """What the store keeps; an ended chat keeps no credentials."""
        if self.is_ended:
            return ParticipantSession(self.snapshot(), self.participant_id, '', expires_at=self.expires_at)
        connection = self.connection
        return ParticipantSession(self.snapshot(), self.participant_id, self.participant_token,
                                  connection.connection_token if connection else '',
                                  connection.connection_expires_at if connection else 0.0, self.expires_at)

    # changes

    def apply(self, item: ChatItem) -> list[Event]:
        """The domain events one Connect chat item causes (none for a repeat, a forged signal or noise)."""
        if item.kind is ItemKind.TYPING:
            is_agent = item.role is ParticipantRole.AGENT and self.contact.state is ContactState.CONNECTED
            return [TypingStarted(self.contact_id, ParticipantRole.AGENT)] if is_agent else []
        if item.kind is ItemKind.OTHER or (item.item_id and item.item_id in self._seen):
            return []
        if item.item_id:
            self._seen.add(item.item_id)
        if item.kind is ItemKind.MESSAGE:
            signal = parse_video_signal(item.text) if item.raw_role == 'AGENT' else None
            if signal is not None:
                return self._video_signal(signal, item)
            message = self._add(item.role, item.display_name or item.role.value.title(), item.text,
                                MessageKind.MESSAGE, item.created_at, item.item_id)
            return [MessageAdded(self.contact_id, message)]
        if item.kind is ItemKind.RICH_MESSAGE:
            return self.line(RICH_MESSAGE_TEXT.format(who=_who(item)), item.created_at)
        if item.kind is ItemKind.ATTACHMENT:
            return self.line(ATTACHMENT_TEXT.format(who=_who(item), names=item.text), item.created_at)
        if item.kind is ItemKind.JOINED and item.role is ParticipantRole.AGENT:
            events = self.set_state(ContactState.CONNECTED)
            return events + self.line(f'{item.display_name or "An agent"} joined the chat.', item.created_at)
        if item.kind is ItemKind.LEFT and item.role is ParticipantRole.AGENT:
            events = self.line(f'{item.display_name or "The agent"} left the chat.', item.created_at)
            return events + (self.set_state(ContactState.QUEUED) if not self.is_ended else [])
        if item.kind is ItemKind.ENDED:
            return self.customer_left() if self.customer_leaving else self.end('chat_ended', CHAT_ENDED_TEXT)
        return []  # the customer's own join/leave, bots joining: no line, as in local mode

    def add_own_message(self, item_id: str, text: str, created_at: float) -> tuple[Message, list[Event]]:
        """The customer's message as SendMessage confirmed it (the websocket echo may have arrived first)."""
        if item_id in self._by_item:
            return self._by_item[item_id], []
        self._seen.add(item_id)
        message = self._add(ParticipantRole.CUSTOMER, self.contact.customer_name, text, MessageKind.MESSAGE,
                            created_at, item_id)
        return message, [MessageAdded(self.contact_id, message)]

    def line(self, text: str, created_at: float | None = None) -> list[Event]:
        """A readable system line in the transcript, like the local engine's events."""
        message = self._add(ParticipantRole.SYSTEM, SYSTEM_NAME, text, MessageKind.EVENT,
                            self._clock() if created_at is None else created_at, '')
        return [MessageAdded(self.contact_id, message)]

    def set_state(self, state: ContactState, reason: str | None = None) -> list[Event]:
        contact = self.contact
        if contact.state is state or self.is_ended:
            return []
        contact.state = state
        if state is ContactState.CONNECTED:
            contact.connected_at = self._clock()
        if self.is_ended:
            contact.ended_at, contact.end_reason = self._clock(), reason
        log.info('contact.%s contact=%s reason=%s', state.value, self.contact_id, reason)
        return [ContactChanged(self.snapshot())]

    def end(self, reason: str, text: str) -> list[Event]:
        """The chat is over. As in the local engine, a chat an agent had goes to after-contact work (the agent's
        desktop clears it, which ends its video session); one no agent had is simply ended."""
        if self.is_ended:
            return []
        final = ContactState.AFTER_CONTACT_WORK if self.contact.connected_at else ContactState.ENDED
        return self.line(text) + self.set_state(final, reason)

    def customer_left(self) -> list[Event]:
        return self.end('customer_ended', CUSTOMER_LEFT_TEXT)

    # internals

    def _add(self, role: ParticipantRole, name: str, text: str, kind: MessageKind, created_at: float,
             item_id: str) -> Message:
        message = Message(self.contact_id, len(self.messages) + 1, role, name, text, created_at, kind)
        self.messages.append(message)
        if item_id:
            self._by_item[item_id] = message
        return message

    def _video_signal(self, signal: VideoSignal, item: ChatItem) -> list[Event]:
        """Believe the agent's marker only if the meeting store agrees; otherwise it does nothing at all.

        ``started`` needs the contact's live meeting to be this one; ``ended`` needs this contact's meeting to have
        ended. A made-up id, another contact's meeting or a stale id is dropped (the raw marker is never shown).
        """
        if signal.action is VideoAction.STARTED:
            live = self._meetings.live_meeting_for_contact(self.contact_id)
            current = live is not None and live.meeting_id == signal.meeting_id
        else:
            meeting = self._meetings.get_meeting(signal.meeting_id)
            current = (meeting is not None and meeting.contact_id == self.contact_id
                       and meeting.state is MeetingState.ENDED)
        if not current:
            log.warning('video_signal.ignored contact=%s action=%s', self.contact_id, signal.action.value)
            return []
        live_now = signal.action is VideoAction.STARTED
        return [*self.line(signal.text, item.created_at), MeetingChanged(self.contact_id, signal.meeting_id, live_now)]


def _who(item: ChatItem) -> str:
    return item.display_name or ('The agent' if item.role is ParticipantRole.AGENT else 'Someone')

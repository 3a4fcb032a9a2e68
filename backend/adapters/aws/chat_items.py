"""Amazon Connect chat items (websocket ``aws/chat`` payloads and GetTranscript entries) as small typed values.

Both sources carry the same JSON object (Id, Type, ContentType, ParticipantRole, DisplayName, Content,
AbsoluteTime, …); the kind of an EVENT is in its ContentType. Unknown kinds are kept as ``OTHER`` and ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.domain.model import ParticipantRole

log = logging.getLogger('vce.aws.chat')

EVENT_PREFIX = 'application/vnd.amazonaws.connect.event.'
TYPING = f'{EVENT_PREFIX}typing'
JOINED = f'{EVENT_PREFIX}participant.joined'
LEFT = f'{EVENT_PREFIX}participant.left'
CHAT_ENDED = f'{EVENT_PREFIX}chat.ended'
TEXT_TYPES = frozenset({'text/plain', 'text/markdown'})

_ROLES = {'AGENT': ParticipantRole.AGENT, 'SUPERVISOR': ParticipantRole.AGENT, 'CUSTOMER': ParticipantRole.CUSTOMER,
          'SYSTEM': ParticipantRole.SYSTEM, 'CUSTOM_BOT': ParticipantRole.SYSTEM}


class ItemKind(StrEnum):
    MESSAGE = 'message'  # text someone wrote
    RICH_MESSAGE = 'rich_message'  # a message in a content type this chat does not render (interactive, JSON)
    ATTACHMENT = 'attachment'
    TYPING = 'typing'
    JOINED = 'joined'
    LEFT = 'left'
    ENDED = 'ended'
    OTHER = 'other'  # receipts, transfers, idle notices, …


_EVENT_KINDS = {TYPING: ItemKind.TYPING, JOINED: ItemKind.JOINED, LEFT: ItemKind.LEFT, CHAT_ENDED: ItemKind.ENDED}
_TYPE_KINDS = {'TYPING': ItemKind.TYPING, 'PARTICIPANT_JOINED': ItemKind.JOINED, 'PARTICIPANT_LEFT': ItemKind.LEFT,
               'CHAT_ENDED': ItemKind.ENDED}


@dataclass(frozen=True, slots=True)
class ChatItem:
    item_id: str
    kind: ItemKind
    raw_role: str  # Connect's ParticipantRole as sent: the video signal is believed only from 'AGENT'
    display_name: str
    text: str
    created_at: float

    @property
    def role(self) -> ParticipantRole:
        return _ROLES.get(self.raw_role, ParticipantRole.SYSTEM)


def parse_item(raw: Mapping[str, Any], clock: Callable[[], float]) -> ChatItem | None:
    """A Connect chat item, or None when it is not an object we understand (logged, never raised)."""
    if not isinstance(raw, Mapping):
        log.warning('chat.item_ignored reason=not_an_object')
        return None
    content_type = str(raw.get('ContentType') or '')
    item_type = str(raw.get('Type') or '')
    if item_type == 'MESSAGE':
        kind = ItemKind.MESSAGE if content_type in TEXT_TYPES else ItemKind.RICH_MESSAGE
    elif item_type == 'ATTACHMENT':
        kind = ItemKind.ATTACHMENT
    else:
        kind = _EVENT_KINDS.get(content_type) or _TYPE_KINDS.get(item_type, ItemKind.OTHER)
    text = raw.get('Content')
    if kind is ItemKind.ATTACHMENT:
        attachments = [a for a in raw.get('Attachments') or [] if isinstance(a, Mapping)]
        names = [str(a.get('AttachmentName') or 'a file') for a in attachments]
        text = ', '.join(names) or 'a file'
    return ChatItem(item_id=str(raw.get('Id') or ''), kind=kind, raw_role=str(raw.get('ParticipantRole') or ''),
                    display_name=str(raw.get('DisplayName') or ''), text=text if isinstance(text, str) else '',
                    created_at=epoch_seconds(raw.get('AbsoluteTime'), clock))


def epoch_seconds(value: object, clock: Callable[[], float]) -> float:
    """Connect's ISO 8601 times (``2026-01-01T10:00:00.123Z``) as epoch seconds; now when absent or malformed."""
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace('Z', '+00:00')).timestamp()
        except ValueError:
            log.warning('chat.bad_time value=%r', value[:40])
    return clock()

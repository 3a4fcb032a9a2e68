"""The small pieces of the aws customer chat: the video signal format, reconnect backoff, Connect chat item parsing
and the in-memory participant session store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from backend.adapters.aws.backoff import Backoff
from backend.adapters.aws.chat_items import CHAT_ENDED, JOINED, LEFT, TYPING, ItemKind, epoch_seconds, parse_item
from backend.adapters.aws.participant_sessions import InMemoryParticipantSessions
from backend.domain.model import Contact, ParticipantRole, ParticipantSession
from backend.domain.video_signal import (
    ENDED_TEXT,
    STARTED_TEXT,
    VideoAction,
    VideoSignal,
    format_video_signal,
    parse_video_signal,
)

MEETING = str(uuid.uuid4())


def now() -> float:
    return 42.0


# the video signal


def test_the_signal_round_trips_and_reads_well() -> None:
    text = format_video_signal(VideoAction.STARTED, MEETING)
    assert text == f'vce-video:v1:started:{MEETING}'
    assert parse_video_signal(text) == VideoSignal(VideoAction.STARTED, MEETING)
    assert parse_video_signal(f'  {format_video_signal(VideoAction.ENDED, MEETING)}\n') == VideoSignal(
        VideoAction.ENDED, MEETING)
    assert VideoSignal(VideoAction.STARTED, MEETING).text == STARTED_TEXT
    assert VideoSignal(VideoAction.ENDED, MEETING).text == ENDED_TEXT


@pytest.mark.parametrize('text', [
    'Hello', '', f'vce-video:v1:paused:{MEETING}', f'vce-video:v2:started:{MEETING}', 'vce-video:v1:started:abc',
    f'Please join: vce-video:v1:started:{MEETING}', f'vce-video:v1:started:{MEETING} now',
    f'vce-video:v1:started:{MEETING.upper()}',
])
def test_anything_else_is_an_ordinary_message(text: str) -> None:
    assert parse_video_signal(text) is None


def test_the_agent_side_cannot_format_an_unrecognisable_signal() -> None:
    with pytest.raises(ValueError, match='not a meeting id'):
        format_video_signal(VideoAction.STARTED, 'meeting 1')


# backoff


def test_backoff_grows_exponentially_up_to_its_cap_with_full_jitter() -> None:
    ceiling = Backoff(base=0.5, cap=4.0, rng=lambda: 1.0)
    assert [ceiling.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert Backoff(base=0.5, cap=4.0, rng=lambda: 0.25).delay(3) == 0.5
    assert Backoff(rng=lambda: 0.0).delay(1) == 0.0
    assert Backoff(cap=30.0, rng=lambda: 1.0).delay(10_000) == 30.0  # no overflow after a long outage


# chat items


def test_messages_events_and_attachments_are_recognised() -> None:
    message = parse_item({'Id': 'm1', 'Type': 'MESSAGE', 'ContentType': 'text/plain', 'ParticipantRole': 'AGENT',
                          'DisplayName': 'Ann', 'Content': 'Hi', 'AbsoluteTime': '2026-05-01T10:00:00.500Z'}, now)
    assert message is not None
    assert (message.item_id, message.kind, message.role, message.display_name, message.text) == (
        'm1', ItemKind.MESSAGE, ParticipantRole.AGENT, 'Ann', 'Hi')
    assert message.created_at == datetime(2026, 5, 1, 10, 0, 0, 500_000, tzinfo=UTC).timestamp()
    kinds = {content_type: parse_item({'Type': 'EVENT', 'ContentType': content_type}, now).kind  # type: ignore[union-attr]
             for content_type in (TYPING, JOINED, LEFT, CHAT_ENDED, 'application/vnd.amazonaws.connect.event.x')}
    assert list(kinds.values()) == [ItemKind.TYPING, ItemKind.JOINED, ItemKind.LEFT, ItemKind.ENDED, ItemKind.OTHER]
    by_type = parse_item({'Type': 'CHAT_ENDED'}, now)
    assert by_type is not None and by_type.kind is ItemKind.ENDED
    attachment = parse_item({'Type': 'ATTACHMENT', 'Attachments': [{'AttachmentName': 'a.pdf'}, 'junk']}, now)
    assert attachment is not None and (attachment.kind, attachment.text) == (ItemKind.ATTACHMENT, 'a.pdf')
    rich = parse_item({'Type': 'MESSAGE', 'ContentType': 'application/json', 'Content': '{}'}, now)
    assert rich is not None and rich.kind is ItemKind.RICH_MESSAGE


def test_odd_items_do_not_raise() -> None:
    assert parse_item(['not', 'a', 'dict'], now) is None  # type: ignore[arg-type]
    odd = parse_item({'Type': 'MESSAGE', 'ContentType': 'text/plain', 'Content': 7, 'ParticipantRole': 'ROBOT',
                      'AbsoluteTime': 'yesterday'}, now)
    assert odd is not None and (odd.text, odd.role, odd.created_at, odd.item_id) == ('', ParticipantRole.SYSTEM,
                                                                                      42.0, '')
    assert epoch_seconds(None, now) == 42.0


def test_supervisors_and_bots_map_to_roles_the_ui_knows() -> None:
    roles = [parse_item({'Type': 'MESSAGE', 'ParticipantRole': r}, now).role  # type: ignore[union-attr]
             for r in ('SUPERVISOR', 'CUSTOM_BOT', 'CUSTOMER', 'SYSTEM')]
    assert roles == [ParticipantRole.AGENT, ParticipantRole.SYSTEM, ParticipantRole.CUSTOMER, ParticipantRole.SYSTEM]


# participant sessions


def session(contact_id: str, expires_at: float) -> ParticipantSession:
    return ParticipantSession(Contact(contact_id, 'Carla', 'c@example.com', 1.0), 'p-1', 'secret-participant',
                              'secret-connection', 2.0, expires_at)


def test_in_memory_sessions_store_replace_and_expire() -> None:
    clock = [100.0]
    store = InMemoryParticipantSessions(clock=lambda: clock[0])
    store.save_participant_session(session('c1', expires_at=200.0))
    store.save_participant_session(session('c2', expires_at=150.0))
    assert store.participant_session('c1') == session('c1', 200.0)
    assert store.participant_session('nope') is None
    clock[0] = 160.0
    assert store.participant_session('c2') is None  # past expires_at: gone even before a sweep
    store.save_participant_session(session('c1', expires_at=300.0))
    assert store.participant_session('c1') == session('c1', 300.0)


def test_session_repr_keeps_tokens_out_of_logs() -> None:
    text = repr(session('c1', 1.0))
    assert 'secret' not in text and 'c1' in text

"""One media session, whether a video call or a phone call's audio line: both attendees at once, each side's own join
data, a meeting the store refuses is deleted (never orphaned), and it ends once."""

from __future__ import annotations

import sqlite3

import pytest

from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import ParticipantRole
from backend.events import EventBus, MeetingChanged, agent_topic, contact_topic
from backend.services.media_sessions import MediaSessions
from tests.unit.engine_fixtures import RecordingProvider


@pytest.fixture
def media():
    store = SqliteStore(':memory:')
    provider, bus = RecordingProvider(), EventBus()
    yield MediaSessions(provider, store, bus, clock=lambda: 100.0), provider, store, bus
    store.close()


def test_a_session_has_both_attendees_and_each_side_gets_its_own_join_data(media):
    sessions, provider, _, _ = media
    meeting = sessions.open('c-1', 'ann', 'Ann Agent', 'Cara')
    assert provider.created == [meeting.meeting_id] and sessions.live('c-1') == meeting
    agent, customer = (sessions.join_info(meeting, role) for role in (ParticipantRole.AGENT, ParticipantRole.CUSTOMER))
    assert (agent.name, customer.name) == ('Ann Agent', 'Cara') and agent.attendee_id != customer.attendee_id
    assert customer.attendee_id not in str(agent.data) and agent.attendee_id not in str(customer.data)
    assert sessions.names(meeting.meeting_id) == {agent.attendee_id: 'Ann Agent', customer.attendee_id: 'Cara'}


def test_a_second_live_meeting_of_one_contact_is_refused_and_deleted(media):
    sessions, provider, _, _ = media
    first = sessions.open('c-1', 'ann', 'Ann Agent', 'Cara')
    with pytest.raises(sqlite3.IntegrityError):  # the store refuses a second live meeting of one contact
        sessions.open('c-1', 'ann', 'Ann Agent', 'Cara')
    assert len(provider.created) == 2 and provider.deleted == [provider.created[1]]
    assert sessions.live('c-1') == first


def test_a_meeting_ends_once_and_both_sides_hear_of_it(media):
    sessions, provider, _, bus = media
    meeting = sessions.open('c-1', 'ann', 'Ann Agent', 'Cara')
    heard = []
    bus.subscribe(contact_topic('c-1'), heard.append)
    bus.subscribe(agent_topic('ann'), heard.append)
    ended = sessions.close(meeting)
    assert ended is not None and ended.ended_at == 100.0
    assert sessions.close(meeting) is None and sessions.live('c-1') is None
    sessions.release(ended)
    assert provider.deleted == [meeting.meeting_id]
    sessions.announce(MeetingChanged('c-1', meeting.meeting_id, False), 'ann')
    assert heard == [MeetingChanged('c-1', meeting.meeting_id, False)] * 2

"""The supervisors' recordings: every playback, download and delete is audited first; links are short-lived and
bound to the supervisor; retention deletes old recordings."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from backend.domain.errors import NotAllowed, NotFound
from backend.domain.recording import AuditAction, ConsentPolicy, RecordingQuery, RecordingState
from backend.services.media_links import MEDIA_PATH, MediaLinks
from tests.unit.recording_fixtures import recording_world


async def finished_recording(world):
    recording = await world.recordings.start_recording('ann', world.contact_id)
    rid = recording.recording_id
    ticket = await world.recordings.open_segment('ann', rid)
    await world.recordings.receive_chunk('ann', rid, 0, 0, ticket.token, b'v' * 40, last=False)
    await world.recordings.stop_recording('ann', world.contact_id)
    await world.recordings.receive_chunk('ann', rid, 0, 1, ticket.token, b'', last=True)
    assert world.recordings.recording(rid).state is RecordingState.READY
    return world.recordings.recording(rid)


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


async def test_playing_is_audited_before_the_link_is_given(centre):
    world = await recording_world(centre, ConsentPolicy.OFF)
    recording = await finished_recording(world)
    assert world.library.audit_log() == []
    link = world.library.play('sue', recording.recording_id, 0)
    assert link.url.startswith(f'{MEDIA_PATH}/{recording.recording_id}/0?') and link.content_type == 'video/webm'
    claims = world.library.links.verify(recording.recording_id, 0, query_of(link.url))
    assert claims is not None and claims.username == 'sue' and not claims.download
    entry, = world.library.audit_log()
    assert (entry.actor, entry.action, entry.recording_id, entry.contact_id) == (
        'sue', AuditAction.PLAYED, recording.recording_id, world.contact_id)
    download = world.library.download('sue', recording.recording_id, 0)
    assert world.library.links.verify(recording.recording_id, 0, query_of(download.url)).download
    assert [e.action for e in world.library.audit_log()] == [AuditAction.DOWNLOADED, AuditAction.PLAYED]


async def test_links_expire_and_cannot_be_changed(centre):
    world = await recording_world(centre, ConsentPolicy.OFF)
    recording = await finished_recording(world)
    query = query_of(world.library.play('sue', recording.recording_id, 0).url)
    links = world.library.links
    assert links.verify(recording.recording_id, 1, query) is None  # another segment
    assert links.verify(recording.recording_id, 0, {**query, 'u': 'ann'}) is None  # another user
    assert links.verify(recording.recording_id, 0, {**query, 'dl': '1'}) is None
    assert MediaLinks(b'y' * 32, ttl_seconds=300, clock=world.clock).verify(recording.recording_id, 0, query) is None
    world.clock.now += 301
    assert links.verify(recording.recording_id, 0, query) is None


async def test_delete_is_audited_and_removes_files_and_metadata(centre):
    world = await recording_world(centre, ConsentPolicy.OFF)
    recording = await finished_recording(world)
    world.library.delete('sue', recording.recording_id)
    assert world.archive.deleted == [recording.recording_id]
    assert world.library.find(RecordingQuery()) == []
    assert world.library.audit_log()[0].action is AuditAction.DELETED
    with pytest.raises(NotFound):
        world.library.play('sue', recording.recording_id, 0)


async def test_a_running_recording_cannot_be_deleted(centre):
    world = await recording_world(centre, ConsentPolicy.OFF)
    recording = await world.recordings.start_recording('ann', world.contact_id)
    with pytest.raises(NotAllowed):
        world.library.delete('sue', recording.recording_id)


async def test_retention_deletes_recordings_older_than_the_setting(centre):
    world = await recording_world(centre, ConsentPolicy.OFF)
    recording = await finished_recording(world)
    assert await world.library.expire_old() == 0
    world.clock.now += 31 * 86_400
    assert await world.library.expire_old() == 1
    assert world.library.find(RecordingQuery()) == [] and world.archive.deleted == [recording.recording_id]
    entry = world.library.audit_log()[0]
    assert (entry.actor, entry.action) == ('retention', AuditAction.EXPIRED)


async def test_search_and_filters(centre):
    world = await recording_world(centre, ConsentPolicy.OFF)
    recording = await finished_recording(world)
    assert world.library.find(RecordingQuery(text='cara')) == [recording]
    assert world.library.find(RecordingQuery(text=world.contact_id[:8])) == [recording]
    assert world.library.find(RecordingQuery(text='nobody')) == []
    assert world.library.find(RecordingQuery(agent='bob')) == []
    assert world.library.find(RecordingQuery(since=recording.started_at + 1)) == []
    assert world.library.find(RecordingQuery(until=recording.started_at + 1)) == [recording]
    assert world.library.transcript(world.contact_id)[0].text  # the chat beside the video

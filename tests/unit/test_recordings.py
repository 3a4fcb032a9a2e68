"""Recording a call (docs/recording.md): consent first, who may start, segments, stops, finishing."""

from __future__ import annotations

import pytest

from backend.domain.errors import NotAllowed, NotFound
from backend.domain.recording import (
    CONSENT_ATTRIBUTE,
    PLAYBACK_URL_ATTRIBUTE,
    ConsentAnswer,
    ConsentPolicy,
    RecordingState,
    SegmentState,
)
from backend.events import RecordingChanged
from tests.unit.engine_fixtures import settle
from tests.unit.recording_fixtures import recording_world

REQUIRE, NOTIFY, OFF = ConsentPolicy.REQUIRE, ConsentPolicy.NOTIFY, ConsentPolicy.OFF


async def recording_running(world):
    recording = await world.recordings.start_recording('ann', world.contact_id)
    if recording.state is RecordingState.AWAITING_CONSENT:
        recording = await world.recordings.customer_answer(world.key, accepted=True)
    assert recording.state is RecordingState.RECORDING
    return recording


def states(world):
    return [e.state for e in world.events if isinstance(e, RecordingChanged)]


async def test_require_asks_first_and_records_only_after_the_customer_accepts(centre):
    world = await recording_world(centre, REQUIRE)
    asked = await world.recordings.start_recording('ann', world.contact_id)
    assert asked.state is RecordingState.AWAITING_CONSENT and asked.segments == ()
    assert world.recordings.customer_recording(world.key).recording_id == asked.recording_id
    with pytest.raises(NotAllowed):  # nothing can be uploaded before the answer
        await world.recordings.open_segment('ann', asked.recording_id)
    accepted = await world.recordings.customer_answer(world.key, accepted=True)
    assert accepted.state is RecordingState.RECORDING
    assert [(c.policy, c.answer) for c in accepted.consent] == [(REQUIRE, ConsentAnswer.PENDING),
                                                                 (REQUIRE, ConsentAnswer.ACCEPTED)]
    attributes = world.engine.contact(world.contact_id).attributes
    assert attributes[CONSENT_ATTRIBUTE].startswith('accepted (require) ')
    assert attributes[PLAYBACK_URL_ATTRIBUTE] == \
        f'https://desk.example.com/supervisor/recordings?contact={world.contact_id}'
    assert states(world) == ['awaiting_consent', 'recording']
    texts = [m.text for m in world.chat.transcript(world.key)]
    assert 'The customer agreed to the recording.' in texts and 'Recording started.' in texts


async def test_a_refusal_keeps_the_call_unrecorded_and_tells_the_agent(centre):
    world = await recording_world(centre, REQUIRE)
    asked = await world.recordings.start_recording('ann', world.contact_id)
    declined = await world.recordings.customer_answer(world.key, accepted=False)
    assert declined.state is RecordingState.DECLINED and declined.last_consent.answer is ConsentAnswer.DECLINED
    assert states(world)[-1] == 'declined'
    with pytest.raises(NotAllowed):
        await world.recordings.open_segment('ann', asked.recording_id)
    assert world.meetings.agent_join_info('ann', world.contact_id) is not None  # the call goes on
    assert world.engine.contact(world.contact_id).attributes[CONSENT_ATTRIBUTE].startswith('declined (require)')
    assert PLAYBACK_URL_ATTRIBUTE not in world.engine.contact(world.contact_id).attributes
    assert world.archive.parts == {}
    # auto-start does not ask again in the same meeting; the agent's toggle may
    assert (await world.recordings.start_recording('ann', world.contact_id, auto=False)).recording_id \
        != asked.recording_id


async def test_notify_records_once_the_notice_is_shown(centre):
    world = await recording_world(centre, NOTIFY)
    asked = await world.recordings.start_recording('ann', world.contact_id)
    assert asked.state is RecordingState.AWAITING_CONSENT
    shown = await world.recordings.customer_answer(world.key, accepted=True)
    assert shown.state is RecordingState.RECORDING and shown.last_consent.answer is ConsentAnswer.NOTIFIED


async def test_off_records_at_once(centre):
    world = await recording_world(centre, OFF)
    recording = await world.recordings.start_recording('ann', world.contact_id)
    assert recording.state is RecordingState.RECORDING
    assert recording.last_consent.answer is ConsentAnswer.NOT_ASKED and recording.last_consent.policy is OFF


@pytest.mark.parametrize(('attributes', 'flow_settings', 'manual', 'auto'), [
    ({}, None, False, False),
    ({'videoRecordingStartStopEnabled': 'TRUE'}, None, True, False),
    ({'videoRecordingAutoStartEnabled': 'true'}, None, False, True),
    ({'videoRecordingStartStopEnabled': 'yes'}, None, False, False),  # only "true" counts, as in the sample
    ({}, {'RecordingBehavior': {'RecordedParticipants': ['Agent', 'Customer']}}, False, True),
    ({'videoRecordingStartStopEnabled': 'true', 'videoRecordingAutoStartEnabled': 'true'},
     {'RecordingBehavior': {'RecordedParticipants': []}}, False, False),  # the flow turned recording off
])
async def test_the_contact_says_who_may_start(centre, attributes, flow_settings, manual, auto):
    world = await recording_world(centre, OFF, attributes, flow_settings)
    controls = await world.recordings.controls('ann', world.contact_id)
    assert (controls.rules.start_stop, controls.rules.auto_start) == (manual, auto)
    for is_auto, allowed in ((False, manual), (True, auto)):
        if allowed:
            assert (await world.recordings.start_recording('ann', world.contact_id, auto=is_auto)).state.running
        else:
            with pytest.raises(NotAllowed, match='not enabled'):
                await world.recordings.start_recording('ann', world.contact_id, auto=is_auto)


async def test_only_the_meetings_owner_records(centre):
    world = await recording_world(centre, OFF)
    with pytest.raises((NotFound, NotAllowed)):
        await world.recordings.start_recording('bob', world.contact_id)
    recording = await recording_running(world)
    with pytest.raises(NotFound):
        await world.recordings.open_segment('bob', recording.recording_id)


async def test_chunks_come_in_order_from_the_page_that_holds_the_segment(centre):
    world = await recording_world(centre, OFF)
    recording = await recording_running(world)
    ticket = await world.recordings.open_segment('ann', recording.recording_id)
    receive = world.recordings.receive_chunk
    rid = recording.recording_id
    assert await receive('ann', rid, 0, 0, ticket.token, b'aa', last=False)
    assert await receive('ann', rid, 0, 0, ticket.token, b'aa', last=False)  # a retry: acknowledged, not rewritten
    assert not await receive('ann', rid, 0, 2, ticket.token, b'cc', last=False)  # a gap
    assert not await receive('ann', rid, 0, 1, 'another page', b'bb', last=False)
    assert not await receive('bob', rid, 0, 1, ticket.token, b'bb', last=False)
    assert await receive('ann', rid, 0, 1, ticket.token, b'bb', last=False)
    assert bytes(world.archive.parts[(rid, 0)]) == b'aabb'
    assert ticket.upload_url == f'/agent/recordings/upload/{rid}/0'


async def test_a_reload_starts_a_new_segment_of_the_same_recording(centre):
    world = await recording_world(centre, OFF)
    recording = await recording_running(world)
    rid = recording.recording_id
    first = await world.recordings.open_segment('ann', rid)
    await world.recordings.receive_chunk('ann', rid, 0, 0, first.token, b'x' * 30, last=False)
    second = await world.recordings.open_segment('ann', rid)  # the reloaded page: the old one is gone
    assert second.segment == 1
    assert not await world.recordings.receive_chunk('ann', rid, 0, 1, first.token, b'late', last=False)
    await world.recordings.receive_chunk('ann', rid, 1, 0, second.token, b'y' * 20, last=False)
    await world.recordings.stop_recording('ann', world.contact_id)
    assert world.recordings.recording(rid).state is RecordingState.FINALIZING
    await world.recordings.receive_chunk('ann', rid, 1, 1, second.token, b'', last=True)
    done = world.recordings.recording(rid)
    assert done.state is RecordingState.READY
    assert [(s.index, s.state, s.size_bytes) for s in done.segments] == [(0, SegmentState.READY, 30),
                                                                         (1, SegmentState.READY, 20)]
    assert done.duration_seconds == pytest.approx(5.0) and done.size_bytes == 50
    assert states(world)[-2:] == ['finalizing', 'ready']


async def test_end_for_all_stops_it_and_the_sweep_finishes_a_segment_whose_page_is_gone(centre):
    world = await recording_world(centre, OFF)
    recording = await recording_running(world)
    rid = recording.recording_id
    ticket = await world.recordings.open_segment('ann', rid)
    await world.recordings.receive_chunk('ann', rid, 0, 0, ticket.token, b'z' * 10, last=False)
    await world.meetings.end_for_all('ann', world.contact_id)
    await settle()
    assert world.recordings.recording(rid).state is RecordingState.FINALIZING
    world.clock.now += 5
    await world.recordings.sweep()
    assert world.recordings.recording(rid).state is RecordingState.FINALIZING  # the last chunk may still come
    world.clock.now += 20
    await world.recordings.sweep()
    assert world.recordings.recording(rid).state is RecordingState.READY


async def test_the_contact_ending_stops_it(centre):
    world = await recording_world(centre, REQUIRE)
    await world.recordings.start_recording('ann', world.contact_id)
    world.engine.end_contact('ann', world.contact_id)
    await settle()
    stopped = world.store.recordings_for_contact(world.contact_id)[-1]
    assert not stopped.state.running  # nothing was recorded: no answer came
    assert stopped.state is RecordingState.FAILED and stopped.consent == ()


async def test_a_running_recording_is_refused_a_second_start(centre):
    world = await recording_world(centre, OFF)
    first = await recording_running(world)
    again = await world.recordings.start_recording('ann', world.contact_id)
    assert again.recording_id == first.recording_id


async def test_clearing_the_contact_stops_a_running_recording(centre):
    world = await recording_world(centre, OFF)
    recording = await recording_running(world)
    world.engine.end_contact('ann', world.contact_id)
    world.engine.clear_contact('ann', world.contact_id)
    await settle()
    assert world.recordings.recording(recording.recording_id).state is RecordingState.FAILED  # no page uploaded


async def test_no_per_contact_lock_outlives_its_work(centre):
    """A process records many contacts over its life: the per-contact locks go when nobody holds them."""
    world = await recording_world(centre, REQUIRE)
    await world.recordings.start_recording('ann', world.contact_id)
    await world.recordings.customer_answer(world.key, accepted=True)
    await world.recordings.stop_recording('ann', world.contact_id)
    await settle()
    assert len(world.recordings._locks) == 0

"""Recording video calls, with the customer's consent first (docs/recording.md).

Who may start: the contact's ``videoRecordingAutoStartEnabled`` starts a recording when the agent is in the call,
``videoRecordingStartStopEnabled`` gives the agent a Record toggle (``RecordingRules``; a flow's
UpdateContactRecordingBehavior counts too). Only the agent who owns the contact's live meeting may start or stop it.

Consent comes first (``ConsentPolicy``): ``off`` records at once, ``notify`` once the notice is on the customer's
screen, ``require`` once the customer accepted; a refusal keeps the call going unrecorded and the agent is told.
Every answer is kept on the recording and on the contact (``videoRecordingConsent``, a transcript line).

Two ways to record, one lifecycle: local meetings are recorded by the agent's browser, which composites the call and
uploads it in chunks (``receive_chunk``; each page (re)join is a new segment of the same recording); Chime meetings
by a server-side capture (``RecordingCapture``: media capture + concatenation pipelines). A recording stops when the
agent stops it or leaves, when the meeting ends for all and when the contact ends; a sweep then makes what was
written playable (a segment whose page vanished is finished after ``segment_idle_seconds``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from backend.domain.errors import NotAllowed, NotFound
from backend.domain.model import ContactState, Meeting, MeetingState
from backend.domain.recording import (
    CONSENT_ATTRIBUTE,
    PLAYBACK_URL_ATTRIBUTE,
    ConsentAnswer,
    ConsentPolicy,
    ConsentRecord,
    Recording,
    RecordingRules,
    RecordingState,
    Segment,
    SegmentState,
)
from backend.events import (
    ALL_CONTACTS_TOPIC,
    ContactChanged,
    Event,
    EventBus,
    MeetingChanged,
    RecordingChanged,
    Subscription,
    agent_topic,
    contact_topic,
)
from backend.ports import ContactAssignments, ContactNotes, RecordingArchive, RecordingCapture, RecordingStore
from backend.services.customer_chat import CustomerChatService
from backend.services.keyed_locks import KeyedLocks
from backend.services.media_sessions import MediaSessions
from backend.services.recording_uploads import ChunkVerdict, UploadSlots

log = logging.getLogger('vce.recordings')

UPLOAD_PATH = '/agent/recordings/upload'  # + /<recording id>/<segment>/<seq>; the page's token in a header
PLAYBACK_PATH = '/supervisor/recordings'
MAX_CHUNK_BYTES = 8 * 1024 * 1024  # a 2 s chunk of a 1080p composite is far smaller

EVENT_TEXT = {
    ConsentAnswer.ACCEPTED: 'The customer agreed to the recording.',
    ConsentAnswer.DECLINED: 'The customer declined the recording. The call goes on without it.',
    ConsentAnswer.NOTIFIED: 'The customer was told that the call is recorded.',
}
STARTED_TEXT = 'Recording started.'
STOPPED_TEXT = 'Recording stopped.'


@dataclass(frozen=True, slots=True)
class RecordingPolicy:
    consent: ConsentPolicy = ConsentPolicy.REQUIRE
    public_base_url: str = ''  # for videoRecordingPlaybackURL; empty: a path on this site
    segment_idle_seconds: float = 15.0  # an open segment that got no chunk this long is finished (its page is gone)
    sweep_seconds: float = 2.0  # how often the sweep looks at unfinished recordings


@dataclass(frozen=True, slots=True)
class RecordingControls:
    """What the agent's call shows: the toggle (``rules.start_stop``), auto-start, and the current recording."""

    rules: RecordingRules
    available: bool  # the product can record this meeting (e.g. a bucket is configured for Chime meetings)
    backend: str  # 'browser' or 'chime'
    current: Recording | None


@dataclass(frozen=True, slots=True)
class SegmentTicket:
    """What the agent's page needs to upload one segment (the token only ever goes to that page)."""

    recording_id: str
    segment: int
    token: str
    upload_url: str


class RecordingService:
    def __init__(self, store: RecordingStore, archive: RecordingArchive, capture: RecordingCapture | None,
                 media: MediaSessions, assignments: ContactAssignments, customers: CustomerChatService,
                 notes: ContactNotes, bus: EventBus, policy: RecordingPolicy | None = None, *,
                 available: bool = True, backend: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        """``backend``: 'browser' (the agent's browser records local meetings) or 'chime' (the capture records);
        by default 'chime' exactly when there is a capture."""
        self._store, self._archive, self._capture = store, archive, capture
        self._media, self._assignments, self._customers = media, assignments, customers
        self._notes, self._bus, self.policy, self._clock = notes, bus, policy or RecordingPolicy(), clock
        self._available = available
        self._backend = backend or ('chime' if capture is not None else 'browser')
        self._uploads = UploadSlots()
        self._locks = KeyedLocks()  # per contact, gone when unused (not one lock per contact ever recorded)
        self._active: set[str] = set()  # recordings this process follows until they are finished
        self._meeting_watch: dict[str, Subscription] = {}
        self._subscription: Subscription | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[object]] = set()

    @property
    def backend(self) -> str:
        return self._backend

    # lifecycle

    def start(self) -> None:
        """Follow contact ends, and pick up what a previous run left unfinished (it is finished by the sweep)."""
        self._subscription = self._bus.subscribe(ALL_CONTACTS_TOPIC, self._on_contact_event)
        with contextlib.suppress(Exception):
            for recording in self._store.unfinished_recordings():
                self._follow(recording)
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        for watch in self._meeting_watch.values():
            watch.close()
        self._meeting_watch.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # agent

    async def controls(self, username: str, contact_id: str) -> RecordingControls:
        assigned = await self._assignments.assigned_contact(username, contact_id)
        meeting = self._media.live(contact_id)
        current = self._current(contact_id, meeting.meeting_id) if meeting is not None else None
        return RecordingControls(RecordingRules.for_contact(assigned.contact), self._available, self.backend, current)

    async def start_recording(self, username: str, contact_id: str, *, auto: bool = False) -> Recording:
        """Ask the customer (per the policy) and record; the running recording of the meeting if there is one.

        ``auto``: the contact's auto-start, which never asks again after a refusal in the same meeting."""
        assigned = await self._assignments.assigned_contact(username, contact_id)
        rules = RecordingRules.for_contact(assigned.contact)
        if not self._available:
            raise NotAllowed('Recording is not set up for these video calls (see docs/recording.md).')
        if not (rules.auto_start if auto else rules.start_stop):
            raise NotAllowed('Recording is not enabled for this contact.')
        async with self._locks.hold(contact_id):
            meeting = self._owned_meeting(username, contact_id)
            current = self._current(contact_id, meeting.meeting_id)
            if current is not None and (current.state.running or (auto and current.state is RecordingState.DECLINED)):
                return current
            policy = self.policy.consent
            now = self._clock()
            first = ConsentRecord(policy, ConsentAnswer.NOT_ASKED if policy is ConsentPolicy.OFF
                                  else ConsentAnswer.PENDING, now)
            recording = Recording(recording_id=str(uuid.uuid4()), contact_id=contact_id,
                                  meeting_id=meeting.meeting_id, agent_username=username,
                                  agent_name=assigned.agent_name, customer_name=assigned.contact.customer_name,
                                  backend=self.backend, started_at=now, state=RecordingState.AWAITING_CONSENT,
                                  consent=(first,))
            self._store.save_recording(recording)
            self._follow(recording)
            log.info('recording.requested recording=%s contact=%s policy=%s auto=%s', recording.recording_id,
                     contact_id, policy.value, auto)
            if policy is ConsentPolicy.OFF:
                self._set_attributes(contact_id, {CONSENT_ATTRIBUTE: first.attribute_value()})
                return await self._begin(recording, meeting)
            self._announce(recording)
            return recording

    async def stop_recording(self, username: str, contact_id: str, *, reason: str = 'stopped') -> Recording | None:
        """Stop the contact's running recording (the agent's toggle, or the agent left the call)."""
        meeting = self._media.live(contact_id)
        recording = self._current(contact_id, meeting.meeting_id) if meeting is not None else None
        if recording is None:
            recording = next((r for r in reversed(self._store.recordings_for_contact(contact_id))
                              if r.state.running), None)
        if recording is None or not recording.state.running:
            return None
        if recording.agent_username != username:
            raise NotAllowed('Only the agent who started the recording can stop it.')
        return await self._finish(recording, reason)

    async def open_segment(self, username: str, recording_id: str) -> SegmentTicket:
        """The agent's page starts (or, after a reload, restarts) its recorder: a new segment of the recording."""
        recording = self._store.get_recording(recording_id)
        if recording is None or recording.agent_username != username or recording.backend != 'browser':
            raise NotFound('No such recording.')
        async with self._locks.hold(recording.contact_id):
            recording = self._store.get_recording(recording_id) or recording
            if recording.state is not RecordingState.RECORDING:
                raise NotAllowed('This recording is not running.')
            for old in recording.open_segments:  # the page that wrote it is gone: make it playable
                recording = await self._finish_segment(recording, old.index)
            index = max((s.index for s in recording.segments), default=-1) + 1
            recording = recording.with_segment(Segment(index=index, started_at=self._clock()))
            self._store.save_recording(recording)
        token = self._uploads.open(recording_id, index, username)
        log.info('recording.segment_opened recording=%s segment=%s', recording_id, index)
        return SegmentTicket(recording_id, index, token, f'{UPLOAD_PATH}/{recording_id}/{index}')

    async def receive_chunk(self, username: str, recording_id: str, segment: int, seq: int, token: str,
                            data: bytes, *, last: bool) -> bool:
        """Write the next chunk of a segment (on disk before this returns); False when refused (wrong page, gap)."""
        if len(data) > MAX_CHUNK_BYTES:
            return False
        verdict, slot = self._uploads.check(recording_id, segment, username, token, seq)
        if verdict == ChunkVerdict.REPEAT:
            return True
        if verdict != ChunkVerdict.WRITE or slot is None:
            return False
        if data:
            await asyncio.to_thread(self._archive.append_chunk, recording_id, segment, data)
        self._uploads.written(slot, last=last)
        if last:
            self._uploads.close(recording_id, segment)
            async with self._lock_for_recording(recording_id) as recording:
                if recording is not None:
                    recording = await self._finish_segment(recording, segment)
                    await self._settle(recording)
        return True

    # customer

    def customer_recording(self, session_key: str) -> Recording | None:
        """The running recording of the customer's contact (for the notice, the question and the indicator)."""
        contact = self._customers.current_contact(session_key)
        if contact is None:
            return None
        return next((r for r in reversed(self._store.recordings_for_contact(contact.contact_id))
                     if r.state.running), None)

    async def customer_answer(self, session_key: str, *, accepted: bool) -> Recording | None:
        """The customer's answer to the question (``require``), or the notice shown (``notify``: ``accepted``)."""
        recording = self.customer_recording(session_key)
        if recording is None or recording.state is not RecordingState.AWAITING_CONSENT:
            return recording
        async with self._locks.hold(recording.contact_id):
            recording = self._store.get_recording(recording.recording_id) or recording
            if recording.state is not RecordingState.AWAITING_CONSENT:
                return recording
            policy = self.policy.consent
            answer = (ConsentAnswer.DECLINED if not accepted else
                      ConsentAnswer.NOTIFIED if policy is ConsentPolicy.NOTIFY else ConsentAnswer.ACCEPTED)
            record = ConsentRecord(policy, answer, self._clock())
            recording = replace(recording, consent=(*recording.consent, record))
            self._set_attributes(recording.contact_id, {CONSENT_ATTRIBUTE: record.attribute_value()})
            with contextlib.suppress(NotFound):
                self._notes.add_event(recording.contact_id, EVENT_TEXT[answer])
            log.info('recording.consent recording=%s answer=%s policy=%s', recording.recording_id, answer.value,
                     policy.value)
            if answer is ConsentAnswer.DECLINED:
                recording = replace(recording, state=RecordingState.DECLINED, stopped_at=record.at)
                self._store.save_recording(recording)
                self._unfollow(recording.recording_id)
                self._announce(recording)
                return recording
            meeting = self._media.live(recording.contact_id)
            if meeting is None or meeting.meeting_id != recording.meeting_id:
                recording = replace(recording, state=RecordingState.FAILED, stopped_at=record.at)
                self._store.save_recording(recording)
                self._unfollow(recording.recording_id)
                self._announce(recording)
                return recording
            self._store.save_recording(recording)
            return await self._begin(recording, meeting)

    def subscribe(self, contact_id: str, callback: Callable[[Event], None]) -> Subscription:
        """A page's RecordingChanged events for one contact (the customer's page)."""
        return self._bus.subscribe(contact_topic(contact_id), callback)

    def subscribe_agent(self, username: str, callback: Callable[[Event], None]) -> Subscription:
        """The agent's RecordingChanged events (its desktop starts and stops its recorder on them)."""
        return self._bus.subscribe(agent_topic(username), callback)

    def recording(self, recording_id: str) -> Recording | None:
        return self._store.get_recording(recording_id)

    # internals

    async def _begin(self, recording: Recording, meeting: Meeting) -> Recording:
        """Consent is settled: record. Chime starts its capture here; the browser recorder starts on the event."""
        capture: dict[str, object] = {}
        if self._capture is not None:
            try:
                capture = await asyncio.to_thread(self._capture.start_capture, recording, meeting.provider_meeting)
            except Exception as error:
                log.warning('recording.capture_failed recording=%s error=%s', recording.recording_id, error)
                recording = replace(recording, state=RecordingState.FAILED, stopped_at=self._clock())
                self._store.save_recording(recording)
                self._unfollow(recording.recording_id)
                self._announce(recording)
                raise NotAllowed('The recording could not start. Please try again.') from None
        first = not any(r.recording_id != recording.recording_id and (r.segments or r.capture)
                        for r in self._store.recordings_for_contact(recording.contact_id))
        recording = replace(recording, state=RecordingState.RECORDING, capture=capture)
        if self.backend == 'chime':
            recording = recording.with_segment(Segment(index=0, started_at=self._clock(), content_type='video/mp4'))
        self._store.save_recording(recording)
        if first:
            self._set_attributes(recording.contact_id, {PLAYBACK_URL_ATTRIBUTE: self._playback_url(
                recording.contact_id)})
        with contextlib.suppress(NotFound):
            self._notes.add_event(recording.contact_id, STARTED_TEXT)
        log.info('recording.started recording=%s contact=%s backend=%s', recording.recording_id,
                 recording.contact_id, recording.backend)
        self._announce(recording)
        return recording

    async def _finish(self, recording: Recording, reason: str) -> Recording:
        async with self._locks.hold(recording.contact_id):
            recording = self._store.get_recording(recording.recording_id) or recording
            if not recording.state.running:
                return recording
            was_recording = recording.state is RecordingState.RECORDING
            now = self._clock()
            if not was_recording:  # still waiting for the customer: nothing was recorded
                consent = recording.consent
                if consent and consent[-1].answer is ConsentAnswer.PENDING:
                    consent = consent[:-1]
                recording = replace(recording, state=RecordingState.FAILED, stopped_at=now, consent=consent)
                self._store.save_recording(recording)
                self._unfollow(recording.recording_id)
                self._announce(recording)
                return recording
            if self._capture is not None and recording.capture:
                try:
                    await asyncio.to_thread(self._capture.stop_capture, recording.capture)
                except Exception as error:  # the pipeline may have ended with the meeting already
                    log.info('recording.capture_stop_failed recording=%s error=%s', recording.recording_id, error)
            recording = replace(recording, state=RecordingState.FINALIZING, stopped_at=now)
            self._store.save_recording(recording)
            with contextlib.suppress(NotFound):
                self._notes.add_event(recording.contact_id, STOPPED_TEXT)
            log.info('recording.stopped recording=%s reason=%s', recording.recording_id, reason)
            self._announce(recording)
            return await self._settle(recording)

    async def _settle(self, recording: Recording) -> Recording:
        """A stopped browser recording with every segment finished is ready (or failed, if nothing came)."""
        if (recording.state is not RecordingState.FINALIZING or recording.open_segments
                or recording.backend != 'browser'):
            return recording
        state = RecordingState.READY if recording.playable else RecordingState.FAILED
        recording = replace(recording, state=state)
        self._store.save_recording(recording)
        self._unfollow(recording.recording_id)
        log.info('recording.ready recording=%s state=%s segments=%s seconds=%.1f bytes=%s', recording.recording_id,
                 state.value, len(recording.playable), recording.duration_seconds, recording.size_bytes)
        self._announce(recording)
        return recording

    async def _finish_segment(self, recording: Recording, index: int) -> Recording:
        segment = recording.segment(index)
        if segment is None or segment.state is not SegmentState.OPEN:
            return recording
        self._uploads.close(recording.recording_id, index)
        try:
            key, size, duration = await asyncio.to_thread(self._archive.finish_segment, recording.recording_id, index)
        except Exception:
            log.exception('recording.segment_unreadable recording=%s segment=%s', recording.recording_id, index)
            key, size, duration = '', 0, 0.0
        segment = replace(segment, state=SegmentState.READY if size else SegmentState.EMPTY, ended_at=self._clock(),
                          key=key, size_bytes=size, duration_seconds=duration)
        recording = (self._store.get_recording(recording.recording_id) or recording).with_segment(segment)
        self._store.save_recording(recording)
        log.info('recording.segment_finished recording=%s segment=%s bytes=%s seconds=%.1f', recording.recording_id,
                 index, size, duration)
        return recording

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.policy.sweep_seconds)
            try:
                await self.sweep()
            except Exception:
                log.exception('recording.sweep_failed')

    async def sweep(self) -> None:
        """Finish what nobody will finish otherwise: segments whose page is gone, recordings whose meeting ended
        while this process was not listening, captures whose concatenation is done."""
        now = self._clock()
        for recording_id in list(self._active):
            recording = self._store.get_recording(recording_id)
            if recording is None:
                self._unfollow(recording_id)
                continue
            meeting = self._media.meeting(recording.meeting_id)
            if recording.state.running and (meeting is None or meeting.state is not MeetingState.LIVE):
                recording = await self._finish(recording, 'meeting_ended')
            if recording.backend == 'browser':
                for segment in recording.open_segments:
                    written = await asyncio.to_thread(self._archive.segment_written_at, recording_id, segment.index)
                    if now - (written or segment.started_at) >= self.policy.segment_idle_seconds:
                        async with self._locks.hold(recording.contact_id):
                            recording = await self._finish_segment(recording, segment.index)
                await self._settle(recording)
            elif recording.state is RecordingState.FINALIZING and self._capture is not None:
                await self._collect_capture(recording)

    async def _collect_capture(self, recording: Recording) -> None:
        assert self._capture is not None
        status = await asyncio.to_thread(self._capture.capture_status, recording.capture)
        if status not in ('done', 'failed'):
            return
        key = None
        if status == 'done':
            key = await asyncio.to_thread(self._archive.find_output, self._capture.output_prefix(recording.capture))
            if key is None:
                return  # the pipeline says stopped; the object may be a moment behind
        described = await asyncio.to_thread(self._archive.describe_object, key) if key else None
        segment = recording.segment(0) or Segment(index=0, started_at=recording.started_at, content_type='video/mp4')
        ended = recording.stopped_at or self._clock()
        if described is not None and key is not None:
            size, duration = described
            segment = replace(segment, state=SegmentState.READY, key=key, size_bytes=size, ended_at=ended,
                              duration_seconds=duration or max(0.0, ended - segment.started_at))
            state = RecordingState.READY
        else:
            segment = replace(segment, state=SegmentState.EMPTY, ended_at=ended)
            state = RecordingState.FAILED
        recording = replace(recording.with_segment(segment), state=state)
        self._store.save_recording(recording)
        self._unfollow(recording.recording_id)
        log.info('recording.ready recording=%s state=%s bytes=%s', recording.recording_id, state.value,
                 segment.size_bytes)
        self._announce(recording)

    def _on_contact_event(self, event: Event) -> None:
        if isinstance(event, ContactChanged) and event.contact.state in (ContactState.AFTER_CONTACT_WORK,
                                                                         ContactState.ENDED):
            self._stop_later(event.contact.contact_id, 'contact_ended')

    def _on_meeting_event(self, event: Event) -> None:
        if isinstance(event, MeetingChanged) and not event.live:
            self._stop_later(event.contact_id, 'meeting_ended')

    def _stop_later(self, contact_id: str, reason: str) -> None:
        running = [r for r in (self._store.get_recording(i) for i in list(self._active))
                   if r is not None and r.contact_id == contact_id and r.state.running]
        for recording in running:
            task = asyncio.get_running_loop().create_task(self._finish(recording, reason))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _follow(self, recording: Recording) -> None:
        self._active.add(recording.recording_id)
        if recording.state.running and recording.recording_id not in self._meeting_watch:
            self._meeting_watch[recording.recording_id] = self._bus.subscribe(
                contact_topic(recording.contact_id), self._on_meeting_event)

    def _unfollow(self, recording_id: str) -> None:
        self._active.discard(recording_id)
        watch = self._meeting_watch.pop(recording_id, None)
        if watch is not None:
            watch.close()

    def _set_attributes(self, contact_id: str, values: dict[str, str]) -> None:
        with contextlib.suppress(NotFound):  # an ended contact keeps what it had
            self._notes.set_contact_attributes(contact_id, values)

    def _owned_meeting(self, username: str, contact_id: str) -> Meeting:
        meeting = self._media.live(contact_id)
        if meeting is None:
            raise NotAllowed('Start the video call first: only a live video call can be recorded.')
        if meeting.owner_username != username:
            raise NotAllowed('Only the agent who started the video call can record it.')
        return meeting

    def _current(self, contact_id: str, meeting_id: str) -> Recording | None:
        """The meeting's newest recording."""
        return next((r for r in reversed(self._store.recordings_for_contact(contact_id))
                     if r.meeting_id == meeting_id), None)

    def _announce(self, recording: Recording) -> None:
        event = RecordingChanged(recording.contact_id, recording.recording_id, recording.meeting_id,
                                 recording.state.value, self.policy.consent.value)
        self._bus.publish(contact_topic(recording.contact_id), event)
        self._bus.publish(agent_topic(recording.agent_username), event)

    def _playback_url(self, contact_id: str) -> str:
        return f'{self.policy.public_base_url.rstrip("/")}{PLAYBACK_PATH}?contact={contact_id}'

    @contextlib.asynccontextmanager
    async def _lock_for_recording(self, recording_id: str):  # type: ignore[no-untyped-def]
        recording = self._store.get_recording(recording_id)
        if recording is None:
            yield None
            return
        async with self._locks.hold(recording.contact_id):
            yield self._store.get_recording(recording_id)

"""Video call recordings: the consent policy, who may start one, a recording's segments and the supervisors' audit.

A recording belongs to one contact's video meeting. It is made of segments: the browser recorder (local meetings)
starts a new segment whenever the agent's page comes back (a reload, a rejoin), and a Chime media pipeline (aws)
writes one file per start/stop cycle; a supervisor plays the segments in order, as one playlist.
Nothing is recorded before the customer was told (``notify``) or agreed (``require``), unless the policy is ``off``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from backend.domain.model import Contact

AUTO_START_ATTRIBUTE = 'videoRecordingAutoStartEnabled'
START_STOP_ATTRIBUTE = 'videoRecordingStartStopEnabled'
PLAYBACK_URL_ATTRIBUTE = 'videoRecordingPlaybackURL'
CONSENT_ATTRIBUTE = 'videoRecordingConsent'  # the last answer, readable in Connect's contact search too
RECORDING_BEHAVIOR = 'RecordingBehavior'  # UpdateContactRecordingBehavior, kept in the contact's flow_settings

NOTICE_TEXT = 'This video call will be recorded.'
CONSENT_QUESTION_TEXT = 'This video call will be recorded. Do you agree to the recording?'


class ConsentPolicy(StrEnum):
    """What the customer must do before a recording starts."""

    OFF = 'off'  # nothing: the recording starts at once (the indicator still shows on both sides)
    NOTIFY = 'notify'  # the customer is told; the recording starts once the notice is on the customer's screen
    REQUIRE = 'require'  # the customer must accept; refusing keeps the call going, unrecorded


class ConsentAnswer(StrEnum):
    NOT_ASKED = 'not_asked'  # policy off
    NOTIFIED = 'notified'  # the notice was shown (policy notify)
    ACCEPTED = 'accepted'
    DECLINED = 'declined'
    PENDING = 'pending'  # asked, no answer yet


class RecordingState(StrEnum):
    AWAITING_CONSENT = 'awaiting_consent'  # the customer is being told or asked; nothing is recorded yet
    RECORDING = 'recording'
    DECLINED = 'declined'  # the customer refused: never recorded
    FINALIZING = 'finalizing'  # stopped; the last segment (or the concatenation) is being made playable
    READY = 'ready'  # every segment is playable
    FAILED = 'failed'  # nothing playable came out (e.g. the capture pipeline failed)

    @property
    def running(self) -> bool:
        return self in (RecordingState.AWAITING_CONSENT, RecordingState.RECORDING)


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One answer of the customer (or the policy's own, when ``off``): kept on the recording and the contact."""

    policy: ConsentPolicy
    answer: ConsentAnswer
    at: float

    def attribute_value(self) -> str:
        """``accepted (require) 2026-12-07T10:00:00Z``: one readable contact attribute."""
        return f'{self.answer.value} ({self.policy.value}) {time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at))}'


class SegmentState(StrEnum):
    OPEN = 'open'  # being written
    READY = 'ready'  # playable
    EMPTY = 'empty'  # nothing (usable) arrived; not played


@dataclass(frozen=True, slots=True)
class Segment:
    """One file of a recording: a browser recorder's run between two (re)joins, or one capture's output."""

    index: int
    started_at: float
    state: SegmentState = SegmentState.OPEN
    ended_at: float | None = None
    size_bytes: int = 0
    duration_seconds: float = 0.0
    key: str = ''  # where the archive keeps it: a relative file name, or an S3 object key
    content_type: str = 'video/webm'


@dataclass(frozen=True, slots=True)
class Recording:
    recording_id: str
    contact_id: str
    meeting_id: str
    agent_username: str
    agent_name: str
    customer_name: str
    backend: str  # 'browser' (local meetings: the agent's browser records) or 'chime' (media pipelines)
    started_at: float
    state: RecordingState
    consent: tuple[ConsentRecord, ...] = ()
    segments: tuple[Segment, ...] = ()
    stopped_at: float | None = None
    capture: dict[str, Any] = field(default_factory=dict)  # the capture's own ids (pipeline ARNs), opaque here

    @property
    def duration_seconds(self) -> float:
        return sum(s.duration_seconds for s in self.segments if s.state is SegmentState.READY)

    @property
    def size_bytes(self) -> int:
        return sum(s.size_bytes for s in self.segments if s.state is SegmentState.READY)

    @property
    def playable(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.state is SegmentState.READY)

    @property
    def last_consent(self) -> ConsentRecord | None:
        return self.consent[-1] if self.consent else None

    def segment(self, index: int) -> Segment | None:
        return next((s for s in self.segments if s.index == index), None)

    def with_segment(self, segment: Segment) -> Recording:
        """This recording with ``segment`` added, or replacing the one with its index."""
        others = tuple(s for s in self.segments if s.index != segment.index)
        return replace(self, segments=tuple(sorted((*others, segment), key=lambda s: s.index)))

    @property
    def open_segments(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.state is SegmentState.OPEN)


@dataclass(frozen=True, slots=True)
class RecordingRules:
    """What the contact allows (the sample's attributes, and a flow's UpdateContactRecordingBehavior)."""

    auto_start: bool
    start_stop: bool

    @property
    def allowed(self) -> bool:
        return self.auto_start or self.start_stop

    @classmethod
    def for_contact(cls, contact: Contact) -> RecordingRules:
        """``videoRecordingAutoStartEnabled`` / ``videoRecordingStartStopEnabled`` count only as "true" (any case),
        as in the sample. A flow's RecordingBehavior (local engine) also counts: a list of recorded participants
        turns auto-start on, an empty list turns recording off for the contact whatever the attributes say."""
        attributes = contact.attributes
        auto = _true(attributes.get(AUTO_START_ATTRIBUTE))
        start_stop = _true(attributes.get(START_STOP_ATTRIBUTE))
        behaviour = contact.flow_settings.get(RECORDING_BEHAVIOR)
        if isinstance(behaviour, dict) and 'RecordedParticipants' in behaviour:
            participants = behaviour.get('RecordedParticipants') or []
            if not participants:
                return cls(auto_start=False, start_stop=False)
            auto = True
        return cls(auto_start=auto, start_stop=start_stop)


def _true(value: str | None) -> bool:
    return isinstance(value, str) and value.strip().lower() == 'true'


class AuditAction(StrEnum):
    PLAYED = 'played'
    DOWNLOADED = 'downloaded'
    DELETED = 'deleted'
    EXPIRED = 'expired'  # deleted by the retention sweep


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: float
    actor: str  # the supervisor's username, or 'retention'
    action: AuditAction
    recording_id: str
    contact_id: str
    detail: str = ''


@dataclass(frozen=True, slots=True)
class RecordingQuery:
    """The supervisors' list: free text over agent, customer and contact id; optional filters."""

    text: str = ''
    agent: str = ''
    consent: ConsentAnswer | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 200

    def matches(self, recording: Recording) -> bool:
        text = self.text.strip().casefold()
        if text and not any(text in value.casefold() for value in (
                recording.agent_username, recording.agent_name, recording.customer_name, recording.contact_id,
                recording.recording_id)):
            return False
        if self.agent and recording.agent_username != self.agent:
            return False
        last = recording.last_consent
        if self.consent is not None and (last is None or last.answer is not self.consent):
            return False
        if self.since is not None and recording.started_at < self.since:
            return False
        return not (self.until is not None and recording.started_at >= self.until)

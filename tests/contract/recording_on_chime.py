"""The recording service on aws mode's pieces (Chime media pipelines client, S3), with the contact centre faked:
one run from Record to a playable MP4. The pipelines client is the caller's (a Stubber queue, or a fake)."""

from __future__ import annotations

import uuid
from typing import Any
from unittest import mock

from backend.adapters.aws.chime_media_pipelines import ChimeMediaCapture
from backend.adapters.aws.s3_recordings import S3RecordingFiles
from backend.adapters.local.sqlite_recordings import SqliteRecordingStore
from backend.adapters.local.sqlite_store import SqliteStore
from backend.domain.model import AssignedContact, Attendee, Contact, ContactState, Meeting, ParticipantRole
from backend.domain.recording import ConsentPolicy, Recording
from backend.events import EventBus
from backend.ports import ContactAssignments, ContactNotes
from backend.services.media_sessions import MediaSessions
from backend.services.recordings import RecordingPolicy, RecordingService


class ChimeLikeProvider:
    backend = 'chime'


class Assigned(ContactAssignments):
    async def assigned_contact(self, username: str, contact_id: str) -> AssignedContact:
        return AssignedContact(Contact(contact_id, 'Cara', 'cara@example.com', 0.0, state=ContactState.CONNECTED,
                                       attributes={'videoRecordingStartStopEnabled': 'true'}), 'Ann Agent')

    def may_rejoin_video(self, username: str, contact_id: str) -> bool:
        return True


class Notes(ContactNotes):
    def __init__(self) -> None:
        self.attributes: dict[str, str] = {}

    def set_contact_attributes(self, contact_id: str, values: dict[str, str]) -> None:
        self.attributes.update(values)

    def add_event(self, contact_id: str, text: str) -> None:
        pass


class NoCustomers:
    def current_contact(self, session_key: str) -> None:
        return None


async def chime_recording_run(pipelines: Any, s3: Any, bucket: str, meeting_arn: str, recording_id: str,
                              *, output_bytes: int = 2048) -> Recording:
    store = SqliteStore(':memory:')
    meeting = Meeting('m-1', 'c-1', 'ann', 0.0, {'MeetingArn': meeting_arn, 'MeetingId': 'm-1'})
    store.save_meeting(meeting, [Attendee('m-1', 'a-1', ParticipantRole.AGENT, 'Ann Agent', {})])
    media = MediaSessions(ChimeLikeProvider(), store, EventBus())  # type: ignore[arg-type]
    service = RecordingService(SqliteRecordingStore(':memory:'), S3RecordingFiles(s3, bucket=bucket),
                               ChimeMediaCapture(pipelines, bucket=bucket), media, Assigned(), NoCustomers(),  # type: ignore[arg-type]
                               Notes(), EventBus(), RecordingPolicy(consent=ConsentPolicy.OFF, sweep_seconds=3600))
    with mock.patch('backend.services.recordings.uuid.uuid4', return_value=uuid.UUID(recording_id)):
        recording = await service.start_recording('ann', 'c-1')
    await service.stop_recording('ann', 'c-1')
    s3.put_object(Bucket=bucket, Key=f'recordings/{recording_id}/composited-video/final.mp4',
                  Body=b'm' * output_bytes)  # what the concatenation pipeline writes
    for _ in range(10):
        await service.sweep()
        done = service.recording(recording.recording_id)
        if done is not None and not done.state.running and done.state.value != 'finalizing':
            return done
    raise AssertionError('the recording never became playable')

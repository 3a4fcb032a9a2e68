"""A recording service on the local engine (in-memory stores), with an archive that keeps files in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.adapters.local.contact_assignments import DeskContactAssignments
from backend.adapters.local.sqlite_recordings import SqliteRecordingStore
from backend.domain.model import AgentStatus
from backend.domain.recording import ConsentPolicy, Recording
from backend.events import EventBus
from backend.ports import RecordingArchive
from backend.services.media_links import MediaLinks
from backend.services.media_sessions import MediaSessions
from backend.services.meetings import MeetingService
from backend.services.recording_library import RecordingLibrary
from backend.services.recordings import RecordingPolicy, RecordingService
from tests.unit.engine_fixtures import RecordingProvider, chat_service, settle, tab


class MemoryArchive(RecordingArchive):
    kind = 'files'

    def __init__(self) -> None:
        self.parts: dict[tuple[str, int], bytearray] = {}
        self.written_at: dict[tuple[str, int], float] = {}
        self.deleted: list[str] = []
        self.clock = 0.0

    def append_chunk(self, recording_id: str, segment: int, data: bytes) -> int:
        part = self.parts.setdefault((recording_id, segment), bytearray())
        part += data
        self.written_at[(recording_id, segment)] = self.clock
        return len(part)

    def finish_segment(self, recording_id: str, segment: int) -> tuple[str, int, float]:
        data = self.parts.get((recording_id, segment), b'')
        return (f'{recording_id}/segment-{segment}.webm', len(data), len(data) / 10) if data else ('', 0, 0.0)

    def segment_written_at(self, recording_id: str, segment: int) -> float | None:
        return self.written_at.get((recording_id, segment))

    def describe_object(self, key: str) -> tuple[int, float] | None:
        return None

    def find_output(self, prefix: str) -> str | None:
        return None

    def local_path(self, key: str) -> str | None:
        return f'/recordings/{key}'

    def presigned_url(self, key: str, *, download_name: str | None, expires_seconds: int) -> str | None:
        return None

    def delete_objects(self, recording: Recording) -> None:
        self.deleted.append(recording.recording_id)


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingWorld:
    recordings: RecordingService
    library: RecordingLibrary
    meetings: MeetingService
    engine: object
    chat: object
    bus: EventBus
    archive: MemoryArchive
    store: SqliteRecordingStore
    clock: Clock
    key: str
    contact_id: str
    events: list[object] = field(default_factory=list)


async def recording_world(centre, policy: ConsentPolicy, attributes: dict[str, str] | None = None,
                          flow_settings: dict | None = None) -> RecordingWorld:
    engine, store, bus = centre
    chat = chat_service(engine, store, bus)
    media = MediaSessions(RecordingProvider(), store, bus)
    assignments = DeskContactAssignments(engine)
    meetings = MeetingService(media, assignments, engine, chat, bus)
    meetings.start()
    archive, recording_store, clock = MemoryArchive(), SqliteRecordingStore(':memory:'), Clock()
    recordings = RecordingService(recording_store, archive, None, media, assignments, chat, engine, bus,
                                  RecordingPolicy(consent=policy, public_base_url='https://desk.example.com',
                                                  segment_idle_seconds=15.0, sweep_seconds=3600.0), clock=clock)
    recordings.start()
    library = RecordingLibrary(recording_store, archive, store, MediaLinks(b'x' * 32, ttl_seconds=300, clock=clock),
                               link_seconds=300, retention_days=30, clock=clock)
    key = tab()
    contact = await chat.start_chat(key, name='Cara', email='cara@example.com')
    await settle()
    engine.set_agent_status('ann', AgentStatus.AVAILABLE)
    engine.accept('ann', contact.contact_id)
    engine.set_contact_attributes(contact.contact_id, attributes if attributes is not None else {
        'videoRecordingStartStopEnabled': 'true'})
    if flow_settings:
        engine._contacts[contact.contact_id].flow_settings.update(flow_settings)
    await meetings.start_video('ann', contact.contact_id)
    world = RecordingWorld(recordings, library, meetings, engine, chat, bus, archive, recording_store, clock, key,
                           contact.contact_id)
    recordings.subscribe_agent('ann', world.events.append)
    return world
